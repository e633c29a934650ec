// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package pulltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0emu"
	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

// perRecord lays every record out in a ResourceLogs of its own, with its
// resource and scope, sorted by log.record.uid: plogtest.CompareLogs then
// pairs the same events of two runs however each run chunked them.
func perRecord(chunks []plog.Logs) plog.Logs {
	out := plog.NewLogs()
	for _, ld := range chunks {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					one := out.ResourceLogs().AppendEmpty()
					one.SetSchemaUrl(rl.SchemaUrl())
					rl.Resource().CopyTo(one.Resource())
					in := one.ScopeLogs().AppendEmpty()
					in.SetSchemaUrl(sl.SchemaUrl())
					sl.Scope().CopyTo(in.Scope())
					lr.CopyTo(in.LogRecords().AppendEmpty())
				}
			}
		}
	}
	out.ResourceLogs().Sort(func(a, b plog.ResourceLogs) bool { return recordUID(a) < recordUID(b) })
	return out
}

// recordUID is the log.record.uid of a perRecord ResourceLogs.
func recordUID(rl plog.ResourceLogs) string {
	uid, _ := rl.ScopeLogs().At(0).LogRecords().At(0).Attributes().Get("log.record.uid")
	return uid.Str()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

const pushToken = "pulltest-push-token"

func postEnvelopes(t *testing.T, url string, evs []auth0gen.Event) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(auth0gen.Encode(auth0gen.JSONLines, evs)))
	require.NoError(t, err)
	req.Header.Set("Authorization", pushToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := testClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
}

// TestPushAndPullGiveTheSameRecords: the same auth0gen events, pushed as a
// stream's envelopes to one receiver and pulled from the emulator (bare
// objects with _id) by another, give identical LogRecords.
func TestPushAndPullGiveTheSameRecords(t *testing.T) {
	emu, evs := startEmu(t, auth0emu.Options{}, 300)

	pulled := new(consumertest.LogsSink)
	start(t, config(t, pullOnly(emu, nil)), pulled, memHost(), nil)

	addr := freeAddr(t)
	pushed := new(consumertest.LogsSink)
	start(t, config(t, map[string]any{"endpoint": addr, "authorization_token": pushToken}), pushed, memHost(), nil)
	postEnvelopes(t, "http://"+addr+"/api/logs", evs)

	waitFor(t, 20*time.Second, "300 pulled records", func() bool { return pulled.LogRecordCount() >= len(evs) })
	allOnce(t, pushed, evs)
	allOnce(t, pulled, evs)
	a, b := perRecord(pushed.AllLogs()), perRecord(pulled.AllLogs())
	require.Equal(t, len(evs), a.ResourceLogs().Len())
	require.Equal(t, len(evs), b.ResourceLogs().Len())
	// Resource, scope (name and version), body, attributes, timestamp,
	// severity, flags, trace and span IDs: all but ObservedTimestamp.
	assert.NoError(t, plogtest.CompareLogs(a, b, plogtest.IgnoreObservedTimestamp()))
	for i, rl := range a.ResourceLogs().All() {
		p := rl.ScopeLogs().At(0).LogRecords().At(0)
		q := b.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords().At(0)
		id := recordUID(rl)
		require.Equal(t, id, recordUID(b.ResourceLogs().At(i)))
		assert.Equal(t, p.EventName(), q.EventName(), id) // CompareLogs does not compare it
		assert.NotZero(t, q.Timestamp(), id)
		assert.NotEmpty(t, q.EventName(), id)
	}
}

