// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package reliability

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// TestDownstreamOutage stops the sink under load and brings it back on the same port: the
// receiver keeps acknowledging into the persistent queue, and the queue drains when the sink
// returns. With a queue small enough to fill during the outage, the receiver answers 503 with
// Retry-After instead of 200, and still nothing acknowledged is lost.
func TestDownstreamOutage(t *testing.T) {
	t.Run("sink down then back", func(t *testing.T) {
		s := newStack(t)
		s.startSink()
		s.startCollector("collector")

		acks := newAckSet()
		cfg := s.loadConfig(201, acks)
		cfg.Duration = 9 * time.Second
		cfg.Rate = 1500
		wait, _ := runLoad(t, cfg)

		time.Sleep(2 * time.Second)
		s.stopSink()
		ackedAtStop := acks.len()
		time.Sleep(4 * time.Second)
		ackedDuringOutage := acks.len() - ackedAtStop
		s.startSink()
		t.Logf("outage: %d events acknowledged while the sink was down (4s)", ackedDuringOutage)
		if ackedDuringOutage == 0 {
			t.Error("nothing was acknowledged during the outage: the persistent queue should absorb it")
		}

		rep := wait()
		acked := acks.list()
		c := s.settle(counts{}, &rep, acked)
		t.Logf("outage: %s; statuses %s", c, rep.StatusLine())
	})

	t.Run("queue full", func(t *testing.T) {
		// 300 items, batches of 100: the queue holds three requests' worth.
		s := newStack(t, smallQueue...)
		s.startSink()
		s.stopSink()
		s.startCollector("collector")

		acks := newAckSet()
		full := fillQueue(t, s, acks, 300)
		if full.RetryAfter != "5" {
			t.Errorf("503 Retry-After = %q, want \"5\" (retry_after: 5s)", full.RetryAfter)
		}
		var errBody struct{ Error string }
		if err := json.Unmarshal([]byte(full.Body), &errBody); err != nil || errBody.Error == "" {
			t.Errorf("503 body %q: want JSON {\"error\": ...}", full.Body)
		}
		t.Logf("queue full: %d events acknowledged before the first 503: %s", acks.len(), full.Body)

		// Auth0-like load against the full queue: every answer is 503, none a 200 that is lost.
		cfg := s.loadConfig(202, acks)
		cfg.Events = 2000
		cfg.Backoff = 200 * time.Millisecond
		wait, _ := runLoad(t, cfg)
		rep := wait()
		if rep.StatusCounts[http.StatusServiceUnavailable] == 0 {
			t.Errorf("no 503 while the queue was full; statuses %s", rep.StatusLine())
		}

		s.startSink()
		acked := acks.list()
		c := s.settle(counts{sent: int64(full.posted), refused: 1}, &rep, acked)
		t.Logf("queue full (direct posts and load): %s; load statuses %s", c, rep.StatusLine())
	})
}

// smallQueue shrinks the sending queue to 300 items so that an outage fills it in seconds.
var smallQueue = []string{
	"exporters::otlp_http::sending_queue::queue_size: 300",
	"exporters::otlp_http::sending_queue::batch::min_size: 100",
	"exporters::otlp_http::sending_queue::batch::max_size: 100",
}

// fillQueue posts batches of 100 with the sink down until the receiver answers 503, and
// returns that answer with the refused batch. Acknowledged IDs go to acks; the queue must fill
// within a few times its capacity (the exporter holds some items in flight).
func fillQueue(t *testing.T, s *stack, acks *ackSet, capacity int) refusal {
	t.Helper()
	posted := 0
	for i := range 3*capacity/100 + 10 {
		body, ids := batch(int64(9000+i), 100)
		a := post(t, s.receiverURL(), body)
		posted += len(ids)
		switch a.Status {
		case http.StatusOK:
			acks.add(ids...)
		case http.StatusServiceUnavailable:
			return refusal{Answer: a, batch: body, ids: ids, posted: posted}
		default:
			t.Fatalf("POST %d answered %d %s, want 200 or 503", i, a.Status, a.Body)
		}
	}
	t.Fatalf("the receiver never answered 503 with the sink down and a %d-item queue (%d events acknowledged)", capacity, acks.len())
	return refusal{}
}

// refusal is the first 503 answer and the batch it refused.
type refusal struct {
	testproc.Answer
	batch  []byte
	ids    []string
	posted int // events posted up to and including the refused batch
}
