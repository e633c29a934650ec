// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

func TestPullConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(t, "pull")
	require.NoError(t, err)
	assert.Empty(t, cfg.ServerConfig.NetAddr.Endpoint, `endpoint: "" keeps push off`)
	require.True(t, cfg.ManagementAPI.HasValue())
	mc := cfg.ManagementAPI.Get()
	assert.Equal(t, "acme.eu.auth0.com", mc.Domain)
	assert.Empty(t, mc.Endpoint)
	assert.Equal(t, "the-client", mc.ClientID)
	assert.Equal(t, configopaque.String("the-secret"), mc.ClientSecret)
	assert.Equal(t, 100, mc.PageSize)
	assert.Equal(t, 10*time.Second, mc.PollInterval)
	assert.InDelta(t, 1.0, mc.MaxRequestsPerSecond, 0)
	assert.Equal(t, "24h", mc.StartAt)
	require.NotNil(t, mc.Storage)
	assert.Equal(t, component.MustNewID("file_storage"), *mc.Storage)
	assert.Equal(t, "https://acme.eu.auth0.com", mc.baseURL())
	assert.Equal(t, "https://acme.eu.auth0.com/api/v2/", mc.audience())
	require.NotNil(t, cfg.Deduplication.Storage)
	assert.Equal(t, component.MustNewIDWithName("file_storage", "dedup"), *cfg.Deduplication.Storage)
}

func TestPullConfigCustom(t *testing.T) {
	cfg, err := loadConfig(t, "pull_custom")
	require.NoError(t, err)
	assert.Equal(t, "localhost:8383", cfg.ServerConfig.NetAddr.Endpoint, "push stays on by default")
	mc := cfg.ManagementAPI.Get()
	require.NotNil(t, mc)
	assert.Equal(t, 25, mc.PageSize)
	assert.Equal(t, 30*time.Second, mc.PollInterval)
	assert.InDelta(t, 2.5, mc.MaxRequestsPerSecond, 0)
	assert.Equal(t, "now", mc.StartAt)
	assert.Equal(t, "http://127.0.0.1:8999", mc.baseURL())
	assert.Equal(t, "https://acme.eu.auth0.com/api/v2/", mc.audience(), "the audience names the tenant even through another endpoint")
}

func TestPullOffWithoutSection(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.False(t, cfg.ManagementAPI.HasValue())
	assert.Nil(t, cfg.Deduplication.Storage)
}

func TestPullConfigInvalid(t *testing.T) {
	_, err := loadConfig(t, "no_source")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no source configured")

	_, err = loadConfig(t, "pull_bad")
	require.Error(t, err)
	for _, want := range []string{
		`management_api.domain "https://acme.eu.auth0.com/" must be a bare host name`,
		"plain http is only allowed to loopback addresses",
		"management_api.client_id is required",
		"management_api.client_secret is required",
		"management_api.page_size 101 is out of range: Auth0 accepts 1..100",
		"management_api.poll_interval 1ms is below the minimum",
		"management_api.max_requests_per_second 0 must be above 0",
		`management_api.start_at "yesterday!" is neither a duration`,
		"management_api.storage is required",
	} {
		assert.Contains(t, err.Error(), want)
	}

	_, err = loadConfig(t, "pull_page_zero")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "management_api.page_size 0 is out of range")
}

func TestPullEndpointRules(t *testing.T) {
	for _, ok := range []string{"https://proxy.example", "https://proxy.example:8443/", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2"} {
		assert.NoError(t, validatePullEndpoint(ok), ok)
	}
	for _, bad := range []string{"http://10.1.2.3:80", "http://acme.example", "proxy.example", "https://proxy.example/api", "https://u:p@proxy.example", "ftp://x"} {
		assert.Error(t, validatePullEndpoint(bad), bad)
	}
}

func TestPullUnknownKeyIsRejected(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	err := confmap.NewFromStringMap(map[string]any{"management_api": map[string]any{
		"domain": "acme.eu.auth0.com", "client_secert": "typo",
	}}).Unmarshal(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "client_secert")
}
