// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func serveOnce(t *testing.T, in *Inspector, method, target, host string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	req.Host = host
	rr := httptest.NewRecorder()
	in.Handler().ServeHTTP(rr, req)
	return rr
}

func hostileInspector() *Inspector {
	in := New(Settings{MaskPII: true})
	req := newReq(http.MethodPost, "/api/<script>alert(1)</script>", "Content-Type", `text/html"><img src=x onerror=alert(2)>`)
	rec := in.Begin(req)
	rec.Authenticated()
	rec.Event([]byte(`{"description":"</pre><script>alert(3)</script>","email":"x@y"}`))
	rec.Malformed([]byte(`<b>bold</b>`), `reason <i>`)
	rec.Answer(400, "bad <input> & more")
	in.Commit(rec)
	return in
}

func TestPageEscapesEverything(t *testing.T) {
	rr := serveOnce(t, hostileInspector(), http.MethodGet, "/", "localhost:8384")
	require.Equal(t, http.StatusOK, rr.Code)
	body := rr.Body.String()
	assert.Equal(t, "text/html; charset=utf-8", rr.Header().Get("Content-Type"))
	for _, raw := range []string{"<script>", "<img", "<b>", "<i>", "<input>"} {
		assert.NotContains(t, body, raw)
	}
	assert.Contains(t, body, "&lt;script&gt;alert(3)&lt;/script&gt;")
	assert.Contains(t, body, "400 Bad Request")
	assert.NotContains(t, body, "x@y", "PII masked")
	assert.Equal(t, 0, strings.Count(body, "<script"), "the page has no script at all")
}

func TestPageCSPAllowsOnlyItsOwnStyle(t *testing.T) {
	rr := serveOnce(t, hostileInspector(), http.MethodGet, "/", "127.0.0.1:8384")
	csp := rr.Header().Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, csp, "script-src")
	// The hash in the policy is the hash of the style element served.
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(rr.Body.String())
	require.Len(t, m, 2)
	sum := sha256.Sum256([]byte(m[1]))
	assert.Contains(t, csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	assert.Equal(t, "nosniff", rr.Header().Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", rr.Header().Get("Cache-Control"))
	assert.NotRegexp(t, `(?i)(src|href)="(https?:)?//`, rr.Body.String(), "no external asset")
}

func TestJSONView(t *testing.T) {
	rr := serveOnce(t, hostileInspector(), http.MethodGet, "/requests.json", "[::1]:8384")
	require.Equal(t, http.StatusOK, rr.Code)
	assert.Equal(t, "application/json", rr.Header().Get("Content-Type"))
	var p Page
	require.NoError(t, json.Unmarshal(rr.Body.Bytes(), &p))
	assert.Equal(t, DefaultMaxRequests, p.Capacity)
	assert.True(t, p.MaskPII)
	assert.Equal(t, uint64(1), p.Total)
	require.Len(t, p.Requests, 1)
	r := p.Requests[0]
	assert.Equal(t, 400, r.Status)
	assert.Equal(t, "bad <input> & more", r.Reason)
	assert.Equal(t, `{"description":"</pre><script>alert(3)</script>","email":"***"}`, r.Sample.FirstEvent)
	assert.NotContains(t, rr.Body.String(), "<script>", "encoding/json escapes < and >")
}

func TestEmptyViews(t *testing.T) {
	in := New(Settings{})
	rr := serveOnce(t, in, http.MethodGet, "/requests.json", "localhost")
	assert.JSONEq(t, `{"max_requests":50,"mask_pii":false,"total_seen":0,"requests":[]}`, rr.Body.String())
	rr = serveOnce(t, in, http.MethodGet, "/", "localhost")
	assert.Contains(t, rr.Body.String(), "No request has reached the receiver yet")
}

func TestRoutesMethodsAndHosts(t *testing.T) {
	in := hostileInspector()
	tests := []struct {
		method, target, host string
		status               int
		allow                string
	}{
		{http.MethodGet, "/", "localhost:1", 200, ""},
		{http.MethodHead, "/requests.json", "127.0.0.1:1", 200, ""},
		{http.MethodGet, "/requests.json", "127.8.9.10", 200, ""},
		{http.MethodGet, "/index.html", "localhost", 404, ""},
		{http.MethodGet, "/requests.json/", "localhost", 404, ""},
		{http.MethodPost, "/", "localhost", 405, "GET, HEAD"},
		{http.MethodDelete, "/requests.json", "localhost", 405, "GET, HEAD"},
		{http.MethodPost, "/nope", "localhost", 404, ""},
		{http.MethodGet, "/", "evil.example:8384", 403, ""},
		{http.MethodGet, "/", "192.168.1.5:8384", 403, ""},
		{http.MethodGet, "/", "0.0.0.0:8384", 403, ""},
		{http.MethodGet, "/", "localhost.evil.example", 403, ""},
	}
	for _, tt := range tests {
		rr := serveOnce(t, in, tt.method, tt.target, tt.host)
		assert.Equal(t, tt.status, rr.Code, "%s %s Host %s", tt.method, tt.target, tt.host)
		assert.Equal(t, tt.allow, rr.Header().Get("Allow"), "%s %s", tt.method, tt.target)
		assert.NotEmpty(t, rr.Header().Get("Content-Security-Policy"))
		if tt.method == http.MethodHead {
			assert.Empty(t, rr.Body.String())
			assert.NotEmpty(t, rr.Header().Get("Content-Length"))
		}
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	ln, err := Listen(context.Background(), "0.0.0.0:0")
	if err == nil {
		_ = ln.Close()
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a loopback address")
}

func TestServeAndShutdown(t *testing.T) {
	in := hostileInspector()
	ln, err := Listen(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	srv := Serve(in, ln)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + srv.Addr().String() + "/requests.json")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(b), `"status": 400`)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	_, err = client.Get("http://" + srv.Addr().String() + "/")
	assert.Error(t, err, "nothing listens after Shutdown")
}
