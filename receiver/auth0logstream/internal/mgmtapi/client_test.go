// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package mgmtapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

const (
	testID     = "client-id-1"
	testSecret = "very-secret-client-secret-9f1e"
	testDomain = "tenant.example.test"
)

// script is a scripted tenant: each request to /api/v2/logs takes the next
// handler; token requests are answered by token (default: a fresh token).
type script struct {
	t       *testing.T
	mu      sync.Mutex
	logs    []http.HandlerFunc
	token   http.HandlerFunc
	served  int
	tokens  int
	forms   []url.Values
	bearers []string
	times   []time.Time
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	switch r.URL.Path {
	case "/oauth/token":
		s.tokens++
		n := s.tokens
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		s.forms = append(s.forms, form)
		h := s.token
		s.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		writeJSONTest(w, 200, map[string]any{"access_token": "tok-" + strconv.Itoa(n), "token_type": "Bearer", "expires_in": 86400})
	case "/api/v2/logs":
		s.bearers = append(s.bearers, r.Header.Get("Authorization"))
		if s.served >= len(s.logs) {
			s.mu.Unlock()
			s.t.Errorf("unscripted logs request %d: %s", s.served+1, r.URL)
			http.Error(w, "unscripted", http.StatusInternalServerError)
			return
		}
		h := s.logs[s.served]
		s.served++
		s.mu.Unlock()
		h(w, r)
	default:
		s.mu.Unlock()
		http.NotFound(w, r)
	}
}

