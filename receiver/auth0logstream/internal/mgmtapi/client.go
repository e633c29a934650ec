// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package mgmtapi is a small client for the part of Auth0's Management API
// that pull mode needs: a client-credentials token and the tenant logs
// (GET /api/v2/logs) in checkpoint mode. It is written on net/http alone.
//
// Every request goes through one gate: a pause the tenant asked for (429,
// or X-RateLimit-Remaining 0) and then a token bucket of our own
// (RequestsPerSecond, burst 1), so the budget is never exceeded, retries and
// token requests included.
package mgmtapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Defaults for the Settings fields left zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxBodyBytes     = 16 << 20
	DefaultBackoffInitial   = 1 * time.Second
	DefaultBackoffMax       = 60 * time.Second
	DefaultMaxRateLimitWait = 5 * time.Minute
	DefaultMaxAttempts      = 8
	// MaxTake is Auth0's upper bound for `take` and `per_page`.
	MaxTake = 100

	maxHeaderBytes    = 64 << 10
	maxTokenBodyBytes = 64 << 10
	maxErrorText      = 200
	// tokenMarginMax is how long before expires_in a cached token is renewed;
	// short-lived tokens are renewed a tenth of their lifetime early.
	tokenMarginMax = 60 * time.Second
)

// Hooks report what the client does, for self-telemetry. Any may be nil.
type Hooks struct {
	// APIError is called for every failed attempt: status is the HTTP status,
	// or 0 when no response arrived (network error, timeout).
	APIError func(status int)
	// RateLimitWait is called with the time spent waiting because the tenant
	// asked for it (429, or X-RateLimit-Remaining 0), and because of our own
	// request budget; reason is "tenant" or "budget".
	RateLimitWait func(reason string, d time.Duration)
	// RateLimitRemaining is called with X-RateLimit-Remaining when a response
	// carries it.
	RateLimitRemaining func(remaining int64)
}

// Settings configure a Client.
type Settings struct {
	// BaseURL is scheme://host[:port] of the tenant, e.g. https://acme.eu.auth0.com.
	BaseURL string
	// Audience is the Management API identifier: https://<domain>/api/v2/.
	Audience     string
	ClientID     string
	ClientSecret configopaque.String
	// RequestsPerSecond is our own budget for every request, token requests
	// and retries included. It must be positive.
	RequestsPerSecond float64

	Timeout          time.Duration // per HTTP request
	MaxBodyBytes     int64         // per response body
	BackoffInitial   time.Duration // first wait after a 5xx or network error
	BackoffMax       time.Duration // cap of the exponential backoff
	MaxRateLimitWait time.Duration // cap of one wait asked for by the tenant
	// MaxAttempts bounds the attempts of one call on transient failures
	// (5xx, network errors, 429); the last error is then returned.
	MaxAttempts int

	// Transport replaces the default transport (tests).
	Transport http.RoundTripper
	UserAgent string
	Logger    *zap.Logger
	Hooks     Hooks
}

// Client talks to one tenant. It is safe for concurrent use, though pull
// mode uses it from one goroutine.
type Client struct {
	s       Settings
	base    *url.URL
	http    *http.Client
	limiter *rate.Limiter
	logger  *zap.Logger

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu        sync.Mutex
	token     string
	refreshAt time.Time
	notBefore time.Time // the tenant asked us to wait until then
}

// APIError is an answer that retrying the same request will not change:
// a 4xx other than 429 (after one token refresh for 401), or a body we
// cannot use.
type APIError struct {
	Op      string // "token" or "logs"
	Status  int
	Code    string // Auth0's error code, when the body had one
	Message string // Auth0's message, truncated
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "auth0 %s request: status %d", e.Op, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	switch {
	case e.Op == "token" && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden):
		b.WriteString(" (check client_id, client_secret, and that the application is authorized for the Management API with the read:logs scope)")
	case e.Op == "logs" && e.Status == http.StatusForbidden:
		b.WriteString(" (the application needs the read:logs scope)")
	}
	return b.String()
}

