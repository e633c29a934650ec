// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

func errorReason(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &e), "non-2xx body must be JSON: %q", body)
	require.NotEmpty(t, e.Error, "non-2xx body must carry a reason")
	return e.Error
}

func gzipped(t *testing.T, b []byte) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return bytes.NewReader(buf.Bytes())
}

// TestHTTPStatusTable covers every row of the status table in the README.
func TestHTTPStatusTable(t *testing.T) {
	permanent := consumererror.NewPermanent(errors.New("schema violation"))
	retryable := errors.New("data refused due to high memory usage")

	tests := []struct {
		name        string
		consumerErr error
		maxBody     int64
		method      string
		path        string
		token       string
		body        func(t *testing.T) io.Reader
		headers     []string
		wantStatus  int
		wantReason  string // substring of the JSON error
		wantRecords int
	}{
		{name: "accepted", token: testToken, body: lines(envelope("1", "f"), envelope("2", "s")), wantStatus: 200, wantRecords: 2},
		{name: "accepted gzip", token: testToken, body: func(t *testing.T) io.Reader {
			return gzipped(t, []byte(envelope("1", "fp")+"\n"))
		}, headers: []string{"Content-Encoding", "gzip"}, wantStatus: 200, wantRecords: 1},
		{name: "content type is ignored", token: testToken, body: lines(envelope("1", "f")), headers: []string{"Content-Type", "text/plain"}, wantStatus: 200, wantRecords: 1},
		{name: "missing token", body: lines(envelope("1", "f")), wantStatus: 401, wantReason: "missing Authorization"},
		{name: "wrong token", token: "nope", body: lines(envelope("1", "f")), wantStatus: 401, wantReason: "does not match"},
		{name: "token with Bearer added", token: "Bearer " + testToken, body: lines(envelope("1", "f")), wantStatus: 401, wantReason: "does not match"},
		{name: "token prefix", token: testToken[:5], body: lines(envelope("1", "f")), wantStatus: 401, wantReason: "does not match"},
		{name: "token other case", token: strings.ToUpper(testToken), body: lines(envelope("1", "f")), wantStatus: 401, wantReason: "does not match"},
		{name: "GET", method: http.MethodGet, token: testToken, wantStatus: 405, wantReason: "use POST"},
		{name: "PUT", method: http.MethodPut, token: testToken, body: lines(envelope("1", "f")), wantStatus: 405, wantReason: "use POST"},
		{name: "other path", path: "/api/other", token: testToken, body: lines(envelope("1", "f")), wantStatus: 404, wantReason: "/api/logs"},
		{name: "body too large", maxBody: 1024, token: testToken, body: lines(strings.Repeat(envelope("1", "f")+"\n", 100)), wantStatus: 413, wantReason: "1024 bytes"},
		{name: "gzip bomb", maxBody: 1 << 20, token: testToken, body: func(t *testing.T) io.Reader {
			return gzipped(t, bytes.Repeat([]byte(" "), 50<<20))
		}, headers: []string{"Content-Encoding", "gzip"}, wantStatus: 413, wantReason: "after decompression"},
		{name: "unsupported encoding", token: testToken, body: lines(envelope("1", "f")), headers: []string{"Content-Encoding", "br"}, wantStatus: 415, wantReason: "Content-Encoding"},
		{name: "corrupt gzip", token: testToken, body: lines("not gzip at all"), headers: []string{"Content-Encoding", "gzip"}, wantStatus: 400, wantReason: "gzip"},
		{name: "empty body", token: testToken, body: lines(), wantStatus: 400, wantReason: "empty"},
		{name: "whitespace body", token: testToken, body: lines("  \r\n\t "), wantStatus: 400, wantReason: "empty"},
		{name: "not JSON", token: testToken, body: lines("hello world"), wantStatus: 400, wantReason: "no Auth0 event"},
		{name: "truncated array", token: testToken, body: lines(`[` + envelope("1", "f") + `,{"log_id":`), wantStatus: 400, wantReason: "malformed JSON"},
		{name: "permanent pipeline error", consumerErr: permanent, token: testToken, body: lines(envelope("1", "f")), wantStatus: 400, wantReason: "schema violation"},
		{name: "retryable pipeline error", consumerErr: retryable, token: testToken, body: lines(envelope("1", "f")), wantStatus: 503, wantReason: "retry later"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			if tt.maxBody > 0 {
				cfg.ServerConfig.MaxRequestBodySize = tt.maxBody
			}
			sink := &consumertest.LogsSink{}
			var next consumer.Logs = sink
			if tt.consumerErr != nil {
				next = consumertest.NewErr(tt.consumerErr)
			}
			url := startReceiver(t, cfg, next)
			if tt.path != "" {
				url = strings.TrimSuffix(url, cfg.Path) + tt.path
			}
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			var body io.Reader
			if tt.body != nil {
				body = tt.body(t)
			}
			req, err := http.NewRequest(method, url, body)
			require.NoError(t, err)
			if tt.token != "" {
				req.Header.Set("Authorization", tt.token)
			}
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			resp := do(t, req)

			assert.Equal(t, tt.wantStatus, resp.status, resp.body)
			if tt.wantStatus != http.StatusOK {
				assert.Contains(t, errorReason(t, resp.body), tt.wantReason)
			}
			switch tt.wantStatus {
			case http.StatusMethodNotAllowed:
				assert.Equal(t, "POST", resp.header.Get("Allow"))
			case http.StatusServiceUnavailable:
				assert.Equal(t, "5", resp.header.Get("Retry-After"))
			}
			assert.Equal(t, tt.wantRecords, sink.LogRecordCount())
		})
	}
}

