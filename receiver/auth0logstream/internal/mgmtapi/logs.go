// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package mgmtapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
)

const logsPath = "/api/v2/logs"

// Cursor says which page to fetch: Next (a rel="next" link) when set, else
// from=From&take=Take.
type Cursor struct {
	Next string
	From string
	Take int
}

// Page is one answer of GET /api/v2/logs in checkpoint mode.
type Page struct {
	// Events are the raw JSON objects, bare tenant-log events (no envelope),
	// in the order Auth0 sent them (log_id order). Each is a copy, owned by
	// the caller.
	Events [][]byte
	// LogIDs[i] and Dates[i] describe Events[i]: "" and the zero time when
	// the event lacks them.
	LogIDs []string
	Dates  []time.Time
	// Next is the absolute rel="next" link, or "" when there was none (or
	// it pointed outside the tenant's origin, where the token must not go).
	Next string
	// RateLimitRemaining is X-RateLimit-Remaining of the answer, -1 if absent.
	RateLimitRemaining int64
}

// LastLogID is the log_id of the last event that has one, or "".
func (p *Page) LastLogID() string {
	for i := len(p.LogIDs) - 1; i >= 0; i-- {
		if p.LogIDs[i] != "" {
			return p.LogIDs[i]
		}
	}
	return ""
}

// Newest is the latest date in the page (zero when none has a date).
func (p *Page) Newest() time.Time {
	var t time.Time
	for _, d := range p.Dates {
		if d.After(t) {
			t = d
		}
	}
	return t
}

// LogsURL is the checkpoint-mode URL for from and take.
func (c *Client) LogsURL(from string, take int) string {
	u := c.base.JoinPath(logsPath)
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	q.Set("take", strconv.Itoa(take))
	u.RawQuery = q.Encode()
	return u.String()
}

// Fetch gets one page.
func (c *Client) Fetch(ctx context.Context, cur Cursor) (*Page, error) {
	u := cur.Next
	if u == "" {
		if cur.Take < 1 || cur.Take > MaxTake {
			return nil, fmt.Errorf("take %d is not in 1..%d", cur.Take, MaxTake)
		}
		u = c.LogsURL(cur.From, cur.Take)
	}
	r, err := c.do(ctx, "logs", http.MethodGet, u, nil, "", true, c.s.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	p, err := parseEvents(r.body)
	if err != nil {
		return nil, &APIError{Op: "logs", Status: r.status, Message: err.Error()}
	}
	p.RateLimitRemaining = -1
	if rem, err := strconv.ParseInt(r.header.Get("X-RateLimit-Remaining"), 10, 64); err == nil {
		p.RateLimitRemaining = rem
	}
	if next := nextLink(r.header.Values("Link")); next != "" {
		abs, err := c.sameOrigin(u, next)
		if err != nil {
			c.logger.Warn("Ignoring the rel=\"next\" link of a logs page; continuing from the last log_id instead",
				zap.Error(err))
		} else {
			p.Next = abs
		}
	}
	return p, nil
}

// sameOrigin resolves link against the request URL and refuses another
// origin: the bearer token goes to the tenant only.
func (c *Client) sameOrigin(reqURL, link string) (string, error) {
	ref, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("next link is not a URL: %w", err)
	}
	base, err := url.Parse(reqURL)
	if err != nil {
		return "", err
	}
	abs := base.ResolveReference(ref)
	if abs.Scheme != c.base.Scheme || abs.Host != c.base.Host {
		return "", fmt.Errorf("next link points to another origin (%s://%s)", abs.Scheme, abs.Host)
	}
	if abs.Path != logsPath {
		return "", fmt.Errorf("next link points to %q, not %s", abs.Path, logsPath)
	}
	return abs.String(), nil
}

