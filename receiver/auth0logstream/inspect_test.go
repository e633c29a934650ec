// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

// inspected is a receiver with the inspector on, its logs captured.
type inspected struct {
	url  string // the receiver's events URL
	base string // the inspector's base URL
	logs *observer.ObservedLogs
	sink *consumertest.LogsSink
	cfg  *Config
}

const inspectTestSecretHeader = "X-Stream-Secret-Value-9f8e7d"

func startInspected(t *testing.T, mutate func(*Config)) *inspected {
	t.Helper()
	cfg := testConfig(t)
	cfg.Inspector.Endpoint = freeLocalAddr(t)
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, confmap.Validate(cfg))
	core, logs := observer.New(zapcore.DebugLevel)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	sink := &consumertest.LogsSink{}
	url := startReceiverWith(t, cfg, sink, set)
	return &inspected{url: url, base: "http://" + cfg.Inspector.Endpoint, logs: logs, sink: sink, cfg: cfg}
}

func (ins *inspected) get(t *testing.T, path string) (string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ins.base+path, nil)
	require.NoError(t, err)
	resp := do(t, req)
	require.Equal(t, http.StatusOK, resp.status, resp.body)
	return resp.body, resp.header
}

// requests returns the inspector's JSON view, newest first.
func (ins *inspected) requests(t *testing.T) (inspector.Page, string) {
	t.Helper()
	body, _ := ins.get(t, "/requests.json")
	var p inspector.Page
	require.NoError(t, json.Unmarshal([]byte(body), &p), body)
	return p, body
}

// assertNoSecret checks that none of secrets appears in the page, the JSON
// or any log line.
func (ins *inspected) assertNoSecret(t *testing.T, secrets ...string) {
	t.Helper()
	_, js := ins.requests(t)
	page, _ := ins.get(t, "/")
	for _, s := range secrets {
		assert.NotContains(t, js, s, "requests.json shows a secret")
		assert.NotContains(t, page, s, "the page shows a secret")
		assert.Empty(t, secLeaks(t, ins.logs, s), "log lines containing a secret")
	}
}