func lines(ls ...string) func(*testing.T) io.Reader {
	return func(*testing.T) io.Reader {
		if len(ls) == 0 {
			return strings.NewReader("")
		}
		return jsonLines(ls...)
	}
}

// spyBody records whether anything read it.
type spyBody struct{ read atomic.Bool }

func (s *spyBody) Read([]byte) (int, error) { s.read.Store(true); return 0, io.EOF }
func (s *spyBody) Close() error             { return nil }

// TestRejectedBeforeBodyIsRead checks that the gate answers 401, 404 and
// 405 without touching the body, so an unauthenticated sender cannot make
// the receiver read (or decompress) anything.
func TestRejectedBeforeBodyIsRead(t *testing.T) {
	cfg := testConfig(t)
	r, err := newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(t, err)
	inner := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Fatal("the inner handler must not run for rejected requests")
	})
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{http.MethodPost, "/api/logs", "", http.StatusUnauthorized},
		{http.MethodPost, "/api/logs", "wrong", http.StatusUnauthorized},
		{http.MethodGet, "/api/logs", testToken, http.StatusMethodNotAllowed},
		{http.MethodPost, "/elsewhere", testToken, http.StatusNotFound},
	} {
		body := &spyBody{}
		req := httptest.NewRequest(tc.method, tc.path, body)
		if tc.token != "" {
			req.Header.Set("Authorization", tc.token)
		}
		req.Header.Set("Content-Encoding", "gzip")
		rec := httptest.NewRecorder()
		r.gate(inner).ServeHTTP(rec, req)
		assert.Equal(t, tc.want, rec.Code)
		assert.False(t, body.read.Load(), "%s %s: body was read", tc.method, tc.path)
	}
}

func TestTokenOptional(t *testing.T) {
	cfg := testConfig(t)
	cfg.AuthorizationToken = ""
	sink := &consumertest.LogsSink{}
	url := startReceiver(t, cfg, sink)
	resp := post(t, url, "", jsonLines(envelope("1", "f")))
	assert.Equal(t, http.StatusOK, resp.status, resp.body)
	assert.Equal(t, 1, sink.LogRecordCount())
}

func TestDuplicatesAreAnswered200AndDropped(t *testing.T) {
	sink := &consumertest.LogsSink{}
	url := startReceiver(t, testConfig(t), sink)

	first := post(t, url, testToken, jsonLines(envelope("a", "f"), envelope("b", "f"), envelope("a", "f")))
	require.Equal(t, http.StatusOK, first.status, first.body)
	assert.JSONEq(t, `{"accepted":2,"duplicates":1,"malformed":0}`, first.body)

	again := post(t, url, testToken, jsonLines(envelope("a", "f"), envelope("b", "f")))
	require.Equal(t, http.StatusOK, again.status, again.body)
	assert.JSONEq(t, `{"accepted":0,"duplicates":2,"malformed":0}`, again.body)
	assert.Equal(t, 2, sink.LogRecordCount())
}

// TestRefusedEventIsAcceptedOnRetry: the dedup list only learns an event
// once the pipeline accepted it, so a 503 never turns into a later drop.
func TestRefusedEventIsAcceptedOnRetry(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	sink := &consumertest.LogsSink{}
	next, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if fail.Load() {
			return errors.New("queue is full")
		}
		return sink.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	url := startReceiver(t, testConfig(t), next)

	refused := post(t, url, testToken, jsonLines(envelope("x", "f")))
	require.Equal(t, http.StatusServiceUnavailable, refused.status)
	fail.Store(false)
	retried := post(t, url, testToken, jsonLines(envelope("x", "f")))
	require.Equal(t, http.StatusOK, retried.status, retried.body)
	assert.Equal(t, 1, sink.LogRecordCount())
}