func writeJSONTest(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func events(ids ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteByte('[')
		for i, id := range ids {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"date":"2025-01-15T10:30:00.%03dZ","type":"fp","log_id":%q,"_id":%q}`, i, id, id)
		}
		b.WriteByte(']')
		w.Header().Set("Link", "<http://"+r.Host+"/api/v2/logs?from="+lastOr(ids, r.URL.Query().Get("from"))+"&take=2>; rel=\"next\"")
		_, _ = io.WriteString(w, b.String())
	}
}

func lastOr(ids []string, def string) string {
	if len(ids) == 0 {
		return def
	}
	return ids[len(ids)-1]
}

func status(code int, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		writeJSONTest(w, code, map[string]any{"statusCode": code, "error": http.StatusText(code), "message": "scripted " + strconv.Itoa(code)})
	}
}

// fakeTime replaces the client's clock and sleeps: sleeps advance the clock
// and are recorded, so waits can be asserted without waiting.
type fakeTime struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeTime) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

func newTestClient(t *testing.T, s *script, mod func(*Settings)) (*Client, *fakeTime) {
	t.Helper()
	s.t = t
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	set := Settings{
		BaseURL:           srv.URL,
		Audience:          "https://" + testDomain + "/api/v2/",
		ClientID:          testID,
		ClientSecret:      testSecret,
		RequestsPerSecond: 1000,
		Transport:         &http.Transport{DisableKeepAlives: true},
		BackoffInitial:    time.Second,
		BackoffMax:        8 * time.Second,
	}
	if mod != nil {
		mod(&set)
	}
	c, err := New(set)
	require.NoError(t, err)
	ft := &fakeTime{now: time.Unix(1_750_000_000, 0)}
	c.now, c.sleep = ft.Now, ft.Sleep
	return c, ft
}

func TestTokenGrantAndCache(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{events("9001", "9002"), events()}}
	c, _ := newTestClient(t, s, nil)
	ctx := context.Background()
	p, err := c.Fetch(ctx, Cursor{From: "9000", Take: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"9001", "9002"}, p.LogIDs)
	_, err = c.Fetch(ctx, Cursor{Next: p.Next})
	require.NoError(t, err)

	require.Equal(t, 1, s.tokens, "the token is cached between calls")
	f := s.forms[0]
	assert.Equal(t, "client_credentials", f.Get("grant_type"))
	assert.Equal(t, testID, f.Get("client_id"))
	assert.Equal(t, testSecret, f.Get("client_secret"))
	assert.Equal(t, "https://"+testDomain+"/api/v2/", f.Get("audience"))
	assert.Equal(t, []string{"Bearer tok-1", "Bearer tok-1"}, s.bearers)
}

func TestTokenRenewedShortlyBeforeExpiry(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{events("1"), events("2"), events("3")}}
	s.token = func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTest(w, 200, map[string]any{"access_token": "tok-" + strconv.Itoa(s.tokens), "token_type": "Bearer", "expires_in": 100})
	}
	c, ft := newTestClient(t, s, nil)
	ctx := context.Background()
	_, err := c.Fetch(ctx, Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	ft.now = ft.now.Add(89 * time.Second) // before 100s - 10% margin
	_, err = c.Fetch(ctx, Cursor{From: "1", Take: 1})
	require.NoError(t, err)
	require.Equal(t, 1, s.tokens)
	ft.now = ft.now.Add(2 * time.Second) // 91s: inside the margin
	_, err = c.Fetch(ctx, Cursor{From: "2", Take: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, s.tokens, "renewed within the margin before expires_in")
	assert.Equal(t, "Bearer tok-2", s.bearers[2])
}

func TestUnauthorizedRenewsOnceThenRetries(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{status(401), events("7")}}
	c, _ := newTestClient(t, s, nil)
	p, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"7"}, p.LogIDs)
	assert.Equal(t, 2, s.tokens)
	assert.Equal(t, []string{"Bearer tok-1", "Bearer tok-2"}, s.bearers)
}

func TestUnauthorizedTwiceIsAnAPIError(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{status(401), status(401)}}
	var statuses []int
	c, _ := newTestClient(t, s, func(st *Settings) { st.Hooks.APIError = func(code int) { statuses = append(statuses, code) } })
	_, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 401, apiErr.Status)
	assert.Equal(t, 2, s.served, "one renewal, not a loop")
	assert.Equal(t, []int{401, 401}, statuses)
}

func TestBadCredentialsNeverShowTheSecret(t *testing.T) {
	s := &script{}
	s.token = func(w http.ResponseWriter, _ *http.Request) {
		writeJSONTest(w, 401, map[string]string{"error": "access_denied", "error_description": "Unauthorized"})
	}
	core, logs := observer.New(zap.DebugLevel)
	c, _ := newTestClient(t, s, func(st *Settings) { st.Logger = zap.New(core) })
	_, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "token", apiErr.Op)
	assert.Equal(t, "access_denied", apiErr.Code)
	assert.Contains(t, err.Error(), "read:logs")
	assert.NotContains(t, err.Error(), testSecret)
	for _, e := range logs.All() {
		assert.NotContains(t, fmt.Sprint(e.Message, e.ContextMap()), testSecret)
	}
	assert.Equal(t, 0, s.served, "no API call without a token")
}

func TestRateLimitResetIsHonoured(t *testing.T) {
	var c *Client
	var ft *fakeTime
	var waits []time.Duration
	s := &script{}
	s.logs = []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			reset := ft.Now().Add(7 * time.Second).Unix()
			status(429, "X-RateLimit-Limit", "2", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(reset, 10))(w, r)
		},
		events("5"),
	}
	var remaining []int64
	c, ft = newTestClient(t, s, func(st *Settings) {
		st.Hooks.RateLimitWait = func(reason string, d time.Duration) {
			if reason == "tenant" {
				waits = append(waits, d)
			}
		}
		st.Hooks.RateLimitRemaining = func(n int64) { remaining = append(remaining, n) }
	})
	p, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"5"}, p.LogIDs)
	require.Len(t, ft.Sleeps(), 1)
	assert.Equal(t, 7*time.Second, ft.Sleeps()[0], "waits exactly until X-RateLimit-Reset")
	assert.Equal(t, []time.Duration{7 * time.Second}, waits)
	require.NotEmpty(t, remaining)
	assert.Equal(t, int64(0), remaining[0], "the 429's X-RateLimit-Remaining reaches the hook")
}

func TestRetryAfterWhenNoReset(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{status(429, "Retry-After", "3"), events("5")}}
	c, ft := newTestClient(t, s, nil)
	_, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{3 * time.Second}, ft.Sleeps())
}

func TestRemainingZeroPausesUntilReset(t *testing.T) {
	var ft *fakeTime
	s := &script{}
	s.logs = []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(ft.Now().Add(4*time.Second).Unix(), 10))
			events("1")(w, r)
		},
		events("2"),
	}
	var c *Client
	var remaining []int64
	c, ft = newTestClient(t, s, func(st *Settings) { st.Hooks.RateLimitRemaining = func(n int64) { remaining = append(remaining, n) } })
	p, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(0), p.RateLimitRemaining)
	assert.Empty(t, ft.Sleeps())
	_, err = c.Fetch(context.Background(), Cursor{From: "1", Take: 1})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{4 * time.Second}, ft.Sleeps(), "the next request waits for the reset instead of earning a 429")
	assert.Equal(t, []int64{0}, remaining)
}

func TestServerErrorsBackOffExponentiallyWithCap(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{status(503), status(500), status(502), status(503), status(503), events("1")}}
	var statuses []int
	c, ft := newTestClient(t, s, func(st *Settings) { st.Hooks.APIError = func(code int) { statuses = append(statuses, code) } })
	_, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	got := ft.Sleeps()
	require.Len(t, got, len(want))
	for i := range want {
		assert.LessOrEqual(t, got[i], want[i], "wait %d", i)
		assert.GreaterOrEqual(t, got[i], want[i]*8/10, "wait %d (20%% jitter at most)", i)
	}
	assert.Equal(t, []int{503, 500, 502, 503, 503}, statuses)
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	s := &script{}
	s.logs = []http.HandlerFunc{
		func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // no answer at all
			}
		},
		events("3"),
	}
	var statuses []int
	c, ft := newTestClient(t, s, func(st *Settings) { st.Hooks.APIError = func(code int) { statuses = append(statuses, code) } })
	p, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"3"}, p.LogIDs)
	assert.Equal(t, []int{0}, statuses, "status 0 marks a failure without an answer")
	assert.Len(t, ft.Sleeps(), 1)
}

func TestAttemptsAreBounded(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{status(503), status(503), status(503)}}
	c, _ := newTestClient(t, s, func(st *Settings) { st.MaxAttempts = 3 })
	_, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	var te *TransientError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 3, te.Attempts)
	assert.Equal(t, 3, s.served)
}

func TestClientErrorIsNotRetried(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{status(403)}}
	c, ft := newTestClient(t, s, nil)
	_, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.Status)
	assert.Contains(t, err.Error(), "read:logs scope")
	assert.Empty(t, ft.Sleeps())
}

func TestResponseBodyIsBounded(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "["+strings.Repeat(`{"log_id":"1"},`, 200)+`{"log_id":"2"}]`)
	}}}
	c, _ := newTestClient(t, s, func(st *Settings) { st.MaxBodyBytes = 1024 })
	_, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "exceeds 1024 bytes")
}

func TestNextLinkToAnotherOriginIsIgnored(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Link", `<https://evil.example/api/v2/logs?from=1&take=1>; rel="next"`)
		_, _ = io.WriteString(w, `[{"log_id":"1"}]`)
	}}}
	core, logs := observer.New(zap.WarnLevel)
	c, _ := newTestClient(t, s, func(st *Settings) { st.Logger = zap.New(core) })
	p, err := c.Fetch(context.Background(), Cursor{From: "0", Take: 1})
	require.NoError(t, err)
	assert.Empty(t, p.Next)
	assert.Equal(t, 1, logs.FilterMessageSnippet("Ignoring the rel").Len())
}

