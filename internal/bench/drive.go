// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
)

// Request is one prepared POST: its body and how many events it carries.
type Request struct {
	Body   []byte
	Events int
}

// Load describes one timed run against one receiver. The prepared requests
// are sent in order and cycled, so a run may be longer than the pool.
type Load struct {
	URL         string
	ContentType string
	Header      http.Header
	Requests    []Request
	Concurrency int
	// Events and Duration bound the run; whichever is reached first ends
	// it. At least one must be set.
	Events   int
	Duration time.Duration
	// Rate is the target in events/s; 0 sends as fast as the receiver answers.
	Rate float64
}

// Result is what a run saw from the client side.
type Result struct {
	Events    int64 // events in requests answered 200
	Requests  int64
	Failures  int64 // requests answered otherwise or not at all
	FirstErr  string
	Elapsed   time.Duration
	Latencies []time.Duration // sorted, one per request
}

// EventsPerSecond is the acknowledged event rate over the run.
func (r Result) EventsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Events) / r.Elapsed.Seconds()
}

// P99 is the 99th-percentile request latency.
func (r Result) P99() time.Duration { return loadgen.Percentile(r.Latencies, 99) }

// NewClient returns a keep-alive client for concurrency parallel requests,
// as a real sender keeps its connections. Call CloseIdleConnections on its
// transport when done.
func NewClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        concurrency * 2,
			MaxIdleConnsPerHost: concurrency * 2,
			IdleConnTimeout:     30 * time.Second,
		},
	}
}

// Drive runs l with client and returns what it measured. A request that
// fails is not retried: the benchmark wants every failure visible.
func Drive(ctx context.Context, client *http.Client, l Load) (Result, error) {
	if len(l.Requests) == 0 || l.Concurrency < 1 || (l.Events <= 0 && l.Duration <= 0) {
		return Result{}, errors.New("drive: need requests, concurrency >= 1 and an event or time bound")
	}
	// The time bound stops new requests only: one already sent runs to its
	// answer, so the collector's CPU time is never spent on requests the
	// client then leaves uncounted.
	dispatchCtx := ctx
	if l.Duration > 0 {
		var cancel context.CancelFunc
		dispatchCtx, cancel = context.WithTimeout(ctx, l.Duration)
		defer cancel()
	}
	header := l.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", l.ContentType)
	work := make(chan int)
	type worker struct {
		events, requests, failures int64
		firstErr                   string
		lats                       []time.Duration
	}
	ws := make([]worker, l.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range ws {
		wg.Go(func() {
			st := &ws[w]
			for i := range work {
				req := l.Requests[i]
				lat, err := post(ctx, client, l, header, req.Body)
				if ctx.Err() != nil {
					continue // the run was canceled: not a receiver failure
				}
				st.requests++
				st.lats = append(st.lats, lat)
				if err != nil {
					st.failures++
					if st.firstErr == "" {
						st.firstErr = err.Error()
					}
					continue
				}
				st.events += int64(req.Events)
			}
		})
	}
	dispatch(dispatchCtx, l, start, work)
	close(work)
	wg.Wait()

	res := Result{Elapsed: time.Since(start)}
	for _, st := range ws {
		res.Events += st.events
		res.Requests += st.requests
		res.Failures += st.failures
		if res.FirstErr == "" {
			res.FirstErr = st.firstErr
		}
		res.Latencies = append(res.Latencies, st.lats...)
	}
	slices.Sort(res.Latencies)
	if t, ok := client.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	return res, nil
}

// dispatch hands out request indexes until the event bound or ctx ends,
// pacing them when a rate is set: request k leaves when the events before
// it are due.
func dispatch(ctx context.Context, l Load, start time.Time, work chan<- int) {
	var handed int64
	for i := 0; l.Events <= 0 || handed < int64(l.Events); i++ {
		idx := i % len(l.Requests)
		if l.Rate > 0 {
			due := start.Add(time.Duration(float64(handed) / l.Rate * float64(time.Second)))
			if wait := time.Until(due); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case work <- idx:
			handed += int64(l.Requests[idx].Events)
		}
	}
}

// post sends one prepared request; an answer other than 200 is an error that carries the
// start of the answer.
func post(ctx context.Context, client *http.Client, l Load, header http.Header, body []byte) (time.Duration, error) {
	x, err := loadgen.Send(ctx, client, l.URL, header, body)
	if err != nil {
		return x.Latency, err
	}
	if x.Status != http.StatusOK {
		return x.Latency, fmt.Errorf("%s: %s", http.StatusText(x.Status), x.Body)
	}
	return x.Latency, nil
}