func TestMalformedLinesKeepTheBatch(t *testing.T) {
	sink := &consumertest.LogsSink{}
	url := startReceiver(t, testConfig(t), sink)
	resp := post(t, url, testToken, jsonLines(envelope("1", "f"), `{"log_id":"2","data":{`, envelope("3", "s")))
	require.Equal(t, http.StatusOK, resp.status, resp.body)
	assert.JSONEq(t, `{"accepted":3,"duplicates":0,"malformed":1}`, resp.body)
	require.Equal(t, 3, sink.LogRecordCount())
}

func TestIncludeMetadataReachesThePipeline(t *testing.T) {
	cfg := testConfig(t)
	cfg.ServerConfig.IncludeMetadata = true
	var got atomic.Value
	next, err := consumer.NewLogs(func(ctx context.Context, _ plog.Logs) error {
		got.Store(client.FromContext(ctx).Metadata.Get("x-auth0-stream"))
		return nil
	})
	require.NoError(t, err)
	url := startReceiver(t, cfg, next)
	resp := post(t, url, testToken, jsonLines(envelope("1", "f")), "X-Auth0-Stream", "prod-eu")
	require.Equal(t, http.StatusOK, resp.status, resp.body)
	assert.Equal(t, []string{"prod-eu"}, got.Load())
}

// TestHugeHeaderIsRefused sends the request by hand: the server stops
// reading at the limit and closes, and an HTTP client still writing would
// see a reset instead of the answer.
func TestHugeHeaderIsRefused(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxHeaderBytes = 4096
	sink := &consumertest.LogsSink{}
	startReceiver(t, cfg, sink)

	// Go allows 4 KiB of slack over MaxHeaderBytes; 9 KiB is past both.
	resp := sendRaw(t, cfg.ServerConfig.NetAddr.Endpoint, fmt.Sprintf(
		"POST /api/logs HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nX-Padding: %s\r\nContent-Length: 0\r\n\r\n",
		testToken, strings.Repeat("a", 9<<10)), nil)
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.status)
	assert.Zero(t, sink.LogRecordCount())
}

// TestBodyReadTimeoutIs408 sends headers and part of the body, then stalls:
// the answer is 408, whose reason does not name the sockets.
func TestBodyReadTimeoutIs408(t *testing.T) {
	cfg := testConfig(t)
	cfg.ServerConfig.ReadTimeout = time.Second
	sink := &consumertest.LogsSink{}
	startReceiver(t, cfg, sink)

	resp := sendRaw(t, cfg.ServerConfig.NetAddr.Endpoint, fmt.Sprintf(
		"POST /api/logs HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: 1000\r\n\r\n%s",
		testToken, `{"log_id":"1","data":{`), nil)
	assert.Equal(t, http.StatusRequestTimeout, resp.status)
	reason := errorReason(t, resp.body)
	assert.Contains(t, reason, "read_timeout")
	assert.NotContains(t, reason, "127.0.0.1")
	assert.Zero(t, sink.LogRecordCount())
}

// A body delivered in chunks whose later chunk is refused says how many
// records got through, and whether a retry repeats them: it does when
// deduplication is off.
func TestPartialFailureSaysWhetherARetryRepeats(t *testing.T) {
	for _, dedupOn := range []bool{true, false} {
		t.Run(fmt.Sprintf("deduplication %v", dedupOn), func(t *testing.T) {
			var calls atomic.Int32
			next, err := consumer.NewLogs(func(context.Context, plog.Logs) error {
				if calls.Add(1) > 1 {
					return errors.New("queue is full")
				}
				return nil
			})
			require.NoError(t, err)
			cfg := testConfig(t)
			cfg.Deduplication.Enabled = dedupOn
			url := startReceiver(t, cfg, next)
			lines := make([]string, translator.MaxRecordsPerConsume+10)
			for i := range lines {
				lines[i] = envelope(fmt.Sprintf("p-%d", i), "f")
			}
			resp := post(t, url, testToken, jsonLines(lines...))
			require.Equal(t, http.StatusServiceUnavailable, resp.status, resp.body)
			want := "a retry is deduplicated"
			if !dedupOn {
				want = "deduplication is off, so a retry delivers them again"
			}
			assert.Contains(t, resp.body, fmt.Sprintf("%d records were accepted before the failure; %s", translator.MaxRecordsPerConsume, want))
		})
	}
}
