// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadatatest"
)

const (
	rotationOld = "old-stream-token-5f1c2a"
	rotationNew = "new-stream-token-9b7e04"
)

func authRequest(auth string, header ...string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/api/logs", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for _, h := range header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header[name] = append(req.Header[name], value)
	}
	return req
}

func newTestChecker(t *testing.T, cfg *Config) *authChecker {
	t.Helper()
	a, err := newAuthChecker(cfg)
	require.NoError(t, err)
	return a
}

func TestTokenComparisonIsExactBytes(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.AuthorizationToken = "abc"
	a := newTestChecker(t, cfg)
	ok, index, _ := a.check(authRequest("abc"), nil)
	assert.True(t, ok)
	assert.Equal(t, 0, index)
	for _, s := range []string{"ab", "abcd", "ABC", "Bearer abc", " abc", "abc ", "abc\x00"} {
		ok, index, reason := a.check(authRequest(s), nil)
		assert.False(t, ok, "%q", s)
		assert.Equal(t, -1, index, "%q", s)
		assert.Equal(t, "Authorization header does not match any configured token", reason, "%q", s)
	}
	ok, _, reason := a.check(authRequest(""), nil)
	assert.False(t, ok)
	assert.Equal(t, "missing Authorization header", reason)
	ok, _, reason = a.check(authRequest("", "Authorization: abc", "Authorization: abc"), nil)
	assert.False(t, ok)
	assert.Equal(t, "Authorization header sent more than once", reason)
}

// TestTokenSlots: authorization_token is slot 0 and authorization_tokens[i]
// slot i+1; each token reports its own slot, empty entries accept nothing
// (not even an empty header) and keep the positions of the others.
func TestTokenSlots(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.AuthorizationToken = rotationOld
	cfg.AuthorizationTokens = []configopaque.String{"", rotationNew}
	a := newTestChecker(t, cfg)
	assert.Equal(t, 2, a.tokenCount())
	for auth, want := range map[string]int{rotationOld: 0, rotationNew: 2} {
		ok, index, reason := a.check(authRequest(auth), nil)
		assert.True(t, ok, reason)
		assert.Equal(t, want, index, auth)
	}
	empty := authRequest("")
	empty.Header["Authorization"] = []string{""}
	ok, _, reason := a.check(empty, nil)
	assert.False(t, ok, "an empty slot must not accept an empty header")
	assert.Equal(t, "Authorization header does not match any configured token", reason)

	// Only the list, all slots used.
	cfg = createDefaultConfig().(*Config)
	for i := range maxTokens - 1 {
		cfg.AuthorizationTokens = append(cfg.AuthorizationTokens, configopaque.String(fmt.Sprintf("token-number-%d", i)))
	}
	a = newTestChecker(t, cfg)
	assert.Equal(t, maxTokens-1, a.tokenCount())
	for i := range maxTokens - 1 {
		ok, index, _ := a.check(authRequest(fmt.Sprintf("token-number-%d", i)), nil)
		assert.True(t, ok)
		assert.Equal(t, i+1, index)
	}
	ok, _, _ = a.check(authRequest(""), nil)
	assert.False(t, ok, "a list without authorization_token still requires a token")
}

