// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package reliability

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// TestRetriesAndDuplicates covers Auth0's retries: a batch the receiver accepted but whose
// answer the client never saw comes again, and must not reach the sink twice while its IDs
// are in the per-instance dedup window; a batch answered 503 must be accepted when retried.
func TestRetriesAndDuplicates(t *testing.T) {
	t.Run("accepted then retried", func(t *testing.T) {
		s := newStack(t)
		s.startSink()
		s.startCollector("collector")
		acks := newAckSet()

		// The same batch twice: as if the first 200 was lost to a client timeout.
		body, ids := batch(401, 100)
		first := post(t, s.receiverURL(), body)
		second := post(t, s.receiverURL(), body)
		if first.Status != http.StatusOK || second.Status != http.StatusOK {
			t.Fatalf("answers %d %s and %d %s, want 200 twice", first.Status, first.Body, second.Status, second.Body)
		}
		if got := decodeAccepted(t, second.Body); got.Accepted != 0 || got.Duplicates != len(ids) {
			t.Errorf("retry answered %s, want accepted=0 duplicates=%d", second.Body, len(ids))
		}
		acks.add(ids...)

		// Load whose client loses every third answer after the receiver has sent it, as a
		// client timeout would, and retries the batch like Auth0.
		lossy := &lossyTransport{base: &http.Transport{DisableKeepAlives: true, Proxy: nil}, every: 3}
		cfg := s.loadConfig(402, acks)
		cfg.Events = 6000
		cfg.Client = &http.Client{Transport: lossy, Timeout: 10 * time.Second}
		wait, _ := runLoad(t, cfg)
		rep := wait()

		acked := acks.list()
		c := s.settle(counts{sent: int64(2 * len(ids))}, &rep, acked)
		dedup := s.duplicatesDropped(t)
		lost := lossy.lostAccepted.Load()
		t.Logf("retries: %s; %d answers 200 lost on the way back, load retries=%d; receiver dropped %d duplicate events",
			c, lost, rep.Retries, dedup)
		if lost == 0 {
			t.Error("no answer was lost: the scenario did not happen")
		}
		// Each lost 200 was retried with the same events, all already accepted, except a
		// lost answer to a batch's last attempt: the client gave that batch up instead.
		givenUpBatches := rep.EventsGivenUp / int64(cfg.BatchSize)
		if want := int64(len(ids)) + int64(cfg.BatchSize)*(lost-givenUpBatches); dedup < want {
			t.Errorf("receiver reports %d duplicate events, want at least %d (repeated batch plus %d retried lost answers)",
				dedup, want, lost-givenUpBatches)
		}
		if c.duplicates != 0 {
			t.Errorf("%d duplicate records reached the sink; want none within the dedup window", c.duplicates)
		}
	})

	t.Run("refused then accepted on retry", func(t *testing.T) {
		s := newStack(t, smallQueue...)
		s.startSink()
		s.stopSink()
		s.startCollector("collector")
		acks := newAckSet()
		refused := fillQueue(t, s, acks, 300)

		s.startSink()
		// Auth0 would retry after Retry-After; here until the queue has drained, bounded.
		attempts := 1
		var last testproc.Answer
		ok := testproc.WaitUntil(60*time.Second, 500*time.Millisecond, func() bool {
			attempts++
			last = post(t, s.receiverURL(), refused.batch)
			return last.Status == http.StatusOK
		})
		if !ok {
			t.Fatalf("the refused batch was still not accepted after 60s (last answer %d %s)", last.Status, last.Body)
		}
		if got := decodeAccepted(t, last.Body); got.Accepted != len(refused.ids) || got.Duplicates != 0 {
			t.Errorf("retry answered %s, want accepted=%d duplicates=0: a 503 must not leave IDs in the dedup window", last.Body, len(refused.ids))
		}
		acks.add(refused.ids...)

		acked := acks.list()
		c := s.settle(counts{sent: int64(refused.posted), refused: int64(attempts - 1)}, nil, acked)
		t.Logf("refused then retried: %s; refused batch accepted on attempt %d", c, attempts)
		for _, id := range refused.ids {
			if n := s.tally.Counts[id]; n != 1 {
				t.Errorf("event %s of the refused batch reached the sink %d times, want once", id, n)
				break
			}
		}
	})
}

// lossyTransport delivers every request, then pretends that every n-th answer never came
// back: the server has accepted the batch, the client sees a timeout and retries it.
type lossyTransport struct {
	base         http.RoundTripper
	every        int64
	n            atomic.Int64
	lostAccepted atomic.Int64
}

func (l *lossyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err != nil || l.n.Add(1)%l.every != 0 {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		l.lostAccepted.Add(1)
	}
	return nil, errors.New("simulated client timeout: the answer was lost")
}

type acceptedAnswer struct {
	Accepted, Duplicates, Malformed int
}

func decodeAccepted(t *testing.T, body string) acceptedAnswer {
	t.Helper()
	var a acceptedAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("200 body %q: %v", body, err)
	}
	return a
}

// duplicatesDropped reads the receiver's duplicate counter from the collector's own metrics.
func (s *stack) duplicatesDropped(t *testing.T) int64 {
	t.Helper()
	m, err := testproc.ScrapeCounter(t.Context(), s.env.MetricsURL(), "otelcol_receiver_auth0logstream_duplicate_events", "")
	if err != nil {
		t.Fatalf("collector metrics: %v", err)
	}
	if len(m) == 0 {
		t.Fatal("the collector's metrics have no otelcol_receiver_auth0logstream_duplicate_events")
	}
	return int64(m[""])
}
