package auth0logstream

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
)

// A request is handled top-down: route and token (gate, before confighttp's
// chain, so nothing reads the body of a request that is not allowed), then
// confighttp's own auth, size limit and decompression, then ingest:
// decode, translate, consume, and an answer whose status tells Auth0
// whether to retry.

// tokenChecker compares the Authorization header with the configured token.
type tokenChecker struct {
	want [sha256.Size]byte
}

func newTokenChecker(token string) *tokenChecker {
	return &tokenChecker{want: sha256.Sum256([]byte(token))}
}

// matches compares digests so that the time taken depends neither on where
// the first differing byte is nor on the token's length.
func (tc *tokenChecker) matches(header string) bool {
	got := sha256.Sum256([]byte(header))
	return subtle.ConstantTimeCompare(got[:], tc.want[:]) == 1
}

// gate answers 404, 405 and 401 before anything reads the body.
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
		if r.token != nil {
			header, present := req.Header["Authorization"]
			matched := present && len(header) == 1 && r.token.matches(header[0])
			rec.Authorization(header, matched)
			switch {
			case !present:
				r.reject(w, req, http.StatusUnauthorized, "missing Authorization header")
				return
			case !matched:
				r.reject(w, req, http.StatusUnauthorized, "Authorization header does not match the configured token")
				return
			}
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

	st.builder.reset(ctx, r.consume, pcommon.NewTimestampFromTime(r.now()))
	body, sink := inspectTap(rec, req.Body, st.builder) // req.Body and st.builder when off
	err := st.framer.frame(body, sink)
	if err == nil {
		err = st.builder.finish()
	}
	stats := st.builder.stats
	inspectStats(rec, body, stats)
	if err != nil {
		status, reason := r.classify(err)
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", r.retryAfter)
		}
		if stats.accepted > 0 {
			reason = fmt.Sprintf("%s (%d records were accepted before the failure; a retry is deduplicated)", reason, stats.accepted)
		}
		r.reject(w, req, status, reason)
		return
	}
	if stats.malformed > 0 || stats.duplicates > 0 {
		r.telemetry.ReceiverAuth0logstreamMalformedEvents.Add(ctx, int64(stats.malformed))
		r.telemetry.ReceiverAuth0logstreamDuplicateEvents.Add(ctx, int64(stats.duplicates))
		r.logger.Debug("Request accepted with remarks",
			zap.Int("accepted", stats.accepted),
			zap.Int("duplicates", stats.duplicates),
			zap.Int("malformed", stats.malformed))
	}
	rec.Answer(http.StatusOK, "")
	writeJSON(w, http.StatusOK, map[string]int{
		"accepted":   stats.accepted,
		"duplicates": stats.duplicates,
		"malformed":  stats.malformed,
	})
}

// classify maps an ingest failure to the status that makes Auth0 do the
// right thing: retry what may succeed later, and say why.
func (r *logsReceiver) classify(err error) (int, string) {
	var (
		consumeErr *consumeError
		tooLarge   *http.MaxBytesError
		noEvents   *noEventsError
		readErr    *readError
		syntaxErr  *fatalSyntaxError
	)
	switch {
	case errors.As(err, &consumeErr):
		if consumererror.IsPermanent(consumeErr.err) {
			return http.StatusBadRequest, "pipeline rejected the data permanently: " + consumeErr.err.Error()
		}
		return http.StatusServiceUnavailable, "pipeline cannot accept data now, retry later: " + consumeErr.err.Error()
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds the limit of %d bytes (after decompression)", tooLarge.Limit)
	case errors.As(err, &noEvents), errors.As(err, &syntaxErr), errors.Is(err, errEmptyBody):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The message of a network timeout names both sockets; the reason need not.
		return http.StatusRequestTimeout, "request body not received within read_timeout"
	case errors.As(err, &readErr):
		return http.StatusBadRequest, err.Error()
	default:
		return http.StatusInternalServerError, err.Error()
	}
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
	r.telemetry.ReceiverAuth0logstreamRejectedRequests.Add(req.Context(), 1,
		metric.WithAttributes(attribute.Int("http.response.status_code", status)))
	r.logger.Debug("Request rejected",
		zap.Int("status", status),
		zap.String("reason", reason),
		zap.String("method", logSafeMethod(req.Method)),
		zap.Bool("configured_path", req.URL.Path == r.cfg.Path),
		zap.String("remote", req.RemoteAddr))
	if status == http.StatusUnauthorized || status == http.StatusRequestEntityTooLarge {
		// Do not let the server drain an unwanted body to keep the connection.
		w.Header().Set("Connection", "close")
	}
	writeJSON(w, status, map[string]string{"error": reason})
}

// logSafeMethod keeps arbitrary request-line text out of logs: a sender
// that misplaces its token puts it wherever it likes, path and method included.
func logSafeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "other"
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
