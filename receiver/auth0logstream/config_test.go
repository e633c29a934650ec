// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	return loadConfigFrom(t, "config.yaml", name)
}

// loadConfigFrom loads the receiver section name of testdata/file over the
// defaults; the error is the unmarshalling's, else the validation's.
func loadConfigFrom(t *testing.T, file, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", file))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg, confmap.Validate(cfg)
}

// The whole struct is compared, so a new field with a surprising default,
// or a key that stops reaching its field, fails here.
func TestDefaultConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	srv := confighttp.NewDefaultServerConfig()
	srv.NetAddr.Endpoint = "localhost:8383"
	srv.MaxRequestBodySize = 16 << 20
	srv.ReadHeaderTimeout = 10 * time.Second
	srv.ReadTimeout = 60 * time.Second
	srv.WriteTimeout = 30 * time.Second
	want := &Config{
		ServerConfig:   srv,
		Path:           "/api/logs",
		Body:           BodyEvent,
		MaxHeaderBytes: 64 << 10,
		MaxConnections: 1024,
		RetryAfter:     5 * time.Second,
		Deduplication:  DedupConfig{Enabled: true, MaxEntries: 100_000},
		// Off until the section is present; its defaults apply then.
		ManagementAPI: configoptional.Default(ManagementAPIConfig{
			PageSize: 100, PollInterval: 10 * time.Second, MaxRequestsPerSecond: 1, StartAt: "24h",
		}),
		GeoIP:     GeoIPConfig{CheckInterval: time.Minute, CacheSize: 4096},
		UserAgent: UserAgentConfig{Enabled: true, CacheSize: 4096, MaxParsesPerSecond: 100},
		Inspector: InspectorConfig{MaxRequests: 50, MaskPII: true},
	}
	assert.Equal(t, want, cfg)
	assert.False(t, cfg.ManagementAPI.HasValue(), "pull is off by default")
}

func TestCustomConfig(t *testing.T) {
	cfg, err := loadConfig(t, "custom")
	require.NoError(t, err)
	want := createDefaultConfig().(*Config)
	want.ServerConfig.NetAddr.Endpoint = "0.0.0.0:9443"
	want.ServerConfig.MaxRequestBodySize = 1 << 20
	want.ServerConfig.ReadHeaderTimeout = 3 * time.Second
	want.ServerConfig.ReadTimeout = 20 * time.Second
	want.ServerConfig.WriteTimeout = 15 * time.Second
	want.ServerConfig.IncludeMetadata = true
	want.Path = "/auth0/stream"
	want.AuthorizationToken = configopaque.String("custom-token")
	want.Body = BodyRaw
	want.RetryAfter = 30 * time.Second
	want.MaxHeaderBytes = 8192
	want.Deduplication = DedupConfig{Enabled: false, MaxEntries: 10}
	assert.Equal(t, want, cfg)
}

func TestInvalidConfig(t *testing.T) {
	for name, want := range map[string]string{
		"bad_path":  `path "api/logs" must start with "/"`,
		"bad_body":  `body "everything" is not one of event, description, raw`,
		"bad_dedup": "deduplication.max_entries must be positive",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestUnknownKeyIsRejected(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	err := confmap.NewFromStringMap(map[string]any{"pathh": "/x"}).Unmarshal(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pathh")
}

// TestOpenEndpointWarning: without a token and without an auth extension the
// receiver starts, and says plainly that anyone can send events.
func TestOpenEndpointWarning(t *testing.T) {
	for _, tc := range []struct {
		name     string
		token    string
		wantWarn bool
	}{
		{name: "no token", wantWarn: true},
		{name: "token", token: "x", wantWarn: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zap.WarnLevel)
			set := receivertest.NewNopSettings(metadata.Type)
			set.Logger = zap.New(core)
			cfg := testConfig(t)
			cfg.AuthorizationToken = configopaque.String(tc.token)
			startReceiverWith(t, cfg, consumertest.NewNop(), set)
			warned := logs.FilterMessageSnippet("anyone who can reach the endpoint").Len() > 0
			assert.Equal(t, tc.wantWarn, warned)
		})
	}
}
