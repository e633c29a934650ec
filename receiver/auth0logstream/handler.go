// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/status"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

// A request is handled top-down: route, token and required headers (gate, before confighttp's
// chain, so nothing reads the body of a request that is not allowed), then
// confighttp's own auth, size limit and decompression, then ingest:
// decode, translate, consume, and an answer whose status tells Auth0
// whether to retry.

// gate answers 404, 405 and 401 (auth.go) before anything reads the body.
func (r *logsReceiver) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		req, rec := r.inspectBegin(req) // rec is nil when the inspector is off
		defer r.inspector.Commit(rec)   // a no-op on nil
		if req.URL.Path != r.cfg.Path {
			r.reject(w, req, http.StatusNotFound, "no such path: Auth0 events are accepted at "+r.cfg.Path)
			return
		}
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			r.reject(w, req, http.StatusMethodNotAllowed, "method not allowed: use POST")
			return
		}
		var audit authAudit
		if rec != nil { // a nil *Record in an interface would not be nil
			audit = rec
		}
		ok, tokenIndex, reason := r.auth.check(req, audit)
		if !ok {
			r.reject(w, req, http.StatusUnauthorized, reason)
			return
		}
		if tokenIndex >= 0 {
			r.telemetry.ReceiverAuth0logstreamAuthenticatedRequests.Add(req.Context(), 1, r.auth.indexAttrs[tokenIndex])
		}
		next.ServeHTTP(w, req)
	})
}

// ingest decodes the body, hands the records to the pipeline and answers.
func (r *logsReceiver) ingest(w http.ResponseWriter, req *http.Request) {
	rec := r.inspectAuthenticated(req) // nil when the inspector is off
	// A body declared larger than the limit cannot succeed: say so before
	// reading any of it. (Compressed bodies are checked as they inflate.)
	if limit := r.cfg.ServerConfig.MaxRequestBodySize; limit > 0 && req.ContentLength > limit {
		r.reject(w, req, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body of %d bytes exceeds the limit of %d bytes", req.ContentLength, limit))
		return
	}
	ctx := req.Context()
	st := r.getState()
	defer r.putState(st)

	// Decode and translate as the body streams in; full chunks are
	// consumed on the way, the rest at the end.
	st.batch.Reset(ctx, r.consume, pcommon.NewTimestampFromTime(r.now()))
	body := inspectBody(rec, req.Body, st.batch) // req.Body itself when off
	st.scanner.Reset(body)
	err := st.batch.ReadAll(st.scanner)
	stats := st.batch.Stats()
	inspectStats(rec, body, st.scanner.Format(), stats)
	r.observePipeline(err)
	if err != nil {
		code, reason := status.FromError(err)
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", r.retryAfter)
		}
		if stats.Accepted > 0 {
			retry := "a retry is deduplicated"
			if r.dedup == nil {
				retry = "deduplication is off, so a retry delivers them again"
			}
			reason = fmt.Sprintf("%s (%d records were accepted before the failure; %s)", reason, stats.Accepted, retry)
		}
		r.reject(w, req, code, reason)
		return
	}
	if r.countRemarks(ctx, stats) {
		r.logger.Debug("Request accepted with remarks",
			zap.Int("accepted", stats.Accepted),
			zap.Int("duplicates", stats.Duplicates),
			zap.Int("malformed", stats.Malformed))
	}
	rec.Answer(http.StatusOK, "")
	writeJSON(w, http.StatusOK, acceptedAnswer{stats.Accepted, stats.Duplicates, stats.Malformed})
}

// acceptedAnswer is the 200 body. A struct, not a map: no map to build and
// sort per request, and the same bytes.
type acceptedAnswer struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Malformed  int `json:"malformed"`
}

// countRemarks counts the events of a request or page that were accepted
// without reaching the pipeline, and reports whether there were any.
func (r *logsReceiver) countRemarks(ctx context.Context, stats translator.Stats) bool {
	if stats.Malformed == 0 && stats.Duplicates == 0 {
		return false
	}
	r.telemetry.ReceiverAuth0logstreamMalformedEvents.Add(ctx, int64(stats.Malformed))
	r.telemetry.ReceiverAuth0logstreamDuplicateEvents.Add(ctx, int64(stats.Duplicates))
	return true
}

// serverError answers errors raised inside confighttp's handler chain
// (decompression, auth extensions) in the same shape as ours.
func (r *logsReceiver) serverError(w http.ResponseWriter, req *http.Request, msg string, status int) {
	if strings.HasPrefix(msg, "unsupported Content-Encoding") {
		status = http.StatusUnsupportedMediaType
	}
	r.reject(w, req, status, msg)
}

// reject answers a non-2xx status with a specific reason. The reason never
// contains the token: it is built from our own words and the parsers' errors.
func (r *logsReceiver) reject(w http.ResponseWriter, req *http.Request, status int, reason string) {
	r.inspectRecord(req).Answer(status, reason)
	r.telemetry.ReceiverAuth0logstreamRejectedRequests.Add(req.Context(), 1, statusAttrs(status))
	r.logger.Debug("Request rejected",
		zap.Int("status", status),
		zap.String("reason", reason),
		zap.String("method", inspector.SafeMethod(req.Method)),
		zap.Bool("configured_path", req.URL.Path == r.cfg.Path),
		zap.String("remote", req.RemoteAddr))
	if status == http.StatusUnauthorized || status == http.StatusRequestEntityTooLarge {
		// Do not let the server drain an unwanted body to keep the connection.
		w.Header().Set("Connection", "close")
	}
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{reason})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func retryAfterSeconds(cfg *Config) string {
	return strconv.Itoa(int(math.Ceil(cfg.RetryAfter.Seconds())))
}

// statusCodeAttrs are the http.response.status_code attribute sets of the
// 4xx and 5xx codes, built once: a flood of refused requests should not
// build one per request.
var statusCodeAttrs = func() (sets [200]metric.AddOption) {
	for i := range sets {
		sets[i] = statusAttrsFor(400 + i)
	}
	return sets
}()

func statusAttrs(status int) metric.AddOption {
	if status >= 400 && status < 600 {
		return statusCodeAttrs[status-400]
	}
	return statusAttrsFor(status)
}

func statusAttrsFor(status int) metric.AddOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.Int("http.response.status_code", status)))
}
