// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Bounds of every stored field.
const (
	DefaultMaxRequests  = 50
	MaxPathBytes        = 256
	MaxHeaderValueBytes = 128
	MaxRemoteBytes      = 64
	MaxReasonBytes      = 512
	MaxFormatBytes      = 48
	MaxSampleBytes      = 4 << 10
	MaxHeaderChecks     = 16
	MaxHeaderNameBytes  = 64
	// MaxScanBytes bounds the input the masking of one sample reads.
	MaxScanBytes = 64 << 10
	// MaxRecordBytes bounds the memory of one stored record, struct included.
	MaxRecordBytes = 12 << 10
)

// Content formats, as Auth0's stream settings name them.
const (
	FormatJSONLines  = "JSON Lines"
	FormatJSONArray  = "JSON Array"
	FormatJSONObject = "JSON Object"
)

// Settings configure an Inspector.
type Settings struct {
	// MaxRequests is the number of records kept; the oldest is dropped first.
	MaxRequests int
	// MaskPII masks the PII fields in body samples.
	MaskPII bool
}

// Inspector is a ring of the most recent request records. A nil *Inspector
// is valid and records nothing.
type Inspector struct {
	maskPII bool
	pool    sync.Pool // *Record

	mu    sync.Mutex
	ring  []entry // len == capacity once full
	next  int     // slot the next commit writes
	seq   uint64  // requests committed so far
	limit int
}

// New returns an Inspector keeping the last s.MaxRequests records
// (DefaultMaxRequests when not positive).
func New(s Settings) *Inspector {
	n := s.MaxRequests
	if n <= 0 {
		n = DefaultMaxRequests
	}
	in := &Inspector{maskPII: s.MaskPII, limit: n, ring: make([]entry, 0, n)}
	in.pool.New = func() any { return &Record{} }
	return in
}

// AuthSummary describes the Authorization header without its value.
type AuthSummary struct {
	// Checked is false when the receiver requires no token.
	Checked bool `json:"checked"`
	Present bool `json:"present"`
	// Count is the number of Authorization headers (more than one is refused).
	Count   int  `json:"count,omitempty"`
	Matched bool `json:"matched"`
	// Length and BearerPrefix are set only for a non-matching header.
	Length       int  `json:"length,omitempty"`
	BearerPrefix bool `json:"bearer_prefix,omitempty"`
}

// HeaderCheck is the outcome of one required header, without its value.
type HeaderCheck struct {
	Name    string `json:"name"`
	Present bool   `json:"present"`
	Matched bool   `json:"matched"`
}

// entry is what the ring stores; it is filled by a Record during a request.
type entry struct {
	seq             uint64
	time            time.Time
	remote          string
	method          string
	path            string
	pathTruncated   bool
	queryBytes      int
	contentType     string
	contentEncoding string
	contentLength   int64
	format          string
	status          int
	reason          string
	accepted        int
	duplicates      int
	malformed       int
	bodyBytes       int64
	duration        time.Duration
	authenticated   bool
	auth            AuthSummary
	headers         [MaxHeaderChecks]HeaderCheck
	nHeaders        int
	headersOmitted  int
	masked          bool

	event              []byte // masked first event, cap MaxSampleBytes
	eventTaken         bool
	eventTruncated     bool
	malformedLine      []byte // masked first malformed line, cap MaxSampleBytes
	malformedTaken     bool
	malformedTruncated bool
	malformedReason    string
}

// Record collects what one request did. It is obtained from Begin, filled
// by the request's goroutine only, and handed back with Commit. Every method
// is a no-op on a nil *Record, which is what Begin returns when the
// inspector is off.
type Record struct {
	in    *Inspector
	start time.Time
	e     entry
}

