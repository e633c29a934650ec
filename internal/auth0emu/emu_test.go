// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0emu

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// clock is a settable emulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func start(t *testing.T, o Options) *Server {
	t.Helper()
	s := New(o)
	require.NoError(t, s.Start(""))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func token(t *testing.T, s *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := client.PostForm(s.URL()+"/oauth/token", form)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func goodForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID},
		"client_secret": {DefaultClientSecret}, "audience": {"https://" + DefaultDomain + "/api/v2/"}}
}

func bearer(t *testing.T, s *Server) string {
	code, body := token(t, s, goodForm())
	require.Equal(t, 200, code)
	return body["access_token"].(string)
}

type answer struct {
	status int
	header http.Header
	events []map[string]any
	raw    string
}

func get(t *testing.T, s *Server, tok, query string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/v2/logs?"+query, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(b, &a.events), string(b))
	}
	return a
}

func TestTokenGrant(t *testing.T) {
	s := start(t, Options{TokenTTL: 90 * time.Second})
	code, body := token(t, s, goodForm())
	assert.Equal(t, 200, code)
	assert.Equal(t, "Bearer", body["token_type"])
	assert.InDelta(t, 90, body["expires_in"], 0)

	bad := goodForm()
	bad.Set("client_secret", "wrong")
	code, body = token(t, s, bad)
	assert.Equal(t, 401, code)
	assert.Equal(t, "access_denied", body["error"])

	bad = goodForm()
	bad.Set("audience", "https://other/api/v2/")
	code, _ = token(t, s, bad)
	assert.Equal(t, 403, code)

	bad = goodForm()
	bad.Set("grant_type", "password")
	code, body = token(t, s, bad)
	assert.Equal(t, 403, code)
	assert.Equal(t, "unauthorized_client", body["error"])

	// JSON bodies work too.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/oauth/token", strings.NewReader(
		`{"grant_type":"client_credentials","client_id":"`+DefaultClientID+`","client_secret":"`+DefaultClientSecret+`","audience":"https://`+DefaultDomain+`/api/v2/"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 2, s.Stats().TokensIssued)
}

func TestTokensExpire(t *testing.T) {
	c := newClock(time.Now())
	s := start(t, Options{TokenTTL: time.Minute, Now: c.Now})
	tok := bearer(t, s)
	assert.Equal(t, 200, get(t, s, tok, "from=0&take=1").status)
	c.Add(61 * time.Second)
	a := get(t, s, tok, "from=0&take=1")
	assert.Equal(t, 401, a.status)
	assert.Contains(t, a.raw, "Expired token")
	assert.Equal(t, 401, get(t, s, "forged", "from=0&take=1").status)
	assert.Equal(t, 401, get(t, s, "", "from=0&take=1").status)

	tok = bearer(t, s)
	s.ExpireTokens()
	assert.Equal(t, 401, get(t, s, tok, "from=0&take=1").status)
}

func TestCheckpointPaging(t *testing.T) {
	s := start(t, Options{})
	evs, err := s.Generate(3, 25, auth0gen.Options{})
	require.NoError(t, err)
	tok := bearer(t, s)

	var got []string
	next := s.URL() + "/api/v2/logs?from=&take=10"
	for range 5 {
		u, err := url.Parse(next)
		require.NoError(t, err)
		a := get(t, s, tok, u.RawQuery)
		require.Equal(t, 200, a.status)
		for _, e := range a.events {
			got = append(got, e["log_id"].(string))
			assert.Equal(t, e["log_id"], e["_id"], "the API's _id copies log_id")
			_, envelope := e["data"]
			assert.False(t, envelope, "bare events, no envelope")
		}
		link := a.header.Get("Link")
		require.True(t, strings.HasSuffix(link, `>; rel="next"`), link)
		next = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
		if len(a.events) == 0 {
			// Caught up: [] with the same next link.
			again := get(t, s, tok, u.RawQuery)
			assert.Equal(t, link, again.header.Get("Link"))
			break
		}
	}
	want := make([]string, len(evs))
	for i, e := range evs {
		want[i] = e.LogID
	}
	assert.Equal(t, want, got, "every event once, in log_id order")
	assert.Equal(t, 400, get(t, s, tok, "from=0&take=101").status)
	assert.Equal(t, 400, get(t, s, tok, "from=0&take=0").status)
}

func TestSearchModeAndRetention(t *testing.T) {
	now := time.Now().UTC()
	c := newClock(now)
	s := start(t, Options{Retention: 24 * time.Hour, Now: c.Now})
	old, err := s.Generate(1, 3, auth0gen.Options{Start: now.Add(-48 * time.Hour)})
	require.NoError(t, err)
	kept, err := s.Generate(2, 5, auth0gen.Options{Start: now.Add(-time.Hour)})
	require.NoError(t, err)
	tok := bearer(t, s)

	oldest := get(t, s, tok, "sort=date:1&per_page=1&page=0")
	require.Len(t, oldest.events, 1)
	assert.Equal(t, kept[0].LogID, oldest.events[0]["log_id"], "events beyond retention are gone")
	newest := get(t, s, tok, "sort=date:-1&per_page=1")
	assert.Equal(t, kept[4].LogID, newest.events[0]["log_id"])
	assert.Empty(t, newest.header.Get("Link"), "no Link in search mode")

	all := get(t, s, tok, "from=0&take=100")
	assert.Len(t, all.events, len(kept))
	for _, e := range all.events {
		for _, o := range old {
			assert.NotEqual(t, o.LogID, e["log_id"])
		}
	}
	assert.Equal(t, 400, get(t, s, tok, "per_page=100&page=10").status, "search mode stops at 1000 records")
}

func TestRateLimitHeaders(t *testing.T) {
	c := newClock(time.Unix(1_750_000_000, 0))
	s := start(t, Options{RateLimit: 2, RateBurst: 3, Now: c.Now})
	tok := bearer(t, s)
	for i := range 3 {
		a := get(t, s, tok, "from=0&take=1")
		require.Equal(t, 200, a.status, i)
		assert.Equal(t, "3", a.header.Get("X-RateLimit-Limit"))
		assert.Equal(t, strconv.Itoa(2-i), a.header.Get("X-RateLimit-Remaining"))
	}
	a := get(t, s, tok, "from=0&take=1")
	require.Equal(t, 429, a.status)
	assert.Equal(t, "0", a.header.Get("X-RateLimit-Remaining"))
	// One request comes back after 0.5s at 2/s: the reset is the next second.
	assert.Equal(t, "1750000001", a.header.Get("X-RateLimit-Reset"))
	c.Add(500 * time.Millisecond)
	assert.Equal(t, 200, get(t, s, tok, "from=0&take=1").status)
	st := s.Stats()
	assert.Equal(t, 1, st.Served429)
	require.Len(t, st.Rejections, 1)
	assert.Equal(t, time.Unix(1_750_000_001, 0), st.Rejections[0].Reset)
}

func TestErrorBurstsAndSlowAnswers(t *testing.T) {
	s := start(t, Options{ErrorEvery: 2, ErrorBurst: 2, ErrorStatus: 502, SlowEvery: 3, SlowDelay: 200 * time.Millisecond})
	tok := bearer(t, s)
	var statuses []int
	var slow int
	for range 8 {
		t0 := time.Now()
		statuses = append(statuses, get(t, s, tok, "from=0&take=1").status)
		if time.Since(t0) >= 200*time.Millisecond {
			slow++
		}
	}
	assert.Equal(t, []int{200, 200, 502, 502, 200, 200, 502, 502}, statuses)
	assert.Equal(t, 4, s.Stats().Served5xx)
	assert.GreaterOrEqual(t, slow, 1, "every third answered request is slow")
}

func TestMaxInWindow(t *testing.T) {
	base := time.Unix(0, 0)
	at := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, base.Add(time.Duration(m)*time.Millisecond))
		}
		return out
	}
	assert.Equal(t, 2, MaxInWindow(at(0, 500, 1000, 1500), time.Second))
	assert.Equal(t, 3, MaxInWindow(at(0, 10, 20, 2000), time.Second))
	assert.Equal(t, 0, MaxInWindow(nil, time.Second))
}

func TestLoopbackOnly(t *testing.T) {
	assert.Error(t, New(Options{}).Start("0.0.0.0:0"))
	assert.Error(t, New(Options{}).Start("192.0.2.1:0"))
}
