// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package reliability

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// TestMemoryPressure makes memory_limiter refuse. With a limit far below the collector's
// heap, every request is answered 503 with Retry-After. With a limit between the idle heap
// (about 6 MiB) and the heap under heavy load (about 100 MiB on the development machine), the
// collector alternates between accepting and refusing, and every acknowledged event still
// reaches the sink.
func TestMemoryPressure(t *testing.T) {
	t.Run("always above the limit", func(t *testing.T) {
		s := newStack(t,
			"processors::memory_limiter::check_interval: 100ms",
			"processors::memory_limiter::limit_mib: 2",
			"processors::memory_limiter::spike_limit_mib: 1")
		s.startSink()
		s.startCollector("collector")

		// The first check runs one check_interval after start; until then data passes.
		acks := newAckSet()
		var refused testproc.Answer
		posted, refusals := 0, 0
		ok := testproc.WaitUntil(10*time.Second, 100*time.Millisecond, func() bool {
			body, ids := batch(int64(3000+posted), 10)
			posted++
			a := post(t, s.receiverURL(), body)
			switch a.Status {
			case http.StatusOK:
				acks.add(ids...)
				return false
			case http.StatusServiceUnavailable:
				refusals++
				refused = a
				return true
			}
			t.Fatalf("answered %d %s, want 200 or 503", a.Status, a.Body)
			return false
		})
		if !ok {
			t.Fatal("memory_limiter with limit_mib 2 never refused within 10s")
		}
		if refused.RetryAfter != "5" {
			t.Errorf("503 Retry-After = %q, want \"5\"", refused.RetryAfter)
		}
		if !strings.Contains(refused.Body, "memory") {
			t.Errorf("503 body %q does not say memory is the reason", refused.Body)
		}
		t.Logf("memory: refusal body %s", refused.Body)

		cfg := s.loadConfig(301, acks)
		cfg.Events = 1000
		cfg.Backoff = 100 * time.Millisecond
		wait, _ := runLoad(t, cfg)
		rep := wait()
		if rep.EventsAcked != 0 {
			t.Errorf("%d events acknowledged while memory is always above the limit; want none", rep.EventsAcked)
		}

		acked := acks.list()
		c := s.settle(counts{sent: int64(posted * 10), refused: int64(refusals)}, &rep, acked)
		t.Logf("memory (limit_mib 2): %s; load statuses %s", c, rep.StatusLine())
	})

	t.Run("intermittently above the limit", func(t *testing.T) {
		// Soft limit 40 MiB, hard limit 60 MiB.
		s := newStack(t,
			"processors::memory_limiter::check_interval: 100ms",
			"processors::memory_limiter::limit_mib: 60",
			"processors::memory_limiter::spike_limit_mib: 20")
		s.startSink()
		s.startCollector("collector")

		acks := newAckSet()
		cfg := s.loadConfig(302, acks)
		cfg.BatchSize = 1000
		cfg.Concurrency = 6
		cfg.Events = 40000
		cfg.Duration = 10 * time.Second
		wait, _ := runLoad(t, cfg)
		rep := wait()
		if rep.StatusCounts[http.StatusServiceUnavailable] == 0 {
			t.Errorf("memory_limiter never refused under load; statuses %s", rep.StatusLine())
		}
		if rep.EventsAcked == 0 {
			t.Errorf("nothing acknowledged: the limit is meant to refuse only under load; statuses %s", rep.StatusLine())
		}

		acked := acks.list()
		c := s.settle(counts{}, &rep, acked)
		t.Logf("memory (limit_mib 60, spike 20): %s; statuses %s", c, rep.StatusLine())
	})
}