// Begin starts the record of req: time, remote address, method, path and
// the content headers. It returns nil when in is nil.
func (in *Inspector) Begin(req *http.Request) *Record {
	if in == nil {
		return nil
	}
	rec := in.pool.Get().(*Record)
	rec.in = in
	rec.start = time.Now()
	e := &rec.e
	// Keep the sample buffers this Record owns; reset everything else.
	ev, ml := e.event[:0], e.malformedLine[:0]
	*e = entry{event: ev, malformedLine: ml, masked: in.maskPII}
	e.time = rec.start
	e.remote, _ = clipOwn(req.RemoteAddr, MaxRemoteBytes)
	e.method = SafeMethod(req.Method)
	e.path, e.pathTruncated = clip(req.URL.EscapedPath(), MaxPathBytes)
	e.queryBytes = len(req.URL.RawQuery)
	e.contentType, _ = clipOwn(req.Header.Get("Content-Type"), MaxHeaderValueBytes)
	e.contentEncoding, _ = clipOwn(req.Header.Get("Content-Encoding"), MaxHeaderValueBytes)
	e.contentLength = req.ContentLength
	if v := req.Header["Authorization"]; len(v) > 0 {
		e.auth.Present, e.auth.Count = true, len(v)
	}
	return rec
}

// Authorization records the outcome of the token check. values are the
// request's Authorization headers; only their number, and for a mismatch
// the length of the first and whether it starts with "Bearer ", are kept.
func (rec *Record) Authorization(values []string, matched bool) {
	if rec == nil {
		return
	}
	a := &rec.e.auth
	a.Checked, a.Present, a.Count, a.Matched = true, len(values) > 0, len(values), matched
	if !matched && len(values) > 0 {
		a.Length = len(values[0])
		a.BearerPrefix = len(values[0]) >= 7 && strings.EqualFold(values[0][:7], "Bearer ")
	}
}

// Header records the outcome of one required header, by name only.
func (rec *Record) Header(name string, present, matched bool) {
	if rec == nil {
		return
	}
	e := &rec.e
	if e.nHeaders == MaxHeaderChecks {
		e.headersOmitted++
		return
	}
	n, _ := clip(name, MaxHeaderNameBytes)
	e.headers[e.nHeaders] = HeaderCheck{Name: n, Present: present, Matched: matched}
	e.nHeaders++
}

// HidePath replaces the recorded path with a note saying why it is hidden.
func (rec *Record) HidePath(why string) {
	if rec == nil {
		return
	}
	rec.e.path, _ = clipOwn("(hidden: "+why+")", MaxPathBytes)
	rec.e.pathTruncated = false
}

// Authenticated marks the request as having passed every check; only then
// are samples taken.
func (rec *Record) Authenticated() {
	if rec == nil {
		return
	}
	rec.e.authenticated = true
}

// WantsEvent reports whether the first event is still to be sampled.
func (rec *Record) WantsEvent() bool {
	return rec != nil && rec.e.authenticated && !rec.e.eventTaken
}

// WantsMalformed reports whether the first malformed line is still to be
// sampled.
func (rec *Record) WantsMalformed() bool {
	return rec != nil && rec.e.authenticated && !rec.e.malformedTaken
}

// Event samples raw as the request's first event (only the first call of an
// authenticated request counts).
func (rec *Record) Event(raw []byte) {
	if !rec.WantsEvent() {
		return
	}
	e := &rec.e
	e.eventTaken = true
	e.event, e.eventTruncated = sample(e.event, raw, e.masked, false)
}

// Malformed samples raw as the first malformed line, with the reason.
func (rec *Record) Malformed(raw []byte, reason string) {
	if !rec.WantsMalformed() {
		return
	}
	e := &rec.e
	e.malformedTaken = true
	e.malformedLine, e.malformedTruncated = sample(e.malformedLine, raw, e.masked, true)
	e.malformedReason, _ = clipOwn(reason, MaxReasonBytes)
}

// Format records the detected Content Format (see the Format* constants).
func (rec *Record) Format(f string) {
	if rec == nil {
		return
	}
	rec.e.format, _ = clipOwn(f, MaxFormatBytes)
}

