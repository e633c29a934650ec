// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package fleet

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// run is one load generator run and what it acknowledged.
type run struct {
	name      string
	report    loadgen.Report
	acked     []string
	forwarded []string // acked and kept by filter/failures, so due at the sink
	// CPU seconds from the first request until the sink had everything: receiving,
	// persisting and exporting, summed over the replicas; and nginx's.
	collectorCPU, nginxCPU float64
}

// drive sends load like an Auth0 log stream (3 attempts per batch, growing backoff) and
// waits until the sink has every acknowledged event the filter forwards.
func (f *fleet) drive(t *testing.T, name string, cfg loadgen.Config) run {
	t.Helper()
	collectorBefore, nginxBefore := f.cpu(t)
	r := f.load(t, name, cfg)
	f.waitDelivered(t, r)
	collectorAfter, nginxAfter := f.cpu(t)
	r.collectorCPU, r.nginxCPU = collectorAfter-collectorBefore, nginxAfter-nginxBefore
	return r
}

func (f *fleet) cpu(t *testing.T) (collectors, nginx float64) {
	t.Helper()
	for _, r := range f.replicas {
		s, err := testproc.CPUSeconds(r.proc.Pid())
		if err != nil {
			t.Fatal(err)
		}
		collectors += s
	}
	// nginx's master only waits; its one worker, in the same process group, does the work.
	s, err := testproc.GroupCPUSeconds(f.nginx.Pid())
	if err != nil {
		t.Fatal(err)
	}
	return collectors, s
}

func (f *fleet) load(t *testing.T, name string, cfg loadgen.Config) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Duration+time.Minute)
	defer cancel()
	rep, acked, err := runLoad(ctx, cfg)
	if err != nil {
		t.Fatalf("%s: load generator: %v", name, err)
	}
	return f.account(t, name, cfg, rep, acked)
}

func runLoad(ctx context.Context, cfg loadgen.Config) (loadgen.Report, []string, error) {
	var ackedBuf bytes.Buffer
	cfg.Token = testToken
	cfg.Concurrency = concurrency
	cfg.BatchSize = batchSize
	cfg.Attempts = 3
	cfg.Backoff = 200 * time.Millisecond
	cfg.Timeout = 10 * time.Second
	cfg.DisableKeepAlives = true
	cfg.Acked = &ackedBuf
	rep, err := loadgen.Run(ctx, cfg)
	return rep, strings.Fields(ackedBuf.String()), err
}

// account regenerates the events the run sent (same seed and options give the same events)
// to know which acknowledged ones filter/failures forwards: failures and warnings.
func (f *fleet) account(t *testing.T, name string, cfg loadgen.Config, rep loadgen.Report, acked []string) run {
	t.Helper()
	gen := auth0gen.New(cfg.Seed, cfg.Generator)
	for range rep.EventsSent {
		e := gen.Next()
		if _, seen := f.generated[e.LogID]; seen {
			t.Fatalf("%s: log_id %s was already sent by an earlier run: give each run its own seed", name, e.LogID)
		}
		f.generated[e.LogID] = e.Outcome == auth0gen.Failure || e.Outcome == auth0gen.Warning
	}
	r := run{name: name, report: rep, acked: acked}
	for _, id := range acked {
		fwd, ok := f.generated[id]
		if !ok {
			t.Fatalf("%s: acknowledged log_id %s was never generated", name, id)
		}
		if fwd {
			r.forwarded = append(r.forwarded, id)
		}
	}
	t.Logf("%s: sent %d, acknowledged %d (%d forwarded by the filter), given up %d, aborted %d, requests %d, retries %d, status %v, %.0f acked/s",
		name, rep.EventsSent, rep.EventsAcked, len(r.forwarded), rep.EventsGivenUp, rep.EventsAborted,
		rep.Requests, rep.Retries, rep.StatusCounts, rep.AckedPerSecond)
	if int64(len(acked)) != rep.EventsAcked {
		t.Fatalf("%s: %d acknowledged log_ids written, report says %d", name, len(acked), rep.EventsAcked)
	}
	if rep.EventsGivenUp != 0 || rep.EventsAborted != 0 {
		t.Errorf("%s: %d events given up after 3 attempts and %d aborted; want every event accepted",
			name, rep.EventsGivenUp, rep.EventsAborted)
	}
	return r
}

// waitDelivered polls the sink until every forwarded acknowledged log_id arrived.
func (f *fleet) waitDelivered(t *testing.T, r run) {
	t.Helper()
	f.sink.WaitDelivered(t, r.forwarded, deliveryTimeout)
}

// checkClean: with nothing failing, a run must not produce duplicates. Every duplicate the
// crash run shows is then down to the crash.
func (f *fleet) checkClean(t *testing.T, r run) {
	t.Helper()
	delivered, extra := f.sink.Delivery(r.forwarded)
	t.Logf("%s: delivered %d, duplicates %d", r.name, delivered, extra)
	if r.report.Retries == 0 && extra != 0 {
		t.Errorf("%s: %d duplicates at the sink although no batch was retried", r.name, extra)
	}
}
