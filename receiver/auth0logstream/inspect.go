// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"

	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

// The glue between the receiver and its request inspector. Every hook is
// a no-op when the inspector is off: r.inspector is nil, and so is every
// *inspector.Record, whose methods do nothing on nil.
//
// Hooks in handler.go (gate, ingest, reject) and receiver.go (the two
// fields, newLogsReceiver, Start, Shutdown) call only what is here.

// newInspector returns the ring of request records, or nil when off.
func newInspector(cfg *Config) *inspector.Inspector {
	if !cfg.Inspector.enabled() {
		return nil
	}
	return inspector.New(inspector.Settings{MaxRequests: cfg.Inspector.MaxRequests, MaskPII: cfg.Inspector.MaskPII})
}

// startInspector opens the inspector's own loopback listener.
func (r *logsReceiver) startInspector(ctx context.Context) error {
	if r.inspector == nil {
		return nil
	}
	ln, err := inspector.Listen(ctx, r.cfg.Inspector.Endpoint)
	if err != nil {
		return fmt.Errorf("inspector: %w", err)
	}
	r.inspectorSrv = inspector.Serve(r.inspector, ln)
	r.logger.Info("Request inspector listening",
		zap.String("url", "http://"+ln.Addr().String()+"/"),
		zap.Int("max_requests", r.inspector.Capacity()),
		zap.Bool("mask_pii", r.inspector.MaskPII()))
	if !r.inspector.MaskPII() {
		r.logger.Warn("Request inspector shows body samples with PII unmasked (inspector.mask_pii is false)")
	}
	return nil
}

// stopInspector closes the inspector's listener; nil-safe.
func (r *logsReceiver) stopInspector(ctx context.Context) error {
	return r.inspectorSrv.Shutdown(ctx)
}

type inspectorRecordKey struct{}

// inspectBegin starts the record of a request that reached the receiver's
// port and carries it in the request's context to the later hooks. With the
// inspector off it returns req unchanged and a nil record.
func (r *logsReceiver) inspectBegin(req *http.Request) (*http.Request, *inspector.Record) {
	if r.inspector == nil {
		return req, nil
	}
	rec := r.inspector.Begin(req)
	if req.URL.Path != r.cfg.Path {
		for _, secret := range r.cfg.secrets() {
			if containsSecret(req.URL.Path, secret) || containsSecret(req.URL.EscapedPath(), secret) {
				// A token typed into the stream's URL must not reach the page.
				rec.HidePath("it contains a configured secret")
				break
			}
		}
	}
	return req.WithContext(context.WithValue(req.Context(), inspectorRecordKey{}, rec)), rec
}

// inspectRecord returns the record of req, or nil.
func (r *logsReceiver) inspectRecord(req *http.Request) *inspector.Record {
	if r.inspector == nil {
		return nil
	}
	rec, _ := req.Context().Value(inspectorRecordKey{}).(*inspector.Record)
	return rec
}

// inspectAuthenticated returns the record of a request that passed every
// check (it reached ingest), marked as authenticated: only such requests get
// body samples. nil when off.
func (r *logsReceiver) inspectAuthenticated(req *http.Request) *inspector.Record {
	rec := r.inspectRecord(req)
	rec.Authenticated()
	return rec
}

// inspectBody prepares an inspected request's ingest: the batch reports
// each value to the record (which samples the first event and the first
// malformed value), and the body is counted as it is read. With the
// inspector off it returns body itself and changes nothing.
func inspectBody(rec *inspector.Record, body io.Reader, batch *translator.Batch) io.Reader {
	if rec == nil {
		batch.Observe(nil)
		return body
	}
	batch.Observe(rec)
	return &countingReader{r: body}
}

// inspectStats records the counts and the detected Content Format once the
// body has been read (or has failed).
func inspectStats(rec *inspector.Record, body io.Reader, format jsonframe.Format, stats translator.Stats) {
	cr, ok := body.(*countingReader)
	if rec == nil || !ok {
		return
	}
	rec.Counts(stats.Accepted, stats.Duplicates, stats.Malformed, cr.n)
	rec.Format(formatName(format, stats.Events+stats.Malformed))
}

// formatName names the framing the scanner chose as Auth0 names its Content
// Formats. One object on one line is both a JSON Object and one-line JSON
// Lines: the bytes are the same.
func formatName(f jsonframe.Format, values int) string {
	switch f {
	case jsonframe.FormatArray:
		return inspector.FormatJSONArray
	case jsonframe.FormatStream:
		return inspector.FormatJSONObject
	case jsonframe.FormatLines:
		if values == 1 {
			return inspector.FormatJSONObject + " or one-line " + inspector.FormatJSONLines
		}
		return inspector.FormatJSONLines
	}
	return ""
}

// countingReader counts the (decompressed) bytes of a body.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// containsSecret reports whether s contains secret, comparing every window
// of the (bounded) path in constant time, so that the time taken depends on
// the lengths only, never on where a partial match stops.
func containsSecret(s, secret string) bool {
	if len(s) > inspector.MaxPathBytes*3 {
		s = s[:inspector.MaxPathBytes*3] // the escaped path is shown up to MaxPathBytes
	}
	found := 0
	for i := 0; i+len(secret) <= len(s); i++ {
		found |= subtle.ConstantTimeCompare([]byte(s[i:i+len(secret)]), []byte(secret))
	}
	return found == 1
}
