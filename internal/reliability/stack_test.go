// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package reliability

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const (
	testToken = "reliability-stream-token-41b9"
	// How long acknowledged events may take to reach the sink once it is up: the exporter's
	// retry backoff after an outage grows to several seconds, plus batch and file flushes.
	deliveryTimeout = 90 * time.Second
	// After everything expected arrived, how long to keep reading for late duplicates.
	settleTime = 2 * time.Second
)

// stack is one sink and one collector whose addresses and queue directory stay fixed across
// restarts, so a restarted process takes over exactly where the previous one stopped.
type stack struct {
	t         *testing.T
	bin, root string
	overrides []string

	sinkAddr string
	env      testproc.CollectorEnv

	sink      *testproc.Process
	collector *testproc.Process
	sinkRuns  int
	tally     *testproc.Tally // what every sink run wrote
}

// newStack prepares a stack; overrides are inline YAML merged over otelcol-config.yaml, as in
// `--config 'yaml:processors::memory_limiter::limit_mib: 2'`.
func newStack(t *testing.T, overrides ...string) *stack {
	t.Helper()
	bin := testproc.Collector(t)
	addrs := testproc.FreeAddrs(t, 4)
	return &stack{
		t: t, bin: bin, root: testproc.RepoRoot(t), overrides: overrides,
		sinkAddr: addrs[0],
		env:      testproc.CollectorEnvOn(addrs[1:], testToken, addrs[0], t.TempDir()),
		tally:    testproc.NewTally(),
	}
}

func (s *stack) receiverURL() string { return s.env.ReceiverURL() }

// startSink starts a sink on the stack's fixed address. Each run writes a file of its own, so
// that a restart never truncates what the previous run received.
func (s *stack) startSink() {
	s.t.Helper()
	s.sinkRuns++
	file := filepath.Join(s.t.TempDir(), fmt.Sprintf("received-%d.jsonl", s.sinkRuns))
	s.tally.AddFile(file)
	env, args := testproc.SinkCommand(s.root, s.sinkAddr, file)
	s.sink = testproc.Start(s.t, fmt.Sprintf("sink-%d", s.sinkRuns), s.bin, env, args...)
	testproc.WaitListening(s.t, s.sink, s.sinkAddr)
}

// stopSink stops the sink gracefully, so that what it acknowledged is in its file.
func (s *stack) stopSink() {
	s.t.Helper()
	if err := s.sink.Terminate(); err != nil {
		s.t.Fatalf("sink after SIGTERM: %s", testproc.ExitDescription(err))
	}
}

// startCollector starts the production configuration on the stack's queue directory.
func (s *stack) startCollector(name string) *testproc.Process {
	s.t.Helper()
	s.collector = testproc.Start(s.t, name, s.bin, s.env.Environ(), testproc.CollectorArgs(s.root, s.overrides...)...)
	testproc.WaitReady(s.t, s.collector, s.env)
	return s.collector
}

// pollSink reads what the sink wrote since the last poll.
func (s *stack) pollSink() {
	s.t.Helper()
	if _, err := s.tally.Poll(); err != nil {
		s.t.Fatal(err)
	}
}

// waitDelivered polls the sink until every acknowledged log_id is there, then reads for
// settleTime more so that late duplicates are counted too.
func (s *stack) waitDelivered(acked []string) {
	s.t.Helper()
	s.tally.WaitDelivered(s.t, acked, deliveryTimeout, s.sink, s.collector)
	time.Sleep(settleTime)
	s.pollSink()
}

// ackSet collects acknowledged log_ids; loadgen writes whole lines per call.
type ackSet struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

func newAckSet() *ackSet { return &ackSet{ids: map[string]struct{}{}} }

func (a *ackSet) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for line := range strings.Lines(string(p)) {
		if id := strings.TrimSpace(line); id != "" {
			a.ids[id] = struct{}{}
		}
	}
	return len(p), nil
}

