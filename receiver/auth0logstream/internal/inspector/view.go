// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"fmt"
	"net/http"
	"time"
)

// View is one request as served in requests.json and on the page.
type View struct {
	ID              uint64    `json:"id"`
	Time            time.Time `json:"time"`
	Remote          string    `json:"remote"`
	Method          string    `json:"method"`
	Path            string    `json:"path"`
	PathTruncated   bool      `json:"path_truncated,omitempty"`
	QueryBytes      int       `json:"query_bytes,omitempty"`
	ContentType     string    `json:"content_type"`
	ContentEncoding string    `json:"content_encoding"`
	// ContentLength is the declared length; -1 when none was declared.
	ContentLength int64  `json:"content_length"`
	ContentFormat string `json:"content_format"`
	Status        int    `json:"status"`
	Reason        string `json:"reason"`
	Accepted      int    `json:"accepted"`
	Duplicates    int    `json:"duplicates"`
	Malformed     int    `json:"malformed"`
	// BodyBytes is how much of the (decompressed) body the receiver read.
	BodyBytes              int64         `json:"body_bytes"`
	DurationMS             float64       `json:"duration_ms"`
	Authenticated          bool          `json:"authenticated"`
	Authorization          AuthSummary   `json:"authorization"`
	RequiredHeaders        []HeaderCheck `json:"required_headers,omitempty"`
	RequiredHeadersOmitted int           `json:"required_headers_omitted,omitempty"`
	Sample                 *Sample       `json:"sample,omitempty"`
}

// Sample is the bounded body sample of an authenticated request.
type Sample struct {
	PIIMasked               bool   `json:"pii_masked"`
	FirstEvent              string `json:"first_event,omitempty"`
	FirstEventTruncated     bool   `json:"first_event_truncated,omitempty"`
	FirstMalformed          string `json:"first_malformed,omitempty"`
	FirstMalformedTruncated bool   `json:"first_malformed_truncated,omitempty"`
	MalformedReason         string `json:"malformed_reason,omitempty"`
}

func (e *entry) view() View {
	v := View{
		ID:                     e.seq,
		Time:                   e.time.UTC(),
		Remote:                 e.remote,
		Method:                 e.method,
		Path:                   e.path,
		PathTruncated:          e.pathTruncated,
		QueryBytes:             e.queryBytes,
		ContentType:            e.contentType,
		ContentEncoding:        e.contentEncoding,
		ContentLength:          e.contentLength,
		ContentFormat:          e.format,
		Status:                 e.status,
		Reason:                 e.reason,
		Accepted:               e.accepted,
		Duplicates:             e.duplicates,
		Malformed:              e.malformed,
		BodyBytes:              e.bodyBytes,
		DurationMS:             float64(e.duration.Microseconds()) / 1000,
		Authenticated:          e.authenticated,
		Authorization:          e.auth,
		RequiredHeadersOmitted: e.headersOmitted,
	}
	if e.nHeaders > 0 {
		v.RequiredHeaders = append([]HeaderCheck(nil), e.headers[:e.nHeaders]...)
	}
	if e.authenticated && (e.eventTaken || e.malformedTaken) {
		v.Sample = &Sample{PIIMasked: e.masked}
		if e.eventTaken {
			// Masked and made display-safe when taken: PII is never stored.
			v.Sample.FirstEvent = string(e.event)
			v.Sample.FirstEventTruncated = e.eventTruncated
		}
		if e.malformedTaken {
			v.Sample.FirstMalformed = string(e.malformedLine)
			v.Sample.FirstMalformedTruncated = e.malformedTruncated
			v.Sample.MalformedReason = e.malformedReason
		}
	}
	return v
}

// StatusText is the status as a person reads it, e.g. "401 Unauthorized".
func (v View) StatusText() string {
	if v.Status == 0 {
		return "no answer recorded"
	}
	return fmt.Sprintf("%d %s", v.Status, http.StatusText(v.Status))
}

// StatusClass is the CSS class of the status: ok, client or server.
func (v View) StatusClass() string {
	switch {
	case v.Status >= 200 && v.Status < 300:
		return "ok"
	case v.Status >= 500:
		return "server"
	default:
		return "client"
	}
}

// AuthText summarizes the Authorization header in words.
func (v View) AuthText() string {
	a := v.Authorization
	switch {
	case !a.Checked && a.Present:
		return "present (no token configured)"
	case !a.Checked:
		return "absent (no token configured)"
	case !a.Present:
		return "missing"
	case a.Count > 1:
		return fmt.Sprintf("%d Authorization headers (one expected)", a.Count)
	case a.Matched:
		return "matched"
	case a.BearerPrefix:
		return fmt.Sprintf(`did not match: %d bytes, starts with "Bearer "`, a.Length)
	default:
		return fmt.Sprintf(`did not match: %d bytes, no "Bearer " prefix`, a.Length)
	}
}

// DurationText is the time taken in words, e.g. "350 µs" or "12.3 ms".
func (v View) DurationText() string {
	if v.DurationMS < 1 {
		return fmt.Sprintf("%.0f µs", v.DurationMS*1000)
	}
	return fmt.Sprintf("%.1f ms", v.DurationMS)
}

// LengthText is the declared Content-Length in words.
func (v View) LengthText() string {
	if v.ContentLength < 0 {
		return "not declared (chunked)"
	}
	return fmt.Sprintf("%d bytes", v.ContentLength)
}

// NoSampleReason says why a request has no body sample.
func (v View) NoSampleReason() string {
	switch {
	case !v.Authenticated && v.Authorization.Checked && !v.Authorization.Matched:
		return "not authenticated: the body was not read"
	case !v.Authenticated:
		return "refused before the body was read"
	case v.Status == http.StatusRequestEntityTooLarge:
		return "the body was refused before an event was read"
	default:
		return "the body held no event and no malformed line"
	}
}
