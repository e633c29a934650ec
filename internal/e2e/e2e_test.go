// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const (
	// The token is sent as-is, like Auth0 sends the stream's Authorization Token.
	testToken = "e2e-stream-token-7d1c"
	// Long enough for the exporter's batch flush (1 s) plus the sink's file flush (200 ms),
	// many times over on a loaded CI machine.
	deliveryTimeout = 60 * time.Second
	// After the expected events arrived, how long to keep watching for events that must not.
	settleTime = 3 * time.Second
)

type stack struct {
	sink, collector *testproc.Process
	env             testproc.CollectorEnv
	sinkFile        string
}

// startStack runs the sink and the collector with the repository's own config files; only
// environment variables differ from what a user runs.
func startStack(t *testing.T) *stack {
	t.Helper()
	bin := testproc.Collector(t)
	root := testproc.RepoRoot(t)
	addrs := testproc.FreeAddrs(t, 4)
	s := &stack{
		env:      testproc.CollectorEnvOn(addrs[1:], testToken, addrs[0], t.TempDir()),
		sinkFile: filepath.Join(t.TempDir(), "received.jsonl"),
	}
	env, args := testproc.SinkCommand(root, addrs[0], s.sinkFile)
	s.sink = testproc.Start(t, "sink", bin, env, args...)
	testproc.WaitListening(t, s.sink, addrs[0])

	s.collector = testproc.Start(t, "collector", bin, s.env.Environ(), testproc.CollectorArgs(root)...)
	testproc.WaitReady(t, s.collector, s.env)
	return s
}

// TestForwardsFailuresToSink drives the shipped configuration end to end: Auth0 payloads in
// all three Content Formats go in, and exactly the failure, warning and unknown-type events
// come out of the OTLP destination, mapped as the receiver's contract says.
func TestForwardsFailuresToSink(t *testing.T) {
	samples := loadSamples(t)
	s := startStack(t)

	resp, err := testproc.Client.Get(s.env.HealthURL())
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health check answered %s, want 200", resp.Status)
	}

	// A failure event sent with a bad token: it must be refused before anything is read, and
	// never reach the sink, although the filter would let it through.
	const rejectedID = "90020250603999999999999999999999999999999999999999999999"
	rejected := []byte(`{"log_id":"` + rejectedID + `","data":{"log_id":"` + rejectedID +
		`","date":"2025-06-03T12:00:00.000Z","type":"f","description":"must never arrive"}}`)
	// (Trailing spaces are no test: HTTP strips them from header values before the receiver.)
	badTokens := []string{"", "wrong-token", "Bearer " + testToken, testToken[:len(testToken)-1], strings.ToUpper(testToken)}
	for _, token := range badTokens {
		if a := testproc.MustPost(t, s.env.ReceiverURL(), token, rejected); a.Status != http.StatusUnauthorized {
			t.Errorf("token %q: got %d %s, want 401", token, a.Status, a.Body)
		}
	}

	want := map[string]expectation{}
	filtered := 0
	for _, smp := range samples {
		if a := testproc.MustPost(t, s.env.ReceiverURL(), testToken, smp.body); a.Status != http.StatusOK {
			t.Fatalf("POST %s (%s): got %d %s, want 200", smp.file, smp.format, a.Status, a.Body)
		}
		for _, e := range smp.events {
			if e.Forwarded {
				want[e.LogID] = e
			} else {
				filtered++
			}
		}
	}
	if len(want) == 0 || filtered == 0 {
		t.Fatalf("the samples must hold both forwarded (%d) and filtered (%d) events", len(want), filtered)
	}

	got := waitForSink(t, s, want)

	counts := map[string]int{}
	for _, r := range got {
		uid := testproc.StringAttr(r.Record.Attributes(), "log.record.uid")
		counts[uid]++
		e, ok := want[uid]
		if !ok {
			t.Errorf("event %q (type %q, outcome %q) reached the sink but should not have", uid,
				testproc.StringAttr(r.Record.Attributes(), "auth0.type"), testproc.StringAttr(r.Record.Attributes(), "auth0.outcome"))
			continue
		}
		checkRecord(t, r, e)
	}
	for uid, e := range want {
		if counts[uid] != 1 {
			t.Errorf("event %s (type %s): reached the sink %d times, want once", uid, e.Type, counts[uid])
		}
	}
	t.Logf("sink received %d events; %d sample events were filtered out", len(got), filtered)

	// The collector first, so that nothing is left sending to a sink that has gone.
	terminate(t, s.collector)
	terminate(t, s.sink)
}