func (a *ackSet) add(ids ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		a.ids[id] = struct{}{}
	}
}

func (a *ackSet) len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.ids)
}

func (a *ackSet) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.ids))
	for id := range a.ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// failuresOnly makes every generated event a failure, so filter/failures forwards all of them
// and "acknowledged" and "must reach the sink" are the same set.
var failuresOnly = auth0gen.Options{FailureRatio: 1}

// loadConfig is an Auth0-like stream: batches of 100, three attempts, keep-alives off.
func (s *stack) loadConfig(seed int64, acks *ackSet) loadgen.Config {
	return loadgen.Config{
		URL:               s.receiverURL(),
		Token:             testToken,
		Format:            auth0gen.JSONArray,
		BatchSize:         100,
		Concurrency:       4,
		Seed:              seed,
		Generator:         failuresOnly,
		Attempts:          3,
		Backoff:           500 * time.Millisecond,
		Timeout:           10 * time.Second,
		DisableKeepAlives: true,
		Acked:             acks,
	}
}

// runLoad starts a load run in the background; wait returns its report. stop cancels the run
// (requests in flight are aborted, and their events count as aborted, never as acknowledged).
func runLoad(t *testing.T, cfg loadgen.Config) (wait func() loadgen.Report, stop func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	done := make(chan struct{})
	var rep loadgen.Report
	var err error
	go func() {
		defer close(done)
		rep, err = loadgen.Run(ctx, cfg)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	wait = func() loadgen.Report {
		t.Helper()
		<-done
		if err != nil {
			t.Fatalf("load run: %v", err)
		}
		return rep
	}
	return wait, cancel
}

// batch is a request body of n generated failure events and their log_ids.
func batch(seed int64, n int) ([]byte, []string) {
	gen := auth0gen.New(seed, failuresOnly)
	events := make([]auth0gen.Event, n)
	ids := make([]string, n)
	for i := range events {
		events[i] = gen.Next()
		ids[i] = events[i].LogID
	}
	return auth0gen.Encode(auth0gen.JSONArray, events), ids
}

// post sends one request the way Auth0 does; a transport error fails the test.
func post(t *testing.T, url string, body []byte) testproc.Answer {
	t.Helper()
	return testproc.MustPost(t, url, testToken, body)
}

// counts is what every scenario prints.
type counts struct {
	sent, acked, refused, givenUp, aborted, transportErrors int64
	delivered, sinkRecords, duplicates                      int
}

func (c counts) String() string {
	return fmt.Sprintf("sent=%d acknowledged(2xx)=%d refused(non-2xx responses)=%d given_up=%d aborted=%d transport_errors=%d delivered=%d sink_records=%d duplicates=%d",
		c.sent, c.acked, c.refused, c.givenUp, c.aborted, c.transportErrors, c.delivered, c.sinkRecords, c.duplicates)
}

// addReport adds a load run's numbers.
func (c *counts) addReport(rep loadgen.Report) {
	c.sent += rep.EventsSent
	c.givenUp += rep.EventsGivenUp
	c.aborted += rep.EventsAborted
	c.transportErrors += rep.TransportErrors
	for code, n := range rep.StatusCounts {
		if code < 200 || code > 299 {
			c.refused += n
		}
	}
}

// settle waits until every acknowledged log_id has reached the sink, then completes c with
// the load report (nil when the scenario posted by hand) and what the sink holds.
func (s *stack) settle(c counts, rep *loadgen.Report, acked []string) counts {
	s.waitDelivered(acked)
	if rep != nil {
		c.addReport(*rep)
	}
	c.finish(s, acked)
	return c
}

func (c *counts) finish(s *stack, acked []string) {
	c.acked = int64(len(acked))
	c.delivered, _ = s.tally.Delivery(acked)
	c.sinkRecords = s.tally.Records
	c.duplicates = s.tally.Duplicates()
}
