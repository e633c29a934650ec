// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package auth0emu is a local emulator of the two Auth0 endpoints that pull
// mode uses, for tests and demos with no Auth0 account:
//
//   - POST /oauth/token: the client-credentials grant (form or JSON body),
//     with tokens that expire after TokenTTL;
//   - GET /api/v2/logs: checkpoint mode (from, take, a rel="next" Link, and
//     `[]` with the same next link once caught up) and search mode (sort,
//     per_page, page), over events from internal/auth0gen, bare (no
//     envelope) and with `_id` like the real API.
//
// Faults are options: a rate limit answered with 429 and
// X-RateLimit-Limit/Remaining/Reset, bursts of 5xx, slow responses, and a
// retention window that hides old events. It listens on loopback only.
package auth0emu

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

// Options configure the emulator. The zero value serves events without
// faults, with the defaults below.
type Options struct {
	// Domain makes the audience that /oauth/token accepts:
	// https://<Domain>/api/v2/. Default DefaultDomain.
	Domain       string
	ClientID     string // default DefaultClientID
	ClientSecret string // default DefaultClientSecret
	// TokenTTL is expires_in of issued tokens; default 24h.
	TokenTTL time.Duration

	// RateLimit is the sustained requests per second the Management API
	// allows (a token bucket); 0 means no limit. RateBurst is its size,
	// default max(1, ceil(RateLimit)).
	RateLimit float64
	RateBurst int

	// Retention hides events whose date is older than now minus Retention;
	// 0 keeps everything.
	Retention time.Duration

	// After every ErrorEvery answered logs requests, the next ErrorBurst
	// ones answer ErrorStatus (default 503). 0 turns it off.
	ErrorEvery  int
	ErrorBurst  int
	ErrorStatus int

	// Every SlowEvery-th logs request is answered after SlowDelay.
	SlowEvery int
	SlowDelay time.Duration

	// OmitID leaves out `_id` (which the real API adds, equal to log_id).
	OmitID bool

	// Now is the emulator's clock (retention, token expiry); default time.Now.
	Now func() time.Time
}

// Defaults.
const (
	DefaultDomain       = "emu-tenant.auth0.local"
	DefaultClientID     = "emu-client-id"
	DefaultClientSecret = "emu-client-secret" //nolint:gosec // G101: the emulator's own test credential
	DefaultTake         = 50
	MaxTake             = 100
	maxSearchWindow     = 1000 // Auth0: page*per_page+per_page at most 1000 in search mode
	maxTokenBody        = 64 << 10
)

type stored struct {
	logID string
	date  time.Time
	raw   []byte // the bare event as the API returns it
}

// Stats counts what the emulator answered.
type Stats struct {
	TokenRequests int
	TokensIssued  int
	LogsRequests  int
	Served200     int
	Served401     int
	Served429     int
	Served5xx     int
	EventsServed  int
	EmptyPages    int
	// Times are the arrival times of all requests (token and logs), in order.
	Times []time.Time
	// LogsTimes are those of logs requests only.
	LogsTimes []time.Time
	// Requests are the logs requests in order.
	Requests []Request
	// Rejections are the 429s: when each was sent and the X-RateLimit-Reset
	// it carried.
	Rejections []Rejection
}

// Rejection is one 429 answer.
type Rejection struct {
	At, Reset time.Time
	Agent     string // the request's User-Agent
}

// Request is one logs request: when it came, from which User-Agent, and
// the status it got.
type Request struct {
	At     time.Time
	Agent  string
	Status int
}