// Counts records what the body held.
func (rec *Record) Counts(accepted, duplicates, malformed int, bodyBytes int64) {
	if rec == nil {
		return
	}
	e := &rec.e
	e.accepted, e.duplicates, e.malformed, e.bodyBytes = accepted, duplicates, malformed, bodyBytes
}

// Answer records the status sent and its reason. A later call wins, so the
// last answer written is the one kept.
func (rec *Record) Answer(status int, reason string) {
	if rec == nil {
		return
	}
	rec.e.status = status
	rec.e.reason, _ = clipOwn(reason, MaxReasonBytes)
}

// Commit stores rec in the ring, dropping the oldest record when full, and
// recycles rec. rec must not be used afterwards. A nil rec is ignored.
func (in *Inspector) Commit(rec *Record) {
	if in == nil || rec == nil {
		return
	}
	rec.e.duration = time.Since(rec.start)
	in.mu.Lock()
	in.seq++
	rec.e.seq = in.seq
	if len(in.ring) < in.limit {
		in.ring = append(in.ring, entry{})
	}
	slot := &in.ring[in.next]
	// Swap instead of copy: the slot takes this request's sample buffers and
	// hands its old ones to the Record for a later request.
	oldEvent, oldMalformed := slot.event, slot.malformedLine
	*slot = rec.e
	in.next = (in.next + 1) % in.limit
	in.mu.Unlock()

	rec.e = entry{event: oldEvent[:0], malformedLine: oldMalformed[:0]}
	rec.in = nil
	in.pool.Put(rec)
}

// Snapshot returns the stored records, newest first, and the number of
// requests committed so far.
func (in *Inspector) Snapshot() ([]View, uint64) {
	if in == nil {
		return nil, 0
	}
	// Copy under the lock (the samples are bytes the ring reuses), mask and
	// format outside it, so that a page view never holds up requests.
	in.mu.Lock()
	entries := make([]entry, 0, len(in.ring))
	for i := 1; i <= len(in.ring); i++ {
		e := in.ring[(in.next-i+len(in.ring))%len(in.ring)]
		e.event = bytes.Clone(e.event)
		e.malformedLine = bytes.Clone(e.malformedLine)
		entries = append(entries, e)
	}
	seq := in.seq
	in.mu.Unlock()

	views := make([]View, 0, len(entries))
	for i := range entries {
		views = append(views, entries[i].view())
	}
	return views, seq
}

// Capacity is the number of records kept.
func (in *Inspector) Capacity() int {
	if in == nil {
		return 0
	}
	return in.limit
}

// MaskPII reports whether samples are masked.
func (in *Inspector) MaskPII() bool { return in != nil && in.maskPII }

// SafeMethod keeps arbitrary request-line text out of the record and the
// receiver's logs: a sender that misplaces its token puts it wherever it
// likes, the method included.
func SafeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "other"
}

// clipOwn is clip for a string that is its own allocation (a header value,
// the remote address, a reason built for this request): one that needs no
// cut or repair is kept as it is, since keeping it pins no more than its
// own, bounded, bytes. Strings that may share memory with something larger
// (the path, a substring of the request line) go through clip.
func clipOwn(s string, n int) (string, bool) {
	if len(s) <= n {
		for i := range len(s) {
			if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
				return clip(s, n)
			}
		}
		return s, false
	}
	return clip(s, n)
}

// clip returns s as valid UTF-8 without control characters, cut at a rune
// boundary to at most n bytes, as a copy that does not keep s's memory
// alive, and whether anything was cut.
func clip(s string, n int) (string, bool) {
	clean := true
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		if len(s) <= n {
			return strings.Clone(s), false
		}
		return strings.Clone(s[:n]), true
	}
	var b strings.Builder
	b.Grow(min(len(s), n))
	cut := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			r = utf8.RuneError
		}
		if b.Len()+utf8.RuneLen(r) > n {
			cut = true
			break
		}
		b.WriteRune(r)
	}
	return b.String(), cut
}