// TransientError is returned when MaxAttempts attempts all failed for
// reasons that may pass (5xx, network errors, rate limits).
type TransientError struct {
	Op       string
	Attempts int
	Last     error
}

func (e *TransientError) Error() string {
	return fmt.Sprintf("auth0 %s request failed %d times, last: %v", e.Op, e.Attempts, e.Last)
}
func (e *TransientError) Unwrap() error { return e.Last }

// New checks the settings and returns a client.
func New(s Settings) (*Client, error) {
	base, err := url.Parse(s.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	if base.Scheme != "https" && base.Scheme != "http" || base.Host == "" {
		return nil, fmt.Errorf("base URL %q must be http(s)://host[:port]", s.BaseURL)
	}
	if base.Scheme == "http" && !IsLoopbackHost(base.Hostname()) {
		return nil, fmt.Errorf("base URL %q: plain http is only allowed to loopback addresses", s.BaseURL)
	}
	if s.RequestsPerSecond <= 0 {
		return nil, errors.New("requests per second must be positive")
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.MaxBodyBytes <= 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.BackoffInitial <= 0 {
		s.BackoffInitial = DefaultBackoffInitial
	}
	if s.BackoffMax < s.BackoffInitial {
		s.BackoffMax = max(DefaultBackoffMax, s.BackoffInitial)
	}
	if s.MaxRateLimitWait <= 0 {
		s.MaxRateLimitWait = DefaultMaxRateLimitWait
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = DefaultMaxAttempts
	}
	if s.Logger == nil {
		s.Logger = zap.NewNop()
	}
	if s.UserAgent == "" {
		s.UserAgent = "otelcol-auth0-logstream"
	}
	transport := s.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = s.Timeout
		t.MaxResponseHeaderBytes = maxHeaderBytes
		t.MaxIdleConns = 2
		transport = t
	}
	base.Path, base.RawQuery, base.Fragment = "", "", ""
	return &Client{
		s:       s,
		base:    base,
		http:    &http.Client{Transport: transport, Timeout: s.Timeout, CheckRedirect: sameOriginRedirects(base)},
		limiter: rate.NewLimiter(rate.Limit(s.RequestsPerSecond), 1),
		logger:  s.Logger,
		now:     time.Now,
		sleep:   Sleep,
	}, nil
}

// sameOriginRedirects keeps the bearer token on the tenant's own origin:
// net/http drops Authorization on cross-host redirects already, and we do
// not follow them at all.
func sameOriginRedirects(base *url.URL) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme != base.Scheme || req.URL.Host != base.Host {
			return fmt.Errorf("refusing redirect to another origin (%s)", req.URL.Host)
		}
		return nil
	}
}

// IsLoopbackHost reports whether host (no port) is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CloseIdleConnections releases pooled connections (at shutdown).
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Sleep waits for d, or until ctx is done, and returns ctx's error then.
// The client and the poller wait with it, so that shutdown ends every wait.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gate waits for the tenant's pause and then for our own budget.
func (c *Client) gate(ctx context.Context) error {
	c.mu.Lock()
	wait := c.notBefore.Sub(c.now())
	c.mu.Unlock()
	if wait > 0 {
		c.reportWait("tenant", wait)
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
	start := time.Now()
	if err := c.limiter.Wait(ctx); err != nil {
		return err
	}
	if waited := time.Since(start); waited > time.Millisecond {
		c.reportWait("budget", waited)
	}
	return nil
}

func (c *Client) reportWait(reason string, d time.Duration) {
	if c.s.Hooks.RateLimitWait != nil {
		c.s.Hooks.RateLimitWait(reason, d)
	}
}

func (c *Client) reportError(status int) {
	if c.s.Hooks.APIError != nil {
		c.s.Hooks.APIError(status)
	}
}

func (c *Client) backoff(n int) time.Duration {
	return Backoff(c.s.BackoffInitial, c.s.BackoffMax, n)
}

// Backoff is the wait before attempt n+1 (n >= 1): exponential from initial
// with a cap at maxWait and up to 20% jitter, so many pullers do not retry
// in step. The poller's retries wait the same way.
func Backoff(initial, maxWait time.Duration, n int) time.Duration {
	d := initial
	for i := 1; i < n && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// response is one HTTP answer, its body read within bounds.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send makes one attempt, after the gate.
func (c *Client) send(ctx context.Context, op, method, u string, body []byte, contentType, bearer string, limit int64) (*response, error) {
	if err := c.gate(ctx); err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.s.UserAgent)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading response body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, &APIError{Op: op, Status: resp.StatusCode, Message: fmt.Sprintf("response body exceeds %d bytes", limit)}
	}
	r := &response{status: resp.StatusCode, header: resp.Header, body: b}
	c.observeRateLimit(r.header)
	return r, nil
}