// MaxInWindow is the largest number of times within any window [t, t+w).
func MaxInWindow(times []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// Server is a running emulator.
type Server struct {
	opts Options

	mu      sync.Mutex
	events  []stored // sorted by log_id
	tokens  map[string]time.Time
	stats   Stats
	bucket  float64
	refill  time.Time
	sinceOK int // logs requests answered since the last error burst
	burst   int // errors still to send in the current burst

	ln  net.Listener
	srv *http.Server
}

// New returns an emulator; Start makes it listen.
func New(opts Options) *Server {
	if opts.Domain == "" {
		opts.Domain = DefaultDomain
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 24 * time.Hour
	}
	if opts.RateBurst <= 0 {
		opts.RateBurst = max(1, int(math.Ceil(opts.RateLimit)))
	}
	if opts.ErrorStatus == 0 {
		opts.ErrorStatus = http.StatusServiceUnavailable
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, tokens: map[string]time.Time{}}
	s.bucket = float64(opts.RateBurst)
	s.refill = opts.Now()
	return s
}

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// when empty), and serves in the background.
func (s *Server) Start(addr string) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("auth0emu listens on loopback addresses only, not %q", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// URL is http://host:port of a started emulator.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Addr is host:port of a started emulator.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving at once, closing open connections.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Shutdown stops gracefully.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

// Add stores events (auth0gen envelopes); the API serves their `data`.
func (s *Server) Add(events ...auth0gen.Event) error {
	items := make([]stored, 0, len(events))
	for _, ev := range events {
		st, err := s.toStored(ev.JSON)
		if err != nil {
			return fmt.Errorf("event %s: %w", ev.LogID, err)
		}
		items = append(items, st)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, items...)
	sort.SliceStable(s.events, func(i, j int) bool { return s.events[i].logID < s.events[j].logID })
	return nil
}

// Generate adds n events from auth0gen with seed and opts and returns them.
func (s *Server) Generate(seed int64, n int, opts auth0gen.Options) ([]auth0gen.Event, error) {
	g := auth0gen.New(seed, opts)
	evs := make([]auth0gen.Event, n)
	for i := range evs {
		evs[i] = g.Next()
	}
	return evs, s.Add(evs...)
}

// toStored turns an envelope into the API's bare object: `data`, plus `_id`.
func (s *Server) toStored(envelope []byte) (stored, error) {
	var env struct {
		LogID string          `json:"log_id"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(envelope, &env); err != nil {
		return stored{}, err
	}
	var meta struct {
		LogID string `json:"log_id"`
		Date  string `json:"date"`
	}
	if err := json.Unmarshal(env.Data, &meta); err != nil {
		return stored{}, err
	}
	id := meta.LogID
	if id == "" {
		id = env.LogID
	}
	if id == "" {
		return stored{}, errors.New("no log_id")
	}
	date, err := time.Parse(time.RFC3339Nano, meta.Date)
	if err != nil {
		return stored{}, fmt.Errorf("date: %w", err)
	}
	raw := bytes.TrimSpace(env.Data)
	if !s.opts.OmitID {
		// Appended as the last member, where it does not disturb the rest.
		idJSON, _ := json.Marshal(id)
		raw = append(append(append(append([]byte(nil), raw[:len(raw)-1]...), `,"_id":`...), idJSON...), '}')
	}
	return stored{logID: id, date: date, raw: raw}, nil
}

// Len is the number of stored events, retention ignored.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// LogIDs lists the stored log_ids in order.
func (s *Server) LogIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.events))
	for i, e := range s.events {
		out[i] = e.logID
	}
	return out
}

// Stats is a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Times = slices.Clone(s.stats.Times)
	st.LogsTimes = slices.Clone(s.stats.LogsTimes)
	st.Rejections = slices.Clone(s.stats.Rejections)
	st.Requests = slices.Clone(s.stats.Requests)
	return st
}

// ExpireTokens makes every issued token expired, as if its lifetime ended.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = time.Time{}
	}
}

// SetErrors changes the error bursts while running.
func (s *Server) SetErrors(every, burst, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.ErrorEvery, s.opts.ErrorBurst, s.opts.ErrorStatus = every, burst, status
	s.sinceOK, s.burst = 0, 0
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/oauth/token":
		s.token(w, r)
	case "/api/v2/logs":
		s.logs(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"statusCode": 404, "error": "Not Found", "message": "Not Found"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.TokenRequests++
	s.stats.Times = append(s.stats.Times, s.opts.Now())
	s.mu.Unlock()
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTokenBody+1))
	if err != nil || len(body) > maxTokenBody {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "unreadable body"})
		return
	}
	var p struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Audience     string `json:"audience"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &p); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "malformed JSON"})
			return
		}
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "malformed form"})
			return
		}
		p.GrantType, p.ClientID = form.Get("grant_type"), form.Get("client_id")
		p.ClientSecret, p.Audience = form.Get("client_secret"), form.Get("audience")
	}
	switch {
	case p.GrantType != "client_credentials":
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "unauthorized_client", "error_description": "Grant type '" + p.GrantType + "' not allowed for the client."})
	case subtle.ConstantTimeCompare([]byte(p.ClientID), []byte(s.opts.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(p.ClientSecret), []byte(s.opts.ClientSecret)) != 1:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "access_denied", "error_description": "Unauthorized"})
	case p.Audience != "https://"+s.opts.Domain+"/api/v2/":
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied", "error_description": "Service not enabled within domain: " + p.Audience})
	default:
		var raw [24]byte
		_, _ = rand.Read(raw[:])
		tok := hex.EncodeToString(raw[:])
		s.mu.Lock()
		s.tokens[tok] = s.opts.Now().Add(s.opts.TokenTTL)
		s.stats.TokensIssued++
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": tok,
			"token_type":   "Bearer",
			"expires_in":   int(math.Max(1, s.opts.TokenTTL.Seconds())),
			"scope":        "read:logs read:logs_users",
		})
	}
}