func TestInspectorViews(t *testing.T) {
	const piiEmail = "alice.pii@example.com"
	withPII := envelopeWith("i-2", `"type":"fp","user_name":"`+piiEmail+`","details":{"request":{"auth":{"user":{"email":"`+piiEmail+`"}}}}`)
	tests := []struct {
		name    string
		auth    string
		body    func(t *testing.T) io.Reader
		headers []string
		maxBody int64

		status        int
		reason        string
		authText      string
		authChecked   AuthExpect
		format        string
		counts        [3]int
		firstEvent    string // substring of the sample; "" means no sample
		firstMalform  string
		contentLength int64 // -2: any
	}{
		{
			name: "valid batch", auth: testToken, body: lines(envelope("i-1", "s"), withPII),
			headers: []string{"Content-Type", "application/x-ndjson"},
			status:  200, authText: "matched", authChecked: AuthExpect{present: true, matched: true},
			format: inspector.FormatJSONLines, counts: [3]int{2, 0, 0}, firstEvent: `"log_id":"i-1"`, contentLength: -2,
		},
		{
			name: "wrong token with Bearer", auth: "Bearer " + testToken, body: lines(envelope("i-3", "s")),
			status: 401, reason: "does not match", authText: `starts with "Bearer "`,
			authChecked: AuthExpect{present: true, length: len(testToken) + 7, bearer: true}, contentLength: -2,
		},
		{
			name: "wrong token", auth: "not-the-token", body: lines(envelope("i-4", "s")),
			status: 401, reason: "does not match", authText: `no "Bearer " prefix`,
			authChecked: AuthExpect{present: true, length: len("not-the-token")}, contentLength: -2,
		},
		{
			name: "missing token", body: lines(envelope("i-5", "s")),
			status: 401, reason: "missing Authorization", authText: "missing", contentLength: -2,
		},
		{
			name: "malformed line", auth: testToken, body: lines(envelope("i-6", "f"), `{"log_id":"i-7","data":{"email":"`+piiEmail+`", oops`),
			status: 200, authText: "matched", authChecked: AuthExpect{present: true, matched: true},
			format: inspector.FormatJSONLines, counts: [3]int{2, 0, 1}, firstEvent: `"log_id":"i-6"`, firstMalform: `"log_id":"i-7"`, contentLength: -2,
		},
		{
			name: "oversized body", auth: testToken, maxBody: 512, body: lines(strings.Repeat(envelope("i-8", "f")+"\n", 20)),
			status: 413, reason: "exceeds the limit of 512 bytes", authText: "matched", authChecked: AuthExpect{present: true, matched: true},
			contentLength: -2,
		},
		{
			name: "gzip body", auth: testToken, body: func(t *testing.T) io.Reader {
				return gzipped(t, []byte("["+envelope("i-9", "fp")+","+envelope("i-10", "s")+"]"))
			}, headers: []string{"Content-Encoding", "gzip", "Content-Type", "application/json"},
			status: 200, authText: "matched", authChecked: AuthExpect{present: true, matched: true},
			format: inspector.FormatJSONArray, counts: [3]int{2, 0, 0}, firstEvent: `"log_id":"i-9"`, contentLength: -2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins := startInspected(t, func(c *Config) {
				if tt.maxBody > 0 {
					c.ServerConfig.MaxRequestBodySize = tt.maxBody
				}
			})
			headers := append([]string{"X-Custom", inspectTestSecretHeader}, tt.headers...)
			resp := post(t, ins.url, tt.auth, tt.body(t), headers...)
			require.Equal(t, tt.status, resp.status, resp.body)

			p, _ := ins.requests(t)
			require.Len(t, p.Requests, 1)
			v := p.Requests[0]
			assert.Equal(t, tt.status, v.Status)
			if tt.reason != "" {
				assert.Contains(t, v.Reason, tt.reason)
				assert.Equal(t, errorReason(t, resp.body), v.Reason, "the reason shown is the one answered")
			} else {
				assert.Empty(t, v.Reason)
			}
			assert.Equal(t, "POST", v.Method)
			assert.Equal(t, "/api/logs", v.Path)
			assert.True(t, strings.HasPrefix(v.Remote, "127.0.0.1:"), v.Remote)
			assert.False(t, v.Time.IsZero())
			assert.Positive(t, v.DurationMS)
			assert.Equal(t, tt.format, v.ContentFormat)
			assert.Equal(t, tt.counts, [3]int{v.Accepted, v.Duplicates, v.Malformed})
			ct, ce := "", ""
			for i := 0; i+1 < len(tt.headers); i += 2 {
				switch tt.headers[i] {
				case "Content-Type":
					ct = tt.headers[i+1]
				case "Content-Encoding":
					ce = tt.headers[i+1]
				}
			}
			assert.Equal(t, ct, v.ContentType)
			assert.Equal(t, ce, v.ContentEncoding)
			assert.Positive(t, v.ContentLength, "the test client declares a length")
			tt.authChecked.check(t, v.Authorization)
			assert.Contains(t, v.AuthText(), tt.authText)

			authenticated := tt.status != 401
			assert.Equal(t, authenticated, v.Authenticated)
			if tt.firstEvent == "" && tt.firstMalform == "" {
				assert.Nil(t, v.Sample)
			} else {
				require.NotNil(t, v.Sample)
				assert.True(t, v.Sample.PIIMasked)
				assert.Contains(t, v.Sample.FirstEvent, tt.firstEvent)
				if tt.firstMalform != "" {
					assert.Contains(t, v.Sample.FirstMalformed, tt.firstMalform)
					assert.Contains(t, v.Sample.FirstMalformed, `"email":"***"`)
					assert.NotEmpty(t, v.Sample.MalformedReason)
				}
			}
			if tt.status == 200 {
				assert.Positive(t, v.BodyBytes)
			}
			if tt.name == "gzip body" {
				assert.Greater(t, v.BodyBytes, v.ContentLength, "body bytes are counted after decompression")
			}

			page, hdr := ins.get(t, "/")
			assert.Contains(t, page, v.StatusText())
			assert.Contains(t, hdr.Get("Content-Security-Policy"), "default-src 'none'")
			if authenticated && tt.status == 200 {
				assert.Contains(t, page, `class="sample event"`)
			} else {
				assert.NotContains(t, page, `class="sample`)
			}
			ins.assertNoSecret(t, testToken, inspectTestSecretHeader, piiEmail)
		})
	}
}

