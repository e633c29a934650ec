// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package reliability

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// TestGracefulShutdown sends SIGTERM while requests are in flight. Each request gets 2xx, a
// non-2xx status or a connection error; every event answered 2xx reaches the sink, delivered
// before the exit or from the persistent queue after a restart. The collector exits 0.
func TestGracefulShutdown(t *testing.T) {
	s := newStack(t)
	s.startSink()
	s.startCollector("collector-1")

	acks := newAckSet()
	tracker := &straddleTransport{base: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	cfg := s.loadConfig(501, acks)
	// One attempt each, so every answer is visible as it was; big batches from many senders
	// keep requests in flight at any moment.
	cfg.Attempts = 1
	cfg.BatchSize = 500
	cfg.Concurrency = 8
	cfg.Duration = 20 * time.Second
	cfg.Client = &http.Client{Transport: tracker, Timeout: 10 * time.Second}
	wait, stopLoad := runLoad(t, cfg)

	if !testproc.WaitUntil(20*time.Second, 20*time.Millisecond, func() bool { return acks.len() >= 5000 }) {
		t.Fatalf("only %d events acknowledged before SIGTERM; want 5000", acks.len())
	}
	tracker.markSignal()
	inFlight := tracker.inFlight.Load()
	err := s.collector.Terminate()
	if err != nil {
		t.Errorf("collector after SIGTERM: %s, want exit status 0", testproc.ExitDescription(err))
	}
	// Requests held back since the signal are aborted now, unsent.
	stopLoad()
	rep := wait()
	st := tracker.straddled()
	t.Logf("shutdown: %d requests in flight at SIGTERM; of the requests sent before it and answered after: %d 2xx, %d non-2xx, %d connection errors",
		inFlight, st.ok, st.refused, st.failed)
	if st.ok+st.refused+st.failed == 0 {
		t.Error("no request was in flight across the SIGTERM: the scenario did not happen")
	}

	acked := acks.list()
	time.Sleep(time.Second) // the sink's file flush
	s.pollSink()
	t.Logf("shutdown: at exit %d of %d acknowledged events were at the sink, the rest in the persistent queue",
		len(acked)-len(s.tally.Missing(acked)), len(acked))
	s.startCollector("collector-2")
	c := s.settle(counts{}, &rep, acked)
	t.Logf("shutdown: %s; statuses %s", c, rep.StatusLine())
}

// straddleTransport records how requests that were sent before the signal ended after it.
type straddleTransport struct {
	base     http.RoundTripper
	signal   atomic.Int64 // UnixNano of SIGTERM, 0 before
	inFlight atomic.Int64

	mu                  sync.Mutex
	ok, refused, failed int
}

type straddle struct{ ok, refused, failed int }

func (s *straddleTransport) markSignal() { s.signal.Store(time.Now().UnixNano()) }

func (s *straddleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now().UnixNano()
	if s.signal.Load() != 0 {
		// A sender that stops when the service goes away, instead of spinning on connection
		// errors until the process has exited.
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	s.inFlight.Add(1)
	resp, err := s.base.RoundTrip(req)
	s.inFlight.Add(-1)
	if sig := s.signal.Load(); sig != 0 && start < sig {
		s.mu.Lock()
		switch {
		case err != nil:
			s.failed++
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			s.ok++
		default:
			s.refused++
		}
		s.mu.Unlock()
	}
	return resp, err
}

func (s *straddleTransport) straddled() straddle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return straddle{s.ok, s.refused, s.failed}
}