// TestTokenExpiryMidRun: short-lived tokens are renewed before they expire,
// and a token revoked mid-run (401) is renewed once and the page retried.
func TestTokenExpiryMidRun(t *testing.T) {
	emu, _ := startEmu(t, auth0emu.Options{TokenTTL: 2 * time.Second}, 0)
	sink := new(consumertest.LogsSink)
	start(t, config(t, pullOnly(emu, map[string]any{"page_size": 10, "max_requests_per_second": 10})), sink, memHost(), nil)

	gen := auth0gen.New(11, auth0gen.Options{Start: time.Now().Add(-30 * time.Minute)})
	var all []auth0gen.Event
	deadline := time.Now().Add(7 * time.Second)
	revoked := false
	for time.Now().Before(deadline) {
		batch := make([]auth0gen.Event, 5)
		for i := range batch {
			batch[i] = gen.Next()
		}
		require.NoError(t, emu.Add(batch...))
		all = append(all, batch...)
		if !revoked && time.Until(deadline) < 4*time.Second {
			emu.ExpireTokens()
			revoked = true
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitFor(t, 20*time.Second, "every event", func() bool { return sink.LogRecordCount() >= len(all) })
	allOnce(t, sink, all)
	st := emu.Stats()
	t.Logf("tokens issued=%d, 401s=%d, logs requests=%d, events=%d", st.TokensIssued, st.Served401, st.LogsRequests, len(all))
	assert.GreaterOrEqual(t, st.TokensIssued, 4, "a 2s token over 7s is renewed several times, plus the revoked one")
	assert.GreaterOrEqual(t, st.Served401, 1, "the revoked token was refused")
	assert.LessOrEqual(t, st.Served401, 2, "renewed at once, not retried with the dead token")
}

// TestRateLimitsHonoured: with our budget above the tenant's limit, the
// tenant's 429s are honored (no request before X-RateLimit-Reset); with the
// budget below it, no 429 at all and the rate stays within the budget.
func TestRateLimitsHonoured(t *testing.T) {
	t.Run("tenant limit shared with a neighbor", func(t *testing.T) {
		emu, evs := startEmu(t, auth0emu.Options{RateLimit: 4, RateBurst: 4}, 1500)
		// Another Management API client of the same tenant spends part of the
		// limit, so our X-RateLimit-Remaining does not foresee every 429.
		stopNeighbour := neighbor(t, emu, 4, 700*time.Millisecond)
		sink := new(consumertest.LogsSink)
		start(t, config(t, pullOnly(emu, map[string]any{"page_size": 100, "max_requests_per_second": 20})), sink, memHost(), nil)
		waitFor(t, 60*time.Second, "1500 events", func() bool { return sink.LogRecordCount() >= len(evs) })
		stopNeighbour()
		allOnce(t, sink, evs)
		st := emu.Stats()
		ours := 0
		var mine []auth0emu.Request
		for _, r := range st.Requests {
			if r.Agent != neighbourAgent {
				mine = append(mine, r)
			}
		}
		for _, rej := range st.Rejections {
			if rej.Agent == neighbourAgent {
				continue
			}
			ours++
			for _, r := range mine {
				if r.At.After(rej.At) && r.At.Before(rej.Reset.Add(-50*time.Millisecond)) {
					t.Errorf("our request at %v came before the X-RateLimit-Reset %v of the 429 at %v",
						r.At.Format("15:04:05.000"), rej.Reset.Format("15:04:05"), rej.At.Format("15:04:05.000"))
					break
				}
			}
		}
		t.Logf("429s to us=%d, to the neighbor=%d, our logs requests=%d", ours, len(st.Rejections)-ours, len(mine))
		require.Positive(t, ours, "the shared limit made the tenant refuse us")
	})
	t.Run("our budget below the tenant limit", func(t *testing.T) {
		emu, evs := startEmu(t, auth0emu.Options{RateLimit: 50, RateBurst: 50}, 1000)
		sink := new(consumertest.LogsSink)
		start(t, config(t, pullOnly(emu, map[string]any{"page_size": 50, "max_requests_per_second": 4})), sink, memHost(), nil)
		waitFor(t, 60*time.Second, "1000 events", func() bool { return sink.LogRecordCount() >= len(evs) })
		allOnce(t, sink, evs)
		st := emu.Stats()
		assert.Zero(t, st.Served429)
		n := len(st.Times)
		span := st.Times[n-1].Sub(st.Times[0])
		rate := float64(n-1) / span.Seconds()
		maxWindow := auth0emu.MaxInWindow(st.Times, time.Second)
		t.Logf("%d requests in %v: %.2f/s, at most %d in any 1s window (budget 4/s)", n, span.Round(time.Millisecond), rate, maxWindow)
		assert.LessOrEqual(t, rate, 4.0*1.02)
		assert.LessOrEqual(t, maxWindow, 5, "burst 1: at most budget+1 in a window that catches both ends")
	})
}

const neighbourAgent = "neighbor/1.0"

// neighbor is another client of the tenant's Management API: a burst of
// n search requests every interval; stop ends it (it also ends with the test).
func neighbor(t *testing.T, emu *auth0emu.Server, n int, interval time.Duration) (stop func()) {
	t.Helper()
	resp, err := testClient.PostForm(emu.URL()+"/oauth/token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {auth0emu.DefaultClientID},
		"client_secret": {auth0emu.DefaultClientSecret}, "audience": {"https://" + auth0emu.DefaultDomain + "/api/v2/"},
	})
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for range int(time.Minute / interval) { // at most a minute
			select {
			case <-done:
				return
			case <-tick.C:
			}
			for range n {
				req, _ := http.NewRequest(http.MethodGet, emu.URL()+"/api/v2/logs?per_page=1", nil)
				req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				req.Header.Set("User-Agent", neighbourAgent)
				if r, err := testClient.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, r.Body)
					r.Body.Close()
				}
			}
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { close(done); <-finished }) }
	t.Cleanup(stop)
	return stop
}

// refusing refuses ConsumeLogs with a retryable error until released.
type refusing struct {
	consumertest.LogsSink
	mu      sync.Mutex
	on      bool
	refused int
}

func (r *refusing) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	r.mu.Lock()
	on := r.on
	if on {
		r.refused++
	}
	r.mu.Unlock()
	if on {
		return errors.New("memory limiter: data refused")
	}
	return r.LogsSink.ConsumeLogs(ctx, ld)
}

func (r *refusing) set(on bool) { r.mu.Lock(); r.on = on; r.mu.Unlock() }
func (r *refusing) count() int  { r.mu.Lock(); defer r.mu.Unlock(); return r.refused }