// observeRateLimit records X-RateLimit-Remaining and, when it is 0, pauses
// until X-RateLimit-Reset, before the tenant has to refuse us.
func (c *Client) observeRateLimit(h http.Header) {
	rem, err := strconv.ParseInt(h.Get("X-RateLimit-Remaining"), 10, 64)
	if err != nil {
		return
	}
	c.mu.Lock()
	if rem <= 0 {
		if reset, ok := c.resetTime(h); ok && reset.After(c.notBefore) {
			c.notBefore = reset
		}
	}
	c.mu.Unlock()
	if c.s.Hooks.RateLimitRemaining != nil {
		c.s.Hooks.RateLimitRemaining(rem)
	}
}

// resetTime reads X-RateLimit-Reset (epoch seconds), capped at
// MaxRateLimitWait from now; ok is false when it is absent or already past.
func (c *Client) resetTime(h http.Header) (time.Time, bool) {
	sec, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}, false
	}
	now := c.now()
	reset := time.Unix(sec, 0)
	if !reset.After(now) {
		return time.Time{}, false
	}
	return minTime(reset, now.Add(c.s.MaxRateLimitWait)), true
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// retryAfter reads Retry-After: delta-seconds or an HTTP date.
func (c *Client) retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, c.s.MaxRateLimitWait), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(c.now())
		return min(max(d, 0), c.s.MaxRateLimitWait), d > 0
	}
	return 0, false
}

// pauseFor429 sets the pause a 429 asks for: X-RateLimit-Reset, else
// Retry-After, else the backoff of attempt n.
func (c *Client) pauseFor429(h http.Header, n int) time.Duration {
	now := c.now()
	until := now.Add(c.backoff(n))
	if reset, ok := c.resetTime(h); ok {
		until = reset
	} else if d, ok := c.retryAfter(h); ok {
		until = now.Add(d)
	}
	c.mu.Lock()
	if until.After(c.notBefore) {
		c.notBefore = until
	}
	c.mu.Unlock()
	return until.Sub(now)
}