// TestRotationTwoTokens is a rotation seen from Auth0: both the old and the
// new token are accepted, a third is refused, and each accepted request is
// counted under its token's index while the refused one is not.
func TestRotationTwoTokens(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := &consumertest.LogsSink{}
	cfg := testConfig(t)
	cfg.AuthorizationToken = rotationOld
	cfg.AuthorizationTokens = []configopaque.String{rotationNew}
	url := startReceiverWith(t, cfg, sink, metadatatest.NewSettings(tel))

	for i, auth := range []string{rotationOld, rotationOld, rotationNew, rotationOld, rotationNew, rotationNew, rotationNew} {
		resp := post(t, url, auth, jsonLines(envelope(fmt.Sprintf("rot-%d", i), "f")))
		require.Equal(t, http.StatusOK, resp.status, resp.body)
	}
	third := post(t, url, "third-stream-token-0000", jsonLines(envelope("rot-x", "f")))
	assert.Equal(t, http.StatusUnauthorized, third.status)
	assert.Equal(t, "Authorization header does not match any configured token", errorReason(t, third.body))
	none := post(t, url, "", jsonLines(envelope("rot-y", "f")))
	assert.Equal(t, http.StatusUnauthorized, none.status)
	assert.Equal(t, 7, sink.LogRecordCount())

	metadatatest.AssertEqualReceiverAuth0logstreamAuthenticatedRequests(t, tel, []metricdata.DataPoint[int64]{
		{Value: 3, Attributes: attribute.NewSet(attribute.Int("token.index", 0))},
		{Value: 4, Attributes: attribute.NewSet(attribute.Int("token.index", 1))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

// TestNoTokenNoCount: without a token nothing is counted by index.
func TestNoTokenNoCount(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := testConfig(t)
	cfg.AuthorizationToken = ""
	cfg.RequiredHeaders = map[string]configopaque.String{"X-Stream-Secret": "v4lue-only"}
	url := startReceiverWith(t, cfg, consumertest.NewNop(), metadatatest.NewSettings(tel))
	resp := post(t, url, "", jsonLines(envelope("n-1", "f")), "X-Stream-Secret", "v4lue-only")
	require.Equal(t, http.StatusOK, resp.status, resp.body)
	_, err := tel.GetMetric("otelcol_receiver_auth0logstream_authenticated_requests")
	assert.Error(t, err, "no token configured: the counter must have no data")
}

// TestRequiredHeaders: every required header must be present once with its
// exact value, with or without a token; a refusal names the header and
// never contains a value.
func TestRequiredHeaders(t *testing.T) {
	const (
		secretA = "alpha-header-secret-11"
		secretB = "bravo-header-secret-22"
	)
	headers := map[string]configopaque.String{"X-Stream-Secret": secretA, "x-tenant-key": secretB}
	good := []string{"X-Stream-Secret: " + secretA, "X-Tenant-Key: " + secretB}
	type tc struct {
		name   string
		auth   string
		header []string
		status int
		reason string
	}
	cases := []tc{
		{name: "right", header: good, status: 200},
		{name: "names in another case", header: []string{"x-stream-secret: " + secretA, "X-TENANT-KEY: " + secretB}, status: 200},
		{name: "one missing", header: good[:1], status: 401, reason: "missing required header X-Tenant-Key"},
		{name: "both missing", status: 401, reason: "missing required header X-Stream-Secret"},
		{name: "one wrong", header: []string{"X-Stream-Secret: " + secretA + "x", "X-Tenant-Key: " + secretB}, status: 401, reason: "required header X-Stream-Secret does not match the configured value"},
		{name: "values swapped", header: []string{"X-Stream-Secret: " + secretB, "X-Tenant-Key: " + secretA}, status: 401, reason: "required header X-Stream-Secret does not match the configured value"},
		{name: "empty value", header: []string{"X-Stream-Secret: ", "X-Tenant-Key: " + secretB}, status: 401, reason: "required header X-Stream-Secret does not match the configured value"},
		{name: "sent twice, same value", header: append([]string{"X-Stream-Secret: " + secretA}, good...), status: 401, reason: "required header X-Stream-Secret sent more than once"},
		{name: "sent twice in two cases", header: append([]string{"x-tenant-key: " + secretB}, good...), status: 401, reason: "required header X-Tenant-Key sent more than once"},
	}
	for _, withToken := range []bool{false, true} {
		t.Run(fmt.Sprintf("token %v", withToken), func(t *testing.T) {
			sink := &consumertest.LogsSink{}
			cfg := testConfig(t)
			cfg.RequiredHeaders = headers
			run := cases
			if withToken {
				run = append(run,
					tc{name: "right headers, wrong token", auth: "wrong", header: good, status: 401, reason: "Authorization header does not match any configured token"},
					tc{name: "right headers, no token", auth: "-", header: good, status: 401, reason: "missing Authorization header"},
					tc{name: "wrong token and header: the token is named", auth: "wrong", header: good[:1], status: 401, reason: "Authorization header does not match any configured token"})
			} else {
				cfg.AuthorizationToken = ""
				run = append(run, tc{name: "right headers, any Authorization", auth: "anything", header: good, status: 200})
			}
			url := startReceiver(t, cfg, sink)
			accepted := 0
			for i, c := range run {
				req, err := http.NewRequest(http.MethodPost, url, jsonLines(envelope(fmt.Sprintf("rh-%d", i), "f")))
				require.NoError(t, err)
				switch {
				case c.auth == "-":
				case c.auth != "":
					req.Header.Set("Authorization", c.auth)
				case withToken:
					req.Header.Set("Authorization", testToken)
				}
				for _, h := range c.header {
					name, value, _ := strings.Cut(h, ": ")
					req.Header[name] = append(req.Header[name], value)
				}
				resp := do(t, req)
				require.Equal(t, c.status, resp.status, "%s: %s", c.name, resp.body)
				if c.status == http.StatusOK {
					accepted++
					continue
				}
				assert.Equal(t, c.reason, errorReason(t, resp.body), c.name)
				for _, v := range []string{secretA, secretB, testToken} {
					assert.NotContains(t, resp.body, v, c.name)
				}
			}
			assert.Equal(t, accepted, sink.LogRecordCount())
		})
	}
}

// TestRequiredHeaderCheckedBeforeBody: a wrong header is refused by the
// gate, before anything reads the body.
func TestRequiredHeaderCheckedBeforeBody(t *testing.T) {
	cfg := testConfig(t)
	cfg.RequiredHeaders = map[string]configopaque.String{"X-Stream-Secret": "s"}
	r, err := newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(t, err)
	reached := false
	inner := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { reached = true; w.WriteHeader(http.StatusNoContent) })
	for _, header := range [][]string{nil, {"X-Stream-Secret: t"}, {"X-Stream-Secret: s", "X-Stream-Secret: s"}} {
		body := &spyBody{}
		req := httptest.NewRequest(http.MethodPost, cfg.Path, body)
		req.Header.Set("Authorization", testToken)
		for _, h := range header {
			name, value, _ := strings.Cut(h, ": ")
			req.Header[name] = append(req.Header[name], value)
		}
		rec := httptest.NewRecorder()
		r.gate(inner).ServeHTTP(rec, req)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%v", header)
		assert.False(t, body.read.Load(), "%v: body was read", header)
		assert.Equal(t, "close", rec.Header().Get("Connection"))
	}
	assert.False(t, reached)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, cfg.Path, nil)
	req.Header.Set("Authorization", testToken)
	req.Header.Set("X-Stream-Secret", "s")
	r.gate(inner).ServeHTTP(rec, req)
	assert.True(t, reached, "the right header must pass the gate")
}

func TestAuthConfigValidation(t *testing.T) {
	const secret = "do-not-print-me-4411"
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"too many tokens", func(c *Config) {
			for i := range maxTokens {
				c.AuthorizationTokens = append(c.AuthorizationTokens, configopaque.String(fmt.Sprintf("%s-%d", secret, i)))
			}
		}, "authorization_tokens has 8 entries; at most 7 are allowed"},
		{"bad header name", func(c *Config) {
			c.RequiredHeaders = map[string]configopaque.String{"X Secret": secret}
		}, `required_headers: "X Secret" is not a valid header name`},
		{"Authorization as a required header", func(c *Config) {
			c.RequiredHeaders = map[string]configopaque.String{"authorization": secret}
		}, "required_headers: Authorization is checked by authorization_token(s)"},
		{"empty header value", func(c *Config) {
			c.RequiredHeaders = map[string]configopaque.String{"X-Secret": ""}
		}, "required_headers: X-Secret has an empty value"},
		{"same header in two cases", func(c *Config) {
			c.RequiredHeaders = map[string]configopaque.String{"X-Secret": secret, "x-secret": secret + "2"}
		}, `required_headers: "X-Secret" and "x-secret" are the same header`},
		{"too many headers", func(c *Config) {
			c.RequiredHeaders = map[string]configopaque.String{}
			for i := range maxRequiredHeaders + 1 {
				c.RequiredHeaders[fmt.Sprintf("X-H%d", i)] = secret
			}
		}, "required_headers has 17 entries; at most 16 are allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			c.edit(cfg)
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), secret)
			_, err = newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
			assert.Error(t, err, "the receiver must not start with an invalid auth configuration")
		})
	}
	cfg := createDefaultConfig().(*Config)
	cfg.AuthorizationTokens = []configopaque.String{"", ""}
	assert.NoError(t, cfg.Validate(), "empty entries (unset variables) are allowed")
}