// AuthExpect is the expected Authorization summary of a request.
type AuthExpect struct {
	present, matched, bearer bool
	length                   int
}

func (a AuthExpect) check(t *testing.T, got inspector.AuthSummary) {
	t.Helper()
	assert.True(t, got.Checked, "the receiver has a token")
	assert.Equal(t, a.present, got.Present, "present")
	assert.Equal(t, a.matched, got.Matched, "matched")
	assert.Equal(t, a.bearer, got.BearerPrefix, "bearer prefix")
	assert.Equal(t, a.length, got.Length, "length")
}

func TestInspectorPIIUnmaskedWhenTurnedOff(t *testing.T) {
	ins := startInspected(t, func(c *Config) { c.Inspector.MaskPII = false })
	resp := post(t, ins.url, testToken, lines(envelopeWith("u-1", `"type":"s","email":"bob@example.com"`))(t))
	require.Equal(t, 200, resp.status)
	p, _ := ins.requests(t)
	require.NotNil(t, p.Requests[0].Sample)
	assert.False(t, p.MaskPII)
	assert.Contains(t, p.Requests[0].Sample.FirstEvent, "bob@example.com")
	assert.NotEmpty(t, ins.logs.FilterMessage("Request inspector shows body samples with PII unmasked (inspector.mask_pii is false)").All())
}

func TestInspectorGateRejectionsAndOrder(t *testing.T) {
	ins := startInspected(t, func(c *Config) { c.Inspector.MaxRequests = 3 })
	base := strings.TrimSuffix(ins.url, ins.cfg.Path)
	send := func(method, path, auth, body string) int {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return do(t, req).status
	}
	require.Equal(t, 404, send(http.MethodPost, "/api/log", testToken, "{}"))
	require.Equal(t, 404, send(http.MethodPost, "/api/logs/"+testToken, testToken, "{}"))
	require.Equal(t, 405, send(http.MethodGet, "/api/logs?token="+testToken, testToken, ""))
	require.Equal(t, 400, send(http.MethodPost, "/api/logs", testToken, "hello"))

	p, _ := ins.requests(t)
	assert.Equal(t, uint64(4), p.Total)
	require.Len(t, p.Requests, 3, "max_requests bounds the ring")
	assert.Equal(t, []int{400, 405, 404}, []int{p.Requests[0].Status, p.Requests[1].Status, p.Requests[2].Status}, "newest first")
	assert.Equal(t, "GET", p.Requests[1].Method)
	assert.Equal(t, len("token="+testToken), p.Requests[1].QueryBytes, "the query is never shown, only its length")
	assert.Contains(t, p.Requests[2].Path, "hidden", "a path holding the token is not shown")
	assert.Contains(t, p.Requests[0].Reason, "no Auth0 event")
	require.NotNil(t, p.Requests[0].Sample)
	assert.Equal(t, "hello", p.Requests[0].Sample.FirstMalformed)
	ins.assertNoSecret(t, testToken)
}

func TestInspectorOffByDefault(t *testing.T) {
	cfg := testConfig(t)
	rcv, err := newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(t, err)
	assert.Nil(t, rcv.inspector)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	assert.Nil(t, rcv.inspectorSrv)
	require.NoError(t, rcv.Shutdown(context.Background()))
}

func TestInspectorListenerStopsOnShutdown(t *testing.T) {
	cfg := testConfig(t)
	cfg.Inspector.Endpoint = freeLocalAddr(t)
	rcv, err := newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	resp, err := testClient().Get("http://" + cfg.Inspector.Endpoint + "/requests.json")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	require.NoError(t, rcv.Shutdown(context.Background()))
	_, err = testClient().Get("http://" + cfg.Inspector.Endpoint + "/requests.json")
	assert.Error(t, err)
}