// auth0Error pulls the code and message out of an Auth0 error body, which
// is {"error","error_description"} from /oauth/token and
// {"statusCode","error","message","errorCode"} from /api/v2. Nothing else of
// the body is kept, and what is kept is truncated.
func auth0Error(op string, r *response) *APIError {
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		Message          string `json:"message"`
		ErrorCode        string `json:"errorCode"`
	}
	_ = json.Unmarshal(r.body, &body)
	e := &APIError{Op: op, Status: r.status, Code: body.ErrorCode, Message: body.Message}
	if e.Code == "" {
		e.Code = body.Error
	}
	if e.Message == "" {
		e.Message = body.ErrorDescription
	}
	e.Code, e.Message = truncate(e.Code, 64), truncate(e.Message, maxErrorText)
	return e
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func isTransientStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// do runs one call with the retry policy: 429 waits as the tenant asks,
// 5xx and network errors back off exponentially, 401 on the API renews the
// token once. Other statuses are returned as *APIError.
func (c *Client) do(ctx context.Context, op, method, u string, body []byte, contentType string, authed bool, limit int64) (*response, error) {
	renewed := false
	var last error
	for attempt := 1; attempt <= c.s.MaxAttempts; attempt++ {
		bearer := ""
		if authed {
			tok, err := c.accessToken(ctx)
			if err != nil {
				return nil, err
			}
			bearer = tok
		}
		r, err := c.send(ctx, op, method, u, body, contentType, bearer, limit)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				c.reportError(apiErr.Status)
				return nil, err
			}
			c.reportError(0)
			last = err
			wait := c.backoff(attempt)
			c.logger.Debug("Auth0 request failed, backing off",
				zap.String("op", op), zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
			if attempt < c.s.MaxAttempts {
				if err := c.sleep(ctx, wait); err != nil {
					return nil, err
				}
			}
			continue
		}
		switch {
		case r.status >= 200 && r.status < 300:
			return r, nil
		case r.status == http.StatusUnauthorized && authed && !renewed:
			// The token expired early or was revoked: renew it once.
			c.reportError(r.status)
			c.invalidate(bearer)
			renewed = true
			attempt-- // the renewal is not a failure of the call
			c.logger.Debug("Auth0 answered 401, renewing the access token", zap.String("op", op))
			continue
		case isTransientStatus(r.status):
			c.reportError(r.status)
			last = auth0Error(op, r)
			var wait time.Duration
			if r.status == http.StatusTooManyRequests {
				wait = c.pauseFor429(r.header, attempt) // the gate applies it, to every request
			} else {
				wait = c.backoff(attempt)
			}
			c.logger.Debug("Auth0 request refused for now, waiting",
				zap.String("op", op), zap.Int("status", r.status), zap.Int("attempt", attempt), zap.Duration("wait", wait))
			if r.status != http.StatusTooManyRequests && attempt < c.s.MaxAttempts {
				if err := c.sleep(ctx, wait); err != nil {
					return nil, err
				}
			}
			continue
		default:
			c.reportError(r.status)
			return nil, auth0Error(op, r)
		}
	}
	return nil, &TransientError{Op: op, Attempts: c.s.MaxAttempts, Last: last}
}

// invalidate forgets the token that was refused, unless another caller
// already replaced it.
func (c *Client) invalidate(tok string) {
	c.mu.Lock()
	if c.token == tok {
		c.token = ""
	}
	c.mu.Unlock()
}

// accessToken returns the cached token, or gets a new one with the
// client-credentials grant.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	if c.token != "" && c.now().Before(c.refreshAt) {
		tok := c.token
		c.mu.Unlock()
		return tok, nil
	}
	c.mu.Unlock()

	form := url.Values{}
	form.Set("grant_type", "client_credentials")
	form.Set("client_id", c.s.ClientID)
	form.Set("client_secret", string(c.s.ClientSecret))
	form.Set("audience", c.s.Audience)
	u := c.base.JoinPath("/oauth/token").String()
	r, err := c.do(ctx, "token", http.MethodPost, u, []byte(form.Encode()), "application/x-www-form-urlencoded", false, maxTokenBodyBytes)
	if err != nil {
		return "", err
	}
	var tr struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if err := json.Unmarshal(r.body, &tr); err != nil || tr.AccessToken == "" {
		return "", &APIError{Op: "token", Status: r.status, Message: "response has no access_token"}
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "Bearer") {
		return "", &APIError{Op: "token", Status: r.status, Message: "token_type is not Bearer"}
	}
	lifetime := time.Duration(tr.ExpiresIn * float64(time.Second))
	if lifetime <= 0 {
		lifetime = time.Minute // no expires_in: use it briefly, a 401 renews it anyway
	}
	margin := min(tokenMarginMax, lifetime/10)
	c.mu.Lock()
	c.token = tr.AccessToken
	c.refreshAt = c.now().Add(lifetime - margin)
	c.mu.Unlock()
	c.logger.Debug("Obtained a Management API access token", zap.Duration("expires_in", lifetime))
	return tr.AccessToken, nil
}
