// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package loadgen

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

type batch struct {
	ids  []string
	body []byte
}

// Run sends load until cfg.Events have been handed out, cfg.Duration has
// passed, or ctx is done. When the count or time bound is reached, batches
// already handed to a sender still finish all their attempts, so every
// event sent ends acked or given up. Canceling ctx aborts in-flight
// requests; their events are counted as aborted. The returned error is a
// configuration error or a failure to write acked IDs; delivery failures
// are in the Report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Report{}, err
	}
	r := &runner{cfg: cfg, client: cfg.httpClient(), header: cfg.requestHeader()}
	start := time.Now()

	dispatchCtx := ctx
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		dispatchCtx, cancel = context.WithDeadline(ctx, start.Add(cfg.Duration))
		defer cancel()
	}

	batches := make(chan batch)
	stats := make([]workerStats, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range stats {
		stats[i].status = map[int]int64{}
		wg.Go(func() {
			for b := range batches {
				r.deliver(ctx, b, &stats[i])
			}
		})
	}
	sent := r.dispatch(dispatchCtx, start, batches)
	close(batches)
	wg.Wait()

	rep := merge(stats)
	rep.EventsSent = sent
	rep.Seed = cfg.Seed
	rep.Elapsed = time.Since(start)
	if s := rep.Elapsed.Seconds(); s > 0 {
		rep.AckedPerSecond = float64(rep.EventsAcked) / s
	}
	return rep, r.ackErr
}

type runner struct {
	cfg    Config
	client *http.Client
	header http.Header // every request's: Config.Header, Content-Type, Authorization

	ackMu  sync.Mutex
	ackErr error
}

// dispatch generates batches and hands them to the senders, pacing them
// when a rate is set. It returns the number of events handed out.
func (r *runner) dispatch(ctx context.Context, start time.Time, out chan<- batch) int64 {
	gen := auth0gen.New(r.cfg.Seed, r.cfg.Generator)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var sent int64
	for r.cfg.Events == 0 || sent < int64(r.cfg.Events) {
		if ctx.Err() != nil {
			return sent
		}
		n := r.cfg.BatchSize
		if r.cfg.Events > 0 {
			n = int(min(int64(n), int64(r.cfg.Events)-sent))
		}
		if r.cfg.Rate > 0 {
			// Batch k leaves when the events before it are due, so the
			// average never runs ahead of the rate.
			due := start.Add(time.Duration(float64(sent) / r.cfg.Rate * float64(time.Second)))
			if wait := time.Until(due); wait > 0 {
				if timer == nil {
					timer = time.NewTimer(wait)
				} else {
					timer.Reset(wait)
				}
				select {
				case <-ctx.Done():
					return sent
				case <-timer.C:
				}
				if ctx.Err() != nil {
					return sent
				}
			}
		}
		events := make([]auth0gen.Event, n)
		ids := make([]string, n)
		for i := range events {
			events[i] = gen.Next()
			ids[i] = events[i].LogID
		}
		b := batch{ids: ids, body: auth0gen.Encode(r.cfg.Format, events)}
		select {
		case <-ctx.Done():
			return sent
		case out <- b:
			sent += int64(n)
		}
	}
	return sent
}

func (r *runner) deliver(ctx context.Context, b batch, st *workerStats) {
	n := int64(len(b.ids))
	backoff := r.cfg.Backoff
	for attempt := 1; ; attempt++ {
		status, err := r.post(ctx, b.body, st)
		switch {
		case err == nil && status >= 200 && status < 300:
			st.acked += n
			r.recordAcked(b.ids)
			return
		case ctx.Err() != nil:
			st.aborted += n
			return
		case attempt >= r.cfg.Attempts:
			st.givenUp += n
			return
		}
		st.retries++
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			st.aborted += n
			return
		case <-t.C:
		}
		backoff *= 2
	}
}

func (r *runner) post(ctx context.Context, body []byte, st *workerStats) (int, error) {
	x, err := Send(ctx, r.client, r.cfg.URL, r.header, body)
	st.requests++
	st.bytes += int64(len(body))
	if err != nil {
		if ctx.Err() == nil {
			st.transportErrors++
			st.latencies = append(st.latencies, x.Latency)
		}
		return 0, err
	}
	st.status[x.Status]++
	st.latencies = append(st.latencies, x.Latency)
	return x.Status, nil
}

func (r *runner) recordAcked(ids []string) {
	if r.cfg.Acked == nil {
		return
	}
	size := 0
	for _, id := range ids {
		size += len(id) + 1
	}
	buf := make([]byte, 0, size)
	for _, id := range ids {
		buf = append(buf, id...)
		buf = append(buf, '\n')
	}
	r.ackMu.Lock()
	defer r.ackMu.Unlock()
	if r.ackErr != nil {
		return
	}
	if _, err := r.cfg.Acked.Write(buf); err != nil {
		r.ackErr = errors.Join(errors.New("writing acked log_ids"), err)
	}
}