// nextLink finds the rel="next" target among Link header values
// (RFC 8288: `<uri>; rel="next", <uri>; rel="prev"`).
func nextLink(values []string) string {
	for _, v := range values {
		for len(v) > 0 {
			v = strings.TrimLeft(v, " \t,")
			if !strings.HasPrefix(v, "<") {
				break
			}
			end := strings.IndexByte(v, '>')
			if end < 0 {
				break
			}
			target := v[1:end]
			v = v[end+1:]
			params := v
			if i := strings.Index(v, ",<"); i >= 0 {
				params, v = v[:i], v[i+1:]
			} else if i := strings.Index(v, ", <"); i >= 0 {
				params, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			for p := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for rel := range strings.FieldsSeq(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
		}
	}
	return ""
}

// eventMeta is what the client needs to know of each event.
type eventMeta struct {
	LogID string `json:"log_id"`
	ID    string `json:"_id"`
	Date  string `json:"date"`
}

// parseEvents reads a JSON array of objects.
func parseEvents(body []byte) (*Page, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, fmt.Errorf("logs response is not a JSON array: %w", err)
	}
	p := &Page{
		Events: make([][]byte, 0, len(raws)),
		LogIDs: make([]string, 0, len(raws)),
		Dates:  make([]time.Time, 0, len(raws)),
	}
	for i, raw := range raws {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			return nil, fmt.Errorf("logs response element %d is not a JSON object", i)
		}
		var m eventMeta
		_ = json.Unmarshal(raw, &m) // a field of another type leaves it empty
		logID := m.LogID
		if logID == "" {
			logID = m.ID
		}
		var date time.Time
		if m.Date != "" {
			date, _ = time.Parse(time.RFC3339Nano, m.Date)
		}
		ev := raw
		if m.ID != "" && m.ID == m.LogID {
			ev = StripMember(raw, "_id")
		}
		p.Events = append(p.Events, bytes.Clone(ev))
		p.LogIDs = append(p.LogIDs, logID)
		p.Dates = append(p.Dates, date)
	}
	return p, nil
}

// StripMember returns obj without its top-level member named key, every
// other byte unchanged. The API adds `_id`, a copy of `log_id`, that a log
// stream does not send; removing it makes a pulled event the same object a
// stream delivers. obj is returned as it is when it has no such member or
// cannot be read.
func StripMember(obj []byte, key string) []byte {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return obj
	}
	for dec.More() {
		start := dec.InputOffset() // just after '{' or after the previous value
		t, err := dec.Token()
		if err != nil {
			return obj
		}
		k, _ := t.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return obj
		}
		end := dec.InputOffset()
		if k != key {
			continue
		}
		// obj[start:end] is the member, with its leading comma unless it is
		// the first one; the first one takes the comma after it instead.
		member := bytes.TrimLeft(obj[start:end], " \t\r\n")
		rest := obj[end:]
		if len(member) == 0 || member[0] != ',' {
			r := bytes.TrimLeft(rest, " \t\r\n")
			if len(r) > 0 && r[0] == ',' {
				rest = r[1:]
			}
		}
		out := make([]byte, 0, len(obj)-int(end-start))
		out = append(out, obj[:start]...)
		return append(out, rest...)
	}
	return obj
}

// StartKind is how start_at reads.
type StartKind int

const (
	StartDuration StartKind = iota // a duration back in time
	StartNow                       // after the newest event
	StartLogID                     // after this log_id
)

// Start is a parsed start_at.
type Start struct {
	Kind     StartKind
	Duration time.Duration
	LogID    string
}

// ParseStart reads start_at: "now", a duration ("24h", "90m", or days such
// as "7d"), or a log_id (letters and digits, up to 128).
func ParseStart(s string) (Start, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Start{}, errors.New(`start_at is empty: use a duration such as "24h", "now" or a log_id`)
	case strings.EqualFold(s, "now"):
		return Start{Kind: StartNow}, nil
	}
	if d, ok := parseDays(s); ok {
		return durationStart(d, s)
	}
	if d, err := time.ParseDuration(s); err == nil {
		return durationStart(d, s)
	}
	if len(s) > 128 {
		return Start{}, fmt.Errorf("start_at %q: a log_id is at most 128 characters", s[:16]+"...")
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return Start{}, fmt.Errorf(`start_at %q is neither a duration ("24h", "7d"), "now", nor a log_id (letters and digits)`, s)
		}
	}
	return Start{Kind: StartLogID, LogID: s}, nil
}

func durationStart(d time.Duration, s string) (Start, error) {
	if d <= 0 {
		return Start{}, fmt.Errorf("start_at %q: the duration must be positive", s)
	}
	return Start{Kind: StartDuration, Duration: d}, nil
}