func TestRequestBudgetIsNeverExceeded(t *testing.T) {
	var handlers []http.HandlerFunc
	for i := range 12 {
		handlers = append(handlers, events(strconv.Itoa(i+1)))
	}
	s := &script{logs: handlers}
	c, _ := newTestClient(t, s, func(st *Settings) { st.RequestsPerSecond = 20 })
	c.now = time.Now
	for i := range 11 {
		_, err := c.Fetch(context.Background(), Cursor{From: strconv.Itoa(i), Take: 1})
		require.NoError(t, err)
	}
	s.mu.Lock()
	times := append([]time.Time(nil), s.times...)
	s.mu.Unlock()
	require.Len(t, times, 12) // one token request and 11 pages
	// 20 per second, burst 1: 12 requests span at least 11 intervals of 50 ms.
	span := times[len(times)-1].Sub(times[0])
	assert.GreaterOrEqual(t, span, 11*50*time.Millisecond-10*time.Millisecond, "12 requests came within %v", span)
	for i := 1; i < len(times); i++ {
		assert.GreaterOrEqual(t, times[i].Sub(times[i-1]), 40*time.Millisecond, "gap %d", i)
	}
}

func TestNextLinkParsing(t *testing.T) {
	cases := []struct {
		in   []string
		want string
	}{
		{[]string{`<https://t/api/v2/logs?from=9&take=100>; rel="next"`}, "https://t/api/v2/logs?from=9&take=100"},
		{[]string{`<https://t/a>; rel="prev", <https://t/b>; rel="next"`}, "https://t/b"},
		{[]string{`<https://t/a>;rel=prev,<https://t/b>;rel=next`}, "https://t/b"},
		{[]string{`<https://t/a>; rel="prev"`, `<https://t/c>; rel="first next"`}, "https://t/c"},
		{[]string{`<https://t/a>; rel="prev"`}, ""},
		{[]string{`garbage`}, ""},
		{nil, ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, nextLink(tc.in), "%q", tc.in)
	}
}