// terminate stops p with SIGTERM and wants exit status 0. A process that ended on its own
// before the signal fails the test too: the shutdown under test never happened.
func terminate(t *testing.T, p *testproc.Process) {
	t.Helper()
	if p.Exited() {
		t.Errorf("%s exited before SIGTERM: %s, want it running until stopped", p.Name, testproc.ExitDescription(p.WaitErr()))
		return
	}
	if err := p.Terminate(); err != nil {
		t.Errorf("%s after SIGTERM: %s, want exit status 0", p.Name, testproc.ExitDescription(err))
	}
}

// waitForSink polls the sink's file until every wanted event arrived, then keeps reading for
// settleTime so that late, unwanted events are seen too.
func waitForSink(t *testing.T, s *stack, want map[string]expectation) []testproc.Received {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	var settleUntil time.Time
	for {
		got, err := testproc.ReadSink(s.sinkFile)
		if err != nil {
			t.Fatal(err)
		}
		if settleUntil.IsZero() && containsAll(got, want) {
			settleUntil = time.Now().Add(settleTime)
		}
		if !settleUntil.IsZero() && time.Now().After(settleUntil) {
			return got
		}
		if settleUntil.IsZero() && time.Now().After(deadline) {
			t.Fatalf("after %v the sink holds %d of the %d expected events", deliveryTimeout, countWanted(got, want), len(want))
		}
		if s.collector.Exited() || s.sink.Exited() {
			t.Fatalf("a process exited while waiting for delivery (collector exited: %v, sink exited: %v)",
				s.collector.Exited(), s.sink.Exited())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func containsAll(got []testproc.Received, want map[string]expectation) bool {
	return countWanted(got, want) == len(want)
}

func countWanted(got []testproc.Received, want map[string]expectation) int {
	seen := map[string]bool{}
	for _, r := range got {
		uid := testproc.StringAttr(r.Record.Attributes(), "log.record.uid")
		if _, ok := want[uid]; ok {
			seen[uid] = true
		}
	}
	return len(seen)
}

func checkRecord(t *testing.T, r testproc.Received, e expectation) {
	t.Helper()
	attrs := r.Record.Attributes()
	if v := testproc.StringAttr(attrs, "auth0.type"); v != e.Type {
		t.Errorf("%s: auth0.type = %q, want %q", e.LogID, v, e.Type)
	}
	if v := testproc.StringAttr(attrs, "auth0.outcome"); v != e.Outcome {
		t.Errorf("%s: auth0.outcome = %q, want %q", e.LogID, v, e.Outcome)
	}
	if v := r.Record.EventName(); v != e.EventName {
		t.Errorf("%s: EventName = %q, want %q", e.LogID, v, e.EventName)
	}
	if v := int32(r.Record.SeverityNumber()); v != e.SeverityNumber {
		t.Errorf("%s: SeverityNumber = %d, want %d", e.LogID, v, e.SeverityNumber)
	}
	if v := r.Record.Timestamp().AsTime(); !v.Equal(e.Date) {
		t.Errorf("%s: Timestamp = %s, want data.date %s", e.LogID, v.UTC().Format(time.RFC3339Nano), e.Date.Format(time.RFC3339Nano))
	}
	if v := testproc.StringAttr(r.Resource, "service.name"); v != "auth0" {
		t.Errorf("%s: resource service.name = %q, want auth0", e.LogID, v)
	}
	if v := testproc.StringAttr(r.Resource, "auth0.tenant.name"); v != "acme-prod" {
		t.Errorf("%s: resource auth0.tenant.name = %q, want acme-prod", e.LogID, v)
	}
	// body: event keeps Auth0's whole data object.
	body := r.Record.Body().Map()
	if v, ok := body.Get("log_id"); !ok || v.AsString() != e.LogID {
		t.Errorf("%s: body has no data.log_id; body = %s", e.LogID, r.Record.Body().AsString())
	}
}