func parseDays(s string) (time.Duration, bool) {
	n, ok := strings.CutSuffix(s, "d")
	if !ok {
		return 0, false
	}
	days, err := strconv.Atoi(n)
	if err != nil || days < 0 || days > 3650 {
		return 0, false
	}
	return time.Duration(days) * 24 * time.Hour, true
}

// logIDTimeLayout is the UTC time that follows "900" in a log_id.
const logIDTimeLayout = "20060102150405"

// FromTime is a `from` value that sorts before every log_id of second t
// and after every earlier one: "900" and t as YYYYMMDDhhmmss. A real log_id
// of that second extends it, so it compares greater. This is how Elastic's
// Auth0 input turns a look-back window into its first `from`.
func FromTime(t time.Time) string {
	return "900" + t.UTC().Format(logIDTimeLayout)
}

// logIDTimePrefix is "900" and the time of a log_id, when it has that shape.
func logIDTimePrefix(logID string) (string, bool) {
	const n = 3 + len(logIDTimeLayout)
	if len(logID) < n || !strings.HasPrefix(logID, "900") {
		return "", false
	}
	if _, err := time.Parse(logIDTimeLayout, logID[3:n]); err != nil {
		return "", false
	}
	return logID[:n], true
}

// StartResolution is where a first run begins.
type StartResolution struct {
	From string // the `from` of the first request
	// Warning is set when the requested start is older than the oldest event
	// the tenant still holds.
	Warning string
}

// searchOne returns the first event of a search-mode request sorted by
// sort ("date:1" oldest first, "date:-1" newest first), or nil for none.
func (c *Client) searchOne(ctx context.Context, sort string) (*eventMeta, time.Time, error) {
	u := c.base.JoinPath(logsPath)
	q := url.Values{}
	q.Set("sort", sort)
	q.Set("per_page", "1")
	q.Set("page", "0")
	q.Set("include_totals", "false")
	u.RawQuery = q.Encode()
	r, err := c.do(ctx, "logs", http.MethodGet, u.String(), nil, "", true, c.s.MaxBodyBytes)
	if err != nil {
		return nil, time.Time{}, err
	}
	p, err := parseEvents(r.body)
	if err != nil {
		return nil, time.Time{}, &APIError{Op: "logs", Status: r.status, Message: err.Error()}
	}
	if len(p.Events) == 0 || p.LogIDs[0] == "" {
		return nil, time.Time{}, nil
	}
	return &eventMeta{LogID: p.LogIDs[0]}, p.Dates[0], nil
}

// ResolveStart turns start_at into the `from` of the first request:
//
//   - a log_id: that log_id (the first page starts after it);
//   - "now": the log_id of the newest event (search mode, sort=date:-1,
//     per_page=1), or FromTime(now) on a tenant without events;
//   - a duration d: FromTime(now-d), so the first event is the first one at
//     or after now-d, to the second. The oldest event still held is looked
//     up first (sort=date:1, per_page=1): when it is newer than now-d, the
//     events before it are gone (log retention is 1 to 30 days by plan), a
//     warning says so, and the pull starts at the oldest.
func (c *Client) ResolveStart(ctx context.Context, st Start, now time.Time) (StartResolution, error) {
	switch st.Kind {
	case StartLogID:
		return StartResolution{From: st.LogID}, nil
	case StartNow:
		newest, _, err := c.searchOne(ctx, "date:-1")
		if err != nil {
			return StartResolution{}, err
		}
		if newest == nil {
			return StartResolution{From: FromTime(now)}, nil
		}
		return StartResolution{From: newest.LogID}, nil
	}
	target := now.Add(-st.Duration)
	res := StartResolution{From: FromTime(target)}
	oldest, date, err := c.searchOne(ctx, "date:1")
	if err != nil {
		return StartResolution{}, err
	}
	if oldest == nil {
		return res, nil
	}
	if !date.IsZero() && date.After(target.Add(time.Second)) {
		res.Warning = fmt.Sprintf("start_at asks for events since %s, but the oldest event the tenant still holds is from %s: "+
			"events before it are gone (Auth0 keeps logs 1 to 30 days, by plan) or never existed; starting from the oldest",
			target.UTC().Format(time.RFC3339), date.UTC().Format(time.RFC3339))
		if prefix, ok := logIDTimePrefix(oldest.LogID); ok && prefix < res.From {
			res.From = prefix
		} else {
			res.From = FromTime(date)
		}
	}
	return res, nil
}