// authorized checks the bearer token; it returns the 401 message or "".
func (s *Server) authorized(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "Missing authentication"
	}
	exp, known := s.tokens[tok]
	switch {
	case !known:
		return "Invalid token"
	case !s.opts.Now().Before(exp):
		return "Expired token received for JSON Web Token validation"
	}
	return ""
}

// takeToken spends one request from the rate-limit bucket; ok false means
// 429. It sets the X-RateLimit-* headers either way.
func (s *Server) takeToken(h http.Header) bool {
	if s.opts.RateLimit <= 0 {
		return true
	}
	now := s.opts.Now()
	capacity := float64(s.opts.RateBurst)
	s.bucket = math.Min(capacity, s.bucket+now.Sub(s.refill).Seconds()*s.opts.RateLimit)
	s.refill = now
	ok := s.bucket >= 1
	if ok {
		s.bucket--
	}
	// Reset: when a request will be allowed again (429), or when the bucket
	// is full again; epoch seconds, rounded up.
	need := capacity - s.bucket
	if !ok {
		need = 1 - s.bucket
	}
	reset := now.Add(time.Duration(need / s.opts.RateLimit * float64(time.Second)))
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RateBurst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Floor(s.bucket))))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(reset.UnixNano())/1e9)), 10))
	return ok
}

func (s *Server) logs(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw}
	defer func() {
		s.mu.Lock()
		s.stats.Requests = append(s.stats.Requests, Request{At: w.at, Agent: r.UserAgent(), Status: w.status})
		s.mu.Unlock()
	}()
	s.mu.Lock()
	now := s.opts.Now()
	s.stats.LogsRequests++
	s.stats.Times = append(s.stats.Times, now)
	s.stats.LogsTimes = append(s.stats.LogsTimes, now)
	n := s.stats.LogsRequests
	w.at = now
	if r.Method != http.MethodGet {
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, map[string]any{"statusCode": 404, "error": "Not Found", "message": "Not Found"})
		return
	}
	if msg := s.authorized(r); msg != "" {
		s.stats.Served401++
		s.mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "error": "Unauthorized", "message": msg})
		return
	}
	if !s.takeToken(w.Header()) {
		s.stats.Served429++
		reset, _ := strconv.ParseInt(w.Header().Get("X-RateLimit-Reset"), 10, 64)
		s.stats.Rejections = append(s.stats.Rejections, Rejection{At: now, Reset: time.Unix(reset, 0), Agent: r.UserAgent()})
		s.mu.Unlock()
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"statusCode": 429, "error": "Too Many Requests", "message": "Global limit has been reached", "errorCode": "too_many_requests"})
		return
	}
	if s.opts.ErrorEvery > 0 && s.opts.ErrorBurst > 0 {
		if s.burst == 0 && s.sinceOK >= s.opts.ErrorEvery {
			s.burst, s.sinceOK = s.opts.ErrorBurst, 0
		}
		if s.burst > 0 {
			s.burst--
			s.stats.Served5xx++
			status := s.opts.ErrorStatus
			s.mu.Unlock()
			writeJSON(w, status, map[string]any{"statusCode": status, "error": http.StatusText(status), "message": "emulated failure"})
			return
		}
		s.sinceOK++
	}
	slow := s.opts.SlowEvery > 0 && n%s.opts.SlowEvery == 0
	delay := s.opts.SlowDelay
	body, link, status, events := s.page(r.URL.Query(), now)
	if status == http.StatusOK {
		s.stats.Served200++
		s.stats.EventsServed += events
		if events == 0 {
			s.stats.EmptyPages++
		}
	}
	s.mu.Unlock()

	if slow && delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if link != "" {
		base := "http://" + r.Host
		w.Header().Set("Link", "<"+base+link+">; rel=\"next\"")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) //nolint:gosec // G705: JSON of generated events, served as application/json to the receiver under test
}

