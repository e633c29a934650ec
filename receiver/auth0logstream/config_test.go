package auth0logstream

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestDefaultConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, "localhost:8383", cfg.ServerConfig.NetAddr.Endpoint)
	assert.Equal(t, "/api/logs", cfg.Path)
	assert.Equal(t, BodyEvent, cfg.Body)
	assert.Empty(t, string(cfg.AuthorizationToken))
	assert.Equal(t, int64(16<<20), cfg.ServerConfig.MaxRequestBodySize)
	assert.Equal(t, 10*time.Second, cfg.ServerConfig.ReadHeaderTimeout)
	assert.Equal(t, 60*time.Second, cfg.ServerConfig.ReadTimeout)
	assert.Equal(t, 30*time.Second, cfg.ServerConfig.WriteTimeout)
	assert.Equal(t, 60*time.Second, cfg.ServerConfig.IdleTimeout)
	assert.Equal(t, 64<<10, cfg.MaxHeaderBytes)
	assert.Equal(t, 1024, cfg.MaxConnections)
	assert.Equal(t, 5*time.Second, cfg.RetryAfter)
	assert.True(t, cfg.Deduplication.Enabled)
	assert.Equal(t, 100_000, cfg.Deduplication.MaxEntries)
}

func TestCustomConfig(t *testing.T) {
	cfg, err := loadConfig(t, "custom")
	require.NoError(t, err)

	assert.Equal(t, "0.0.0.0:9443", cfg.ServerConfig.NetAddr.Endpoint)
	assert.Equal(t, "/auth0/stream", cfg.Path)
	assert.Equal(t, configopaque.String("custom-token"), cfg.AuthorizationToken)
	assert.Equal(t, BodyRaw, cfg.Body)
	assert.Equal(t, int64(1<<20), cfg.ServerConfig.MaxRequestBodySize)
	assert.Equal(t, 3*time.Second, cfg.ServerConfig.ReadHeaderTimeout)
	assert.Equal(t, 20*time.Second, cfg.ServerConfig.ReadTimeout)
	assert.Equal(t, 15*time.Second, cfg.ServerConfig.WriteTimeout)
	assert.True(t, cfg.ServerConfig.IncludeMetadata)
	assert.Equal(t, 30*time.Second, cfg.RetryAfter)
	assert.Equal(t, 8192, cfg.MaxHeaderBytes)
	assert.False(t, cfg.Deduplication.Enabled)
	assert.Equal(t, 10, cfg.Deduplication.MaxEntries)
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