// TestDuplicateTokenWarns: the same token in two slots (a rotation finished in one place but
// not yet the other) starts with a warning that names the slots, never the token, and the
// token is counted under its last slot.
func TestDuplicateTokenWarns(t *testing.T) {
	const secret = "same-token-twice-3391"
	core, logs := observer.New(zap.DebugLevel)
	set := metadatatest.NewSettings(componenttest.NewTelemetry())
	set.Logger = zap.New(core)
	cfg := testConfig(t)
	cfg.AuthorizationToken = secret
	cfg.AuthorizationTokens = []configopaque.String{"other-token", secret}
	require.NoError(t, cfg.Validate())
	r, err := newLogsReceiver(cfg, set, consumertest.NewNop())
	require.NoError(t, err)
	warned := logs.FilterMessage("Duplicate token in the configuration").All()
	require.Len(t, warned, 1)
	assert.Equal(t, zap.WarnLevel, warned[0].Level)
	assert.Equal(t, "authorization_token and authorization_tokens[1] are the same token; requests with it are counted under token.index 2", warned[0].ContextMap()["detail"])
	for _, e := range logs.All() {
		assert.NotContains(t, fmt.Sprint(e.ContextMap()), secret)
	}
	ok, index, _ := r.auth.check(authRequest(secret), nil)
	assert.True(t, ok)
	assert.Equal(t, 2, index)
}

