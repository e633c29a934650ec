// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package reliability

import (
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// TestCrashKeepsAcknowledgedEvents kills the collector with SIGKILL while Auth0-like load
// runs and restarts it on the same queue directory: events answered 200 before the crash are
// in the persistent sending queue, and the restarted collector delivers them.
func TestCrashKeepsAcknowledgedEvents(t *testing.T) {
	s := newStack(t)
	s.startSink()
	s.startCollector("collector-1")

	acks := newAckSet()
	cfg := s.loadConfig(101, acks)
	cfg.Duration = 8 * time.Second
	cfg.Rate = 2000
	wait, _ := runLoad(t, cfg)

	// Crash once a good part of the load is acknowledged, so that some of it is still in the
	// exporter's batch (flush_timeout 1s) and queue.
	if !testproc.WaitUntil(20*time.Second, 20*time.Millisecond, func() bool { return acks.len() >= 5000 }) {
		t.Fatalf("only %d events acknowledged before the crash; want 5000", acks.len())
	}
	ackedBeforeCrash := acks.list()
	if err := s.collector.Kill(); err == nil {
		t.Fatal("collector exited 0 on SIGKILL; want killed")
	}
	s.pollSink()
	inFlight := len(s.tally.Missing(ackedBeforeCrash))
	t.Logf("crash: SIGKILL with %d events acknowledged, %d of them not yet at the sink", len(ackedBeforeCrash), inFlight)

	s.startCollector("collector-2")
	rep := wait()
	acked := acks.list()
	if len(acked) <= len(ackedBeforeCrash) {
		t.Errorf("nothing acknowledged after the restart (%d before the crash, %d in all)", len(ackedBeforeCrash), len(acked))
	}

	c := s.settle(counts{}, &rep, acked)
	t.Logf("crash: %s; statuses %s", c, rep.StatusLine())
	if rep.EventsAcked != int64(len(acked)) {
		t.Errorf("load generator counted %d acknowledged events, the ack log holds %d", rep.EventsAcked, len(acked))
	}
}