func TestInspectorConfigValidation(t *testing.T) {
	tests := []struct {
		name, receiver, inspector string
		maxRequests               int
		wantErr                   string
	}{
		{name: "off", receiver: "localhost:8383", inspector: "", maxRequests: 50},
		{name: "localhost", receiver: "0.0.0.0:8383", inspector: "localhost:8384", maxRequests: 50},
		{name: "127.x", receiver: "0.0.0.0:8383", inspector: "127.0.0.2:8384", maxRequests: 1},
		{name: "ipv6 loopback", receiver: "0.0.0.0:8383", inspector: "[::1]:8384", maxRequests: 50},
		{name: "same endpoint", receiver: "localhost:8383", inspector: "localhost:8383", maxRequests: 50, wantErr: "must differ from the receiver's endpoint"},
		{name: "same port, receiver on all interfaces", receiver: "0.0.0.0:8383", inspector: "127.0.0.1:8383", maxRequests: 50, wantErr: "must differ"},
		{name: "same port, receiver with empty host", receiver: ":8383", inspector: "localhost:8383", maxRequests: 50, wantErr: "must differ"},
		{name: "same port, receiver on localhost", receiver: "localhost:8383", inspector: "[::1]:8383", maxRequests: 50, wantErr: "must differ"},
		{name: "same port, other loopback address", receiver: "127.0.0.1:8383", inspector: "127.0.0.2:8383", maxRequests: 50},
		{name: "all interfaces", receiver: "localhost:8383", inspector: "0.0.0.0:8384", maxRequests: 50, wantErr: "not a loopback address"},
		{name: "ipv6 all interfaces", receiver: "localhost:8383", inspector: "[::]:8384", maxRequests: 50, wantErr: "not a loopback address"},
		{name: "empty host", receiver: "localhost:8383", inspector: ":8384", maxRequests: 50, wantErr: "no host"},
		{name: "other name", receiver: "localhost:8383", inspector: "inspector.example:8384", maxRequests: 50, wantErr: "not a loopback address"},
		{name: "private address", receiver: "localhost:8383", inspector: "10.0.0.1:8384", maxRequests: 50, wantErr: "not a loopback address"},
		{name: "no port", receiver: "localhost:8383", inspector: "localhost", maxRequests: 50, wantErr: "not host:port"},
		{name: "bad port", receiver: "localhost:8383", inspector: "localhost:http", maxRequests: 50, wantErr: "port"},
		{name: "zero max_requests", receiver: "localhost:8383", inspector: "localhost:8384", maxRequests: 0, wantErr: "max_requests"},
		{name: "huge max_requests", receiver: "localhost:8383", inspector: "localhost:8384", maxRequests: 1 << 20, wantErr: "max_requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.ServerConfig.NetAddr.Endpoint = tt.receiver
			cfg.Inspector.Endpoint = tt.inspector
			cfg.Inspector.MaxRequests = tt.maxRequests
			err := confmap.Validate(cfg)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestInspectorConfigFromYAML(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, InspectorConfig{MaxRequests: 50, MaskPII: true}, cfg.Inspector, "off by default, masking on")

	conf := confmap.NewFromStringMap(map[string]any{
		"inspector": map[string]any{"endpoint": "localhost:8384", "max_requests": 7, "mask_pii": false},
	})
	require.NoError(t, conf.Unmarshal(cfg))
	assert.Equal(t, "localhost:8384", cfg.Inspector.Endpoint)
	assert.Equal(t, 7, cfg.Inspector.MaxRequests)
	assert.False(t, cfg.Inspector.MaskPII)
	require.NoError(t, confmap.Validate(cfg))

	bad := confmap.NewFromStringMap(map[string]any{"inspector": map[string]any{"endpont": "localhost:8384"}})
	err := bad.Unmarshal(createDefaultConfig().(*Config))
	require.Error(t, err, "a misspelled inspector key is an error")
	assert.Contains(t, err.Error(), "endpont")
}

func TestInspectorRecordsConfighttpRejections(t *testing.T) {
	ins := startInspected(t, nil)
	resp := post(t, ins.url, testToken, lines(envelope("c-1", "s"))(t), "Content-Encoding", "br")
	require.Equal(t, http.StatusUnsupportedMediaType, resp.status, resp.body)
	p, _ := ins.requests(t)
	require.Len(t, p.Requests, 1)
	v := p.Requests[0]
	assert.Equal(t, http.StatusUnsupportedMediaType, v.Status)
	assert.Equal(t, errorReason(t, resp.body), v.Reason)
	assert.Equal(t, "br", v.ContentEncoding)
	assert.True(t, v.Authorization.Matched)
	assert.False(t, v.Authenticated, "confighttp refused it before ingest")
	assert.Nil(t, v.Sample)
	assert.Equal(t, "refused before the body was read", v.NoSampleReason())
}