func TestStripMember(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":1,"_id":"9","b":2}`, `{"a":1,"b":2}`},
		{`{"_id":"9","a":1}`, `{"a":1}`},
		{`{"a":1,"_id":"9"}`, `{"a":1}`},
		{`{"_id":"9"}`, `{}`},
		{`{ "a" : {"_id":"x"} , "_id" : "9" }`, `{ "a" : {"_id":"x"}  }`},
		{`{"a":1}`, `{"a":1}`},
		{`not json`, `not json`},
	}
	for _, tc := range cases {
		got := string(StripMember([]byte(tc.in), "_id"))
		assert.Equal(t, tc.want, got, "%s", tc.in)
		if json.Valid([]byte(tc.in)) {
			assert.True(t, json.Valid([]byte(got)), "%s stays valid JSON", tc.in)
		}
	}
}

func TestParseEvents(t *testing.T) {
	p, err := parseEvents([]byte(`[{"log_id":"9001","_id":"9001","date":"2025-01-15T10:30:00.123Z","type":"s"},{"_id":"9002"},{"log_id":5}]`))
	require.NoError(t, err)
	assert.Equal(t, []string{"9001", "9002", ""}, p.LogIDs)
	assert.Equal(t, `{"log_id":"9001","date":"2025-01-15T10:30:00.123Z","type":"s"}`, string(p.Events[0]), "_id equal to log_id is removed")
	assert.Equal(t, `{"_id":"9002"}`, string(p.Events[1]), "_id alone is kept: it is the only id")
	assert.Equal(t, time.Date(2025, 1, 15, 10, 30, 0, 123e6, time.UTC), p.Dates[0])
	assert.Equal(t, "9002", p.LastLogID())

	_, err = parseEvents([]byte(`{"log_id":"1"}`))
	assert.ErrorContains(t, err, "not a JSON array")
	_, err = parseEvents([]byte(`[1]`))
	assert.ErrorContains(t, err, "element 0 is not a JSON object")
}

func TestParseStart(t *testing.T) {
	for in, want := range map[string]Start{
		"24h":  {Kind: StartDuration, Duration: 24 * time.Hour},
		"90m":  {Kind: StartDuration, Duration: 90 * time.Minute},
		"7d":   {Kind: StartDuration, Duration: 7 * 24 * time.Hour},
		"now":  {Kind: StartNow},
		"NOW":  {Kind: StartNow},
		"9002": {Kind: StartLogID, LogID: "9002"},
	} {
		got, err := ParseStart(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "-1h", "0s", "90 0", "a/b", strings.Repeat("9", 129)} {
		_, err := ParseStart(bad)
		assert.Error(t, err, bad)
	}
}

func searchHandler(t *testing.T, wantSort string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		assert.Equal(t, wantSort, q.Get("sort"))
		assert.Equal(t, "1", q.Get("per_page"))
		assert.False(t, q.Has("from"), "search mode, not checkpoint mode")
		_, _ = io.WriteString(w, body)
	}
}

