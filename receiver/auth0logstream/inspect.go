package auth0logstream

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"

	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
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
	if tok := r.cfg.AuthorizationToken; tok != "" && req.URL.Path != r.cfg.Path &&
		(containsSecret(req.URL.Path, string(tok)) || containsSecret(req.URL.EscapedPath(), string(tok))) {
		// A token typed into the stream's URL must not reach the page.
		rec.HidePath("it contains the authorization token")
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

// inspectTap returns the body and the sink that ingest hands to the framer:
// the originals when rec is nil, else a tap that samples the first event and
// the first malformed value and notes what the Content Format looks like.
func inspectTap(rec *inspector.Record, body io.Reader, b *logsBuilder) (io.Reader, valueSink) {
	if rec == nil {
		return body, b
	}
	t := &ingestTap{rec: rec, body: body, b: b}
	return t, t
}

// inspectStats records the counts and the detected format once the body has
// been read (or has failed).
func inspectStats(rec *inspector.Record, body io.Reader, stats requestStats) {
	t, ok := body.(*ingestTap)
	if rec == nil || !ok {
		return
	}
	rec.Counts(stats.accepted, stats.duplicates, stats.malformed, t.n)
	rec.Format(t.format(stats))
}

// ingestTap sits between the body and the framer, and between the framer
// and the logsBuilder, of one inspected request.
type ingestTap struct {
	rec       *inspector.Record
	body      io.Reader
	b         *logsBuilder
	n         int64 // bytes read (decompressed)
	first     byte  // first byte that is not white space or a BOM
	afterNL   bool  // a newline has been read after the first content
	multiLine bool  // content follows a newline
}

func (t *ingestTap) Read(p []byte) (int, error) {
	n, err := t.body.Read(p)
	t.n += int64(n)
	chunk := p[:n]
	if t.first == 0 {
		i := bytes.IndexFunc(chunk, func(r rune) bool {
			return r != ' ' && r != '\t' && r != '\r' && r != '\n' && r != '\uFEFF'
		})
		if i < 0 {
			return n, err
		}
		t.first, chunk = chunk[i], chunk[i:]
	}
	// Find content after a newline; stops scanning once found, so a JSON
	// Lines body costs one line and a one-line body one IndexByte.
	for !t.multiLine && len(chunk) > 0 {
		if t.afterNL {
			t.multiLine = len(bytes.TrimLeft(chunk, " \t\r\n")) > 0
			if t.multiLine {
				break
			}
			chunk = nil
			continue
		}
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			break
		}
		t.afterNL, chunk = true, chunk[i+1:]
	}
	return n, err
}

// format names the Content Format the body looked like. The framer decides
// how to read a body on its own; this is only what the page shows (the lead
// may replace it with the framer's own decision).
func (t *ingestTap) format(stats requestStats) string {
	values := stats.events + stats.malformed
	switch {
	case t.first == 0:
		return ""
	case t.first == '[':
		return inspector.FormatJSONArray
	case values == 1 && t.multiLine:
		return inspector.FormatJSONObject
	case values == 1:
		return inspector.FormatJSONObject + " or one-line " + inspector.FormatJSONLines
	default:
		return inspector.FormatJSONLines
	}
}

func (t *ingestTap) value(raw []byte) error {
	if !t.rec.WantsEvent() && !t.rec.WantsMalformed() {
		return t.b.value(raw)
	}
	events, malformed := t.b.stats.events, t.b.stats.malformed
	err := t.b.value(raw)
	switch {
	case t.b.stats.malformed > malformed && t.b.firstError != nil:
		// logsBuilder.value turned the value into a malformed record itself;
		// only the first one matters, and it is the builder's first error.
		t.rec.Malformed(raw, t.b.firstError.Error())
	case t.b.stats.events > events:
		t.rec.Event(raw)
	}
	return err
}

func (t *ingestTap) malformed(raw []byte, reason error) error {
	if t.rec.WantsMalformed() {
		t.rec.Malformed(raw, reason.Error())
	}
	return t.b.malformed(raw, reason)
}

var _ valueSink = (*ingestTap)(nil)

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