func TestAuthConfigFromYAML(t *testing.T) {
	cfg, err := loadConfig(t, "rotation")
	require.NoError(t, err)
	assert.Equal(t, configopaque.String("current-token"), cfg.AuthorizationToken)
	assert.Equal(t, []configopaque.String{"next-token"}, cfg.AuthorizationTokens)
	a := newTestChecker(t, cfg)
	assert.Equal(t, []string{"X-Stream-Secret"}, a.headerNames())
	ok, index, reason := a.check(authRequest("next-token", "X-Stream-Secret: header-value"), nil)
	assert.True(t, ok, reason)
	assert.Equal(t, 1, index)

	// The configured values are opaque when the configuration is printed.
	conf := confmap.New()
	require.NoError(t, conf.Marshal(cfg))
	printed := fmt.Sprint(conf.ToStringMap())
	for _, v := range []string{"current-token", "next-token", "header-value"} {
		assert.NotContains(t, printed, v)
	}
}

// TestHeaderSecretIsNotAnOpenEndpoint: required_headers alone is a secret,
// so the open-endpoint warning is not logged, and the start line lists the
// header's name (never its value).
func TestHeaderSecretIsNotAnOpenEndpoint(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	cfg := testConfig(t)
	cfg.AuthorizationToken = ""
	cfg.RequiredHeaders = map[string]configopaque.String{"x-stream-secret": "v-9912"}
	startReceiverWith(t, cfg, consumertest.NewNop(), set)
	assert.Zero(t, logs.FilterMessageSnippet("anyone who can reach the endpoint").Len())
	started := logs.FilterMessage("Auth0 log stream receiver listening").All()
	require.Len(t, started, 1)
	assert.Equal(t, []any{"X-Stream-Secret"}, started[0].ContextMap()["required_headers"])
	assert.Equal(t, int64(0), started[0].ContextMap()["tokens"])
}

// BenchmarkAuthCheck shows the cost of a check with one and with the most
// tokens, matching the first slot, the last or none, and with required
// headers. The token loop always visits every slot, so the first five
// should be alike (compare them as ratios within one run).
func BenchmarkAuthCheck(b *testing.B) {
	tokens := make([]configopaque.String, maxTokens-1)
	for i := range tokens {
		tokens[i] = configopaque.String(fmt.Sprintf("benchmark-token-%02d-0123456789abcdef", i))
	}
	one := createDefaultConfig().(*Config)
	one.AuthorizationToken = "benchmark-token-xx-0123456789abcdef"
	full := createDefaultConfig().(*Config)
	full.AuthorizationToken = one.AuthorizationToken
	full.AuthorizationTokens = tokens
	headers := createDefaultConfig().(*Config)
	headers.AuthorizationToken = one.AuthorizationToken
	headers.RequiredHeaders = map[string]configopaque.String{"X-A": "header-a-value", "X-B": "header-b-value"}
	for _, c := range []struct {
		name string
		cfg  *Config
		req  *http.Request
	}{
		{"1 token/match", one, authRequest(string(one.AuthorizationToken))},
		{"1 token/miss", one, authRequest("benchmark-token-yy-0123456789abcdef")},
		{"8 tokens/match first", full, authRequest(string(full.AuthorizationToken))},
		{"8 tokens/match last", full, authRequest(string(tokens[len(tokens)-1]))},
		{"8 tokens/miss", full, authRequest("benchmark-token-yy-0123456789abcdef")},
		{"1 token+2 headers/match", headers, authRequest(string(one.AuthorizationToken), "X-A: header-a-value", "X-B: header-b-value")},
		{"1 token+2 headers/first header wrong", headers, authRequest(string(one.AuthorizationToken), "X-A: header-a-valuf", "X-B: header-b-value")},
	} {
		b.Run(c.name, func(b *testing.B) {
			a, err := newAuthChecker(c.cfg)
			require.NoError(b, err)
			for b.Loop() {
				a.check(c.req, nil)
			}
		})
	}
}