func badRequest(msg string) ([]byte, string, int, int) {
	b, _ := json.Marshal(map[string]any{"statusCode": 400, "error": "Bad Request", "message": msg, "errorCode": "invalid_query_string"})
	return b, "", http.StatusBadRequest, 0
}

// visible are the stored events within retention; s.mu is held.
func (s *Server) visible(now time.Time) []stored {
	if s.opts.Retention <= 0 {
		return s.events
	}
	cut := now.Add(-s.opts.Retention)
	out := make([]stored, 0, len(s.events))
	for _, e := range s.events {
		if !e.date.Before(cut) {
			out = append(out, e)
		}
	}
	return out
}

// page answers a logs query; s.mu is held.
func (s *Server) page(q url.Values, now time.Time) (body []byte, link string, status, events int) {
	evs := s.visible(now)
	if q.Has("from") || q.Has("take") {
		take := DefaultTake
		if v := q.Get("take"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxTake {
				return badRequest(fmt.Sprintf("Query validation error: 'take' must be an integer between 1 and %d", MaxTake))
			}
			take = n
		}
		from := q.Get("from")
		i := sort.Search(len(evs), func(i int) bool { return evs[i].logID > from })
		sel := evs[i:min(len(evs), i+take)]
		next := from
		if len(sel) > 0 {
			next = sel[len(sel)-1].logID
		}
		v := url.Values{}
		v.Set("from", next)
		v.Set("take", strconv.Itoa(take))
		return encode(sel), "/api/v2/logs?" + v.Encode(), http.StatusOK, len(sel)
	}
	perPage := DefaultTake
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxTake {
			return badRequest(fmt.Sprintf("Query validation error: 'per_page' must be an integer between 1 and %d", MaxTake))
		}
		perPage = n
	}
	pageNo := 0
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("Query validation error: 'page' must be a non-negative integer")
		}
		pageNo = n
	}
	if (pageNo+1)*perPage > maxSearchWindow {
		return badRequest("You can only page through the first 1000 records. See https://auth0.com/docs/logs/retrieve-log-events-using-mgmt-api#limitations")
	}
	sorted := slices.Clone(evs)
	switch sortBy := q.Get("sort"); sortBy {
	case "", "date:-1":
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].date.After(sorted[j].date) })
	case "date:1":
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].date.Before(sorted[j].date) })
	default:
		return badRequest("Query validation error: unsupported sort '" + sortBy + "' (the emulator knows date:1 and date:-1)")
	}
	lo := min(len(sorted), pageNo*perPage)
	hi := min(len(sorted), lo+perPage)
	return encode(sorted[lo:hi]), "", http.StatusOK, hi - lo
}

func encode(evs []stored) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e.raw)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// Event returns the stored bare object of logID as the API serves it.
func (s *Server) Event(logID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.events), func(i int) bool { return s.events[i].logID >= logID })
	if i < len(s.events) && s.events[i].logID == logID {
		return slices.Clone(s.events[i].raw), true
	}
	return nil, false
}

type statusWriter struct {
	http.ResponseWriter
	status int
	at     time.Time
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