func TestResolveStart(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()

	t.Run("log_id", func(t *testing.T) {
		c, _ := newTestClient(t, &script{}, nil)
		res, err := c.ResolveStart(ctx, Start{Kind: StartLogID, LogID: "90020250310"}, now)
		require.NoError(t, err)
		assert.Equal(t, "90020250310", res.From)
	})
	t.Run("now", func(t *testing.T) {
		s := &script{logs: []http.HandlerFunc{searchHandler(t, "date:-1", `[{"log_id":"90020250310115959abc","date":"2025-03-10T11:59:59.000Z"}]`)}}
		c, _ := newTestClient(t, s, nil)
		res, err := c.ResolveStart(ctx, Start{Kind: StartNow}, now)
		require.NoError(t, err)
		assert.Equal(t, "90020250310115959abc", res.From)
	})
	t.Run("now on an empty tenant", func(t *testing.T) {
		s := &script{logs: []http.HandlerFunc{searchHandler(t, "date:-1", `[]`)}}
		c, _ := newTestClient(t, s, nil)
		res, err := c.ResolveStart(ctx, Start{Kind: StartNow}, now)
		require.NoError(t, err)
		assert.Equal(t, "90020250310120000", res.From)
	})
	t.Run("duration within retention", func(t *testing.T) {
		s := &script{logs: []http.HandlerFunc{searchHandler(t, "date:1", `[{"log_id":"90020250301000000x","date":"2025-03-01T00:00:00.000Z"}]`)}}
		c, _ := newTestClient(t, s, nil)
		res, err := c.ResolveStart(ctx, Start{Kind: StartDuration, Duration: 24 * time.Hour}, now)
		require.NoError(t, err)
		assert.Equal(t, "90020250309120000", res.From)
		assert.Empty(t, res.Warning)
	})
	t.Run("duration beyond retention", func(t *testing.T) {
		s := &script{logs: []http.HandlerFunc{searchHandler(t, "date:1", `[{"log_id":"90020250308093015x","date":"2025-03-08T09:30:15.250Z"}]`)}}
		c, _ := newTestClient(t, s, nil)
		res, err := c.ResolveStart(ctx, Start{Kind: StartDuration, Duration: 30 * 24 * time.Hour}, now)
		require.NoError(t, err)
		assert.Equal(t, "90020250308093015", res.From, "starts at the oldest event held")
		assert.Contains(t, res.Warning, "2025-03-08T09:30:15Z")
		assert.Contains(t, res.Warning, "gone")
	})
}

func TestFromTimeSortsBeforeTheSecondsEvents(t *testing.T) {
	at := time.Date(2025, 1, 15, 10, 30, 5, 0, time.UTC)
	from := FromTime(at)
	assert.Equal(t, "90020250115103005", from)
	assert.Less(t, "90020250115103004999999", from, "an event of the second before comes before")
	assert.Greater(t, "90020250115103005000001", from, "an event of that second comes after")
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1", "https://tenant.example"} {
		_, err := New(Settings{BaseURL: u, RequestsPerSecond: 1})
		assert.NoError(t, err, u)
	}
	for _, u := range []string{"http://tenant.example", "http://10.0.0.1", "ftp://x", "tenant.example"} {
		_, err := New(Settings{BaseURL: u, RequestsPerSecond: 1})
		assert.Error(t, err, u)
	}
	_, err := New(Settings{BaseURL: "https://x", RequestsPerSecond: 0})
	assert.Error(t, err)
}

func TestCancelStopsWaiting(t *testing.T) {
	s := &script{logs: []http.HandlerFunc{status(503)}}
	c, _ := newTestClient(t, s, nil)
	c.sleep = Sleep
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := c.Fetch(ctx, Cursor{From: "0", Take: 1})
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	assert.Less(t, time.Since(start), 900*time.Millisecond, "the 1s backoff was cut short")
}

// Backoff doubles per attempt up to its cap and takes off at most a fifth.
func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 50: time.Second} {
		for range 100 {
			got := Backoff(100*time.Millisecond, time.Second, n)
			if got > want || got < want-want/5 {
				t.Fatalf("attempt %d: %v, want within [%v, %v]", n, got, want-want/5, want)
			}
		}
	}
}