// TestRefusingPipelineSkipsNoPage: the pipeline refuses for a while in the
// middle of a backfill; every event arrives once, none is skipped.
func TestRefusingPipelineSkipsNoPage(t *testing.T) {
	emu, evs := startEmu(t, auth0emu.Options{}, 2000)
	next := &refusing{}
	start(t, config(t, pullOnly(emu, map[string]any{"page_size": 50, "max_requests_per_second": 20})), next, memHost(), nil)
	waitFor(t, 20*time.Second, "some events", func() bool { return next.LogRecordCount() >= 300 })
	next.set(true)
	waitFor(t, 20*time.Second, "refusals", func() bool { return next.count() >= 5 })
	before := next.LogRecordCount()
	time.Sleep(500 * time.Millisecond)
	assert.Equal(t, before, next.LogRecordCount(), "nothing gets through while refused")
	next.set(false)
	waitFor(t, 30*time.Second, "every event", func() bool { return next.LogRecordCount() >= len(evs) })
	allOnce(t, &next.LogsSink, evs)
	t.Logf("refused %d times; %d of %d delivered before the refusals", next.count(), before, len(evs))
}

// TestFaultsAndRetention: 5xx bursts and slow answers cost time, not events;
// a start older than retention warns and starts at the oldest event held.
func TestFaultsAndRetention(t *testing.T) {
	emu := auth0emu.New(auth0emu.Options{
		Retention:  2 * time.Hour,
		ErrorEvery: 4, ErrorBurst: 2,
		SlowEvery: 3, SlowDelay: 300 * time.Millisecond,
	})
	require.NoError(t, emu.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = emu.Close() })
	old, err := emu.Generate(1, 200, auth0gen.Options{Start: time.Now().Add(-5 * time.Hour)}) // beyond retention
	require.NoError(t, err)
	kept, err := emu.Generate(2, 600, auth0gen.Options{Start: time.Now().Add(-90 * time.Minute)})
	require.NoError(t, err)

	core, logs := observer.New(zap.InfoLevel)
	sink := new(consumertest.LogsSink)
	start(t, config(t, pullOnly(emu, map[string]any{"page_size": 25, "start_at": "7d"})), sink, memHost(), zap.New(core))
	waitFor(t, 60*time.Second, "the retained events", func() bool { return sink.LogRecordCount() >= len(kept) })
	allOnce(t, sink, kept)
	got := uids(sink.AllLogs())
	for _, ev := range old {
		require.Zero(t, got[ev.LogID], "an event beyond retention")
	}
	warn := logs.FilterMessageSnippet("the oldest event the tenant still holds")
	require.Equal(t, 1, warn.Len(), "one warning that events before the oldest are gone")
	st := emu.Stats()
	t.Logf("5xx=%d, logs requests=%d", st.Served5xx, st.LogsRequests)
	assert.Positive(t, st.Served5xx)
}

// TestPullOnlyOpensNoPort: with endpoint "" the receiver listens nowhere.
func TestPullOnlyOpensNoPort(t *testing.T) {
	emu, evs := startEmu(t, auth0emu.Options{}, 50)
	before := listeningSockets(t)
	require.Positive(t, before, "the emulator's own listener is counted")
	sink := new(consumertest.LogsSink)
	stop := start(t, config(t, pullOnly(emu, nil)), sink, memHost(), nil)
	waitFor(t, 20*time.Second, "pulled events", func() bool { return sink.LogRecordCount() >= len(evs) })
	assert.Equal(t, before, listeningSockets(t), "a pull-only receiver opens no listening socket")
	stop()

	// The same count check sees a push receiver's listener.
	addr := freeAddr(t)
	start(t, config(t, map[string]any{"endpoint": addr, "authorization_token": pushToken}), consumertest.NewNop(), memHost(), nil)
	assert.Equal(t, before+1, listeningSockets(t))
}

// TestCheckpointResumesAfterRestart: a new receiver on the same storage
// continues after the last accepted event; nothing twice, nothing missed.
func TestCheckpointResumesAfterRestart(t *testing.T) {
	emu, first := startEmu(t, auth0emu.Options{}, 400)
	dir := t.TempDir()
	cfg := config(t, pullOnly(emu, map[string]any{"page_size": 40}))
	sink1 := new(consumertest.LogsSink)
	stop := start(t, cfg, sink1, diskHost(dir), nil)
	waitFor(t, 20*time.Second, "first run", func() bool { return sink1.LogRecordCount() >= len(first) })
	stop()
	allOnce(t, sink1, first)

	second, err := emu.Generate(8, 300, auth0gen.Options{Start: time.Now().Add(-10 * time.Minute)})
	require.NoError(t, err)
	sink2 := new(consumertest.LogsSink)
	start(t, cfg, sink2, diskHost(dir), nil)
	waitFor(t, 20*time.Second, "second run", func() bool { return sink2.LogRecordCount() >= len(second) })
	time.Sleep(300 * time.Millisecond)
	allOnce(t, sink2, second)
}
