// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/status"
)

// The receiver reports a recoverable error once the pipeline has refused
// every request for at least stuckAfter and at least stuckRequests times in
// a row, and OK again at the next request it accepts.
//
// Both conditions, because either alone misfires: a burst of concurrent
// 503s from memory_limiter lasts a second or two and is ordinary
// backpressure (many refusals, little time), and one refusal followed by
// silence is not "every request for a while" (much time, one refusal).
// stuckRequests is Auth0's attempts per batch: by then Auth0 has given up
// on a batch. They are constants rather than settings because they follow
// from how Auth0 delivers, not from the deployment, and health_check and
// the Operator put their own thresholds on top of the reported status.
const (
	stuckAfter    = 30 * time.Second
	stuckRequests = 3
)

// healthTracker turns the pipeline's answers into component status. It
// reports on transitions only, so a refusing pipeline under load sends one
// event, not one per request.
type healthTracker struct {
	host component.Host
	now  func() time.Time

	// streak is true while refusals are counted or an error is reported;
	// accepted requests in the common case read only this.
	streak atomic.Bool

	mu       sync.Mutex
	first    time.Time // first refusal since the last acceptance
	refusals int
	failing  bool
}

func newHealthTracker(host component.Host, now func() time.Time) *healthTracker {
	return &healthTracker{host: host, now: now}
}

// observe records the outcome of one request that reached the pipeline:
// accepted, or refused with err. Events are reported under the lock, so
// the host sees them in the order the transitions happened.
func (h *healthTracker) observe(accepted bool, err error) {
	if accepted && !h.streak.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if accepted {
		h.refusals = 0
		h.streak.Store(false)
		if h.failing {
			h.failing = false
			componentstatus.ReportStatus(h.host, componentstatus.NewEvent(componentstatus.StatusOK))
		}
		return
	}
	now := h.now()
	if h.refusals == 0 {
		h.first = now
		h.streak.Store(true)
	}
	h.refusals++
	if h.failing || h.refusals < stuckRequests || now.Sub(h.first) < stuckAfter {
		return
	}
	h.failing = true
	if err == nil {
		err = errors.New("no error given")
	}
	componentstatus.ReportStatus(h.host, componentstatus.NewRecoverableErrorEvent(fmt.Errorf(
		"the pipeline has refused all %d requests since %s (Auth0 retries each batch and pauses the stream after days of failures); last error: %w",
		h.refusals, h.first.UTC().Format(time.RFC3339), err)))
}

// observePipeline feeds the tracker from a request's ingest result: a
// success is accepted, a pipeline error is refused, and anything else (a
// bad body, a timeout) says nothing about the pipeline and is left out.
func (r *logsReceiver) observePipeline(err error) {
	if r.health == nil {
		return
	}
	var consumeErr *status.ConsumeError
	switch {
	case err == nil:
		r.health.observe(true, nil)
	case errors.As(err, &consumeErr):
		r.health.observe(false, consumeErr.Err)
	}
}
