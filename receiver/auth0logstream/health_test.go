// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

// statusHost is a host that records the status events reported to it.
type statusHost struct {
	component.Host
	mu     sync.Mutex
	events []*componentstatus.Event
}

var _ componentstatus.Reporter = (*statusHost)(nil)

func newStatusHost() *statusHost { return &statusHost{Host: componenttest.NewNopHost()} }

func (h *statusHost) Report(e *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

func (h *statusHost) statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]componentstatus.Status, len(h.events))
	for i, e := range h.events {
		out[i] = e.Status()
	}
	return out
}

func (h *statusHost) last() *componentstatus.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		return nil
	}
	return h.events[len(h.events)-1]
}

// fakeClock is advanced by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 6, 3, 8, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var errQueueFull = errors.New("sending queue is full")

func TestHealthTrackerNeedsTimeAndCount(t *testing.T) {
	t.Run("many refusals in a short burst", func(t *testing.T) {
		host, clock := newStatusHost(), newFakeClock()
		h := newHealthTracker(host, clock.now)
		for range 100 {
			h.observe(false, errQueueFull)
			clock.advance(stuckAfter / 200)
		}
		assert.Empty(t, host.statuses(), "a burst shorter than %v is backpressure, not a stuck pipeline", stuckAfter)
	})
	t.Run("few refusals over a long time", func(t *testing.T) {
		host, clock := newStatusHost(), newFakeClock()
		h := newHealthTracker(host, clock.now)
		for range stuckRequests - 1 {
			h.observe(false, errQueueFull)
			clock.advance(10 * stuckAfter)
		}
		assert.Empty(t, host.statuses(), "fewer than %d refusals are not every request for a while", stuckRequests)
		h.observe(false, errQueueFull)
		assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, host.statuses(),
			"the %dth refusal, long after the first, is", stuckRequests)
	})
	t.Run("exactly at the threshold", func(t *testing.T) {
		host, clock := newStatusHost(), newFakeClock()
		h := newHealthTracker(host, clock.now)
		h.observe(false, errQueueFull)
		for range stuckRequests - 2 {
			clock.advance(time.Second)
			h.observe(false, errQueueFull)
		}
		clock.advance(stuckAfter - time.Duration(stuckRequests-2)*time.Second - time.Nanosecond)
		h.observe(false, errQueueFull)
		assert.Empty(t, host.statuses(), "one nanosecond short of %v", stuckAfter)
		clock.advance(time.Nanosecond)
		h.observe(false, errQueueFull)
		assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, host.statuses())
	})
}

// TestHealthTrackerTransitions: one error event when the pipeline gets
// stuck, none while it stays stuck, OK at the first acceptance, nothing
// while it keeps accepting, and an acceptance restarts the count.
func TestHealthTrackerTransitions(t *testing.T) {
	host, clock := newStatusHost(), newFakeClock()
	h := newHealthTracker(host, clock.now)

	h.observe(true, nil)
	assert.Empty(t, host.statuses(), "accepting while healthy reports nothing")

	for range 10 {
		h.observe(false, errQueueFull)
		clock.advance(5 * time.Second)
	}
	require.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, host.statuses())
	ev := host.last()
	require.ErrorIs(t, ev.Err(), errQueueFull, "the event carries the pipeline's error")
	assert.Contains(t, ev.Err().Error(), "the pipeline has refused all")
	assert.Contains(t, ev.Err().Error(), "since 2025-06-03T08:00:00Z")

	h.observe(true, nil)
	h.observe(true, nil)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}, host.statuses())

	// The streak starts again at the next refusal: an acceptance in between
	// restarts the clock, so long-spaced refusals with acceptances between
	// them never add up.
	for range 5 {
		h.observe(false, errQueueFull)
		clock.advance(stuckAfter)
		h.observe(false, errQueueFull)
		h.observe(true, nil)
	}
	assert.Len(t, host.statuses(), 2, "refusals interrupted by acceptances are not a stuck pipeline")

	for range stuckRequests {
		h.observe(false, errQueueFull)
		clock.advance(stuckAfter / time.Duration(stuckRequests-1))
	}
	assert.Equal(t, []componentstatus.Status{
		componentstatus.StatusRecoverableError, componentstatus.StatusOK, componentstatus.StatusRecoverableError,
	}, host.statuses())
}

// TestHealthTrackerConcurrentUse: under concurrent requests (run with
// -race) the events still alternate, error first, whatever the
// interleaving. Acceptances are rare enough that streaks of refusals last
// well over stuckAfter, so errors are reported.
func TestHealthTrackerConcurrentUse(t *testing.T) {
	host, clock := newStatusHost(), newFakeClock()
	h := newHealthTracker(host, clock.now)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 1000 {
				h.observe(i%200 == 199, errQueueFull)
				clock.advance(3 * time.Second)
			}
		})
	}
	wg.Wait()
	h.observe(true, nil)
	statuses := host.statuses()
	require.NotEmpty(t, statuses)
	for i, s := range statuses {
		if i%2 == 0 {
			assert.Equal(t, componentstatus.StatusRecoverableError, s, "event %d", i)
		} else {
			assert.Equal(t, componentstatus.StatusOK, s, "event %d", i)
		}
	}
	assert.Equal(t, componentstatus.StatusOK, statuses[len(statuses)-1], "the last acceptance reports OK")
	t.Logf("%d status events", len(statuses))
}

// TestReceiverReportsStuckPipeline drives a real receiver: a pipeline that
// refuses every request for long enough makes it report a recoverable
// error; requests refused for other reasons (token, body) change nothing;
// the first accepted request reports OK.
func TestReceiverReportsStuckPipeline(t *testing.T) {
	// 0 accepts, 1 refuses (retryable), 2 refuses permanently.
	var mode atomic.Int32
	mode.Store(1)
	next, err := consumer.NewLogs(func(context.Context, plog.Logs) error {
		switch mode.Load() {
		case 1:
			return errQueueFull
		case 2:
			return consumererror.NewPermanent(errors.New("rejected by the destination"))
		}
		return nil
	})
	require.NoError(t, err)
	cfg := testConfig(t)
	rcv, err := newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), next)
	require.NoError(t, err)
	clock := newFakeClock()
	rcv.now = clock.now
	host := newStatusHost()
	require.NoError(t, rcv.Start(context.Background(), host))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, rcv.Shutdown(ctx))
	})
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint + cfg.Path

	for range stuckRequests + 2 {
		resp := post(t, url, testToken, jsonLines(envelope("h-1", "f")))
		require.Equal(t, http.StatusServiceUnavailable, resp.status)
		clock.advance(stuckAfter / 4)
	}
	require.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, host.statuses())
	assert.ErrorIs(t, host.last().Err(), errQueueFull)

	// Neither a wrong token nor a bad body says the pipeline works again.
	assert.Equal(t, http.StatusUnauthorized, post(t, url, "wrong", jsonLines(envelope("h-2", "f"))).status)
	assert.Equal(t, http.StatusBadRequest, post(t, url, testToken, jsonLines("")).status)
	mode.Store(0)
	assert.Len(t, host.statuses(), 1)

	resp := post(t, url, testToken, jsonLines(envelope("h-3", "f")))
	require.Equal(t, http.StatusOK, resp.status, resp.body)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}, host.statuses())

	// A permanent refusal is a refusal too.
	mode.Store(2)
	for range stuckRequests {
		clock.advance(stuckAfter)
		assert.Equal(t, http.StatusBadRequest, post(t, url, testToken, jsonLines(envelope("h-4", "f"))).status)
	}
	assert.Equal(t, componentstatus.StatusRecoverableError, host.last().Status())
}
