// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadEnrichConfig(t *testing.T, name string) (*Config, error) {
	return loadConfigFrom(t, "config_enrich.yaml", name)
}

func TestEnrichDefaults(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cfg.Validate())
	assert.Empty(t, cfg.GeoIP.Database, "GeoIP is off until a database is given")
	assert.Equal(t, time.Minute, cfg.GeoIP.CheckInterval)
	assert.Equal(t, 4096, cfg.GeoIP.CacheSize)
	assert.True(t, cfg.UserAgent.Enabled)
	assert.Equal(t, 4096, cfg.UserAgent.CacheSize)
	assert.Equal(t, 100, cfg.UserAgent.MaxParsesPerSecond)
}

func TestEnrichConfig(t *testing.T) {
	cfg, err := loadEnrichConfig(t, "enriched")
	require.NoError(t, err)
	assert.Equal(t, GeoIPConfig{Database: "/var/lib/GeoIP/GeoLite2-City.mmdb", CheckInterval: 5 * time.Minute, CacheSize: 100}, cfg.GeoIP)
	assert.Equal(t, UserAgentConfig{Enabled: false, CacheSize: 10, MaxParsesPerSecond: 7}, cfg.UserAgent)
}

func TestInvalidEnrichConfig(t *testing.T) {
	for name, wants := range map[string][]string{
		"bad_geoip":       {"geoip.check_interval 10ms must be at least 1s", "geoip.cache_size -1 must be between 0 and"},
		"bad_user_agent":  {"user_agent.cache_size -5 must be between 0 and", "user_agent.max_parses_per_second must not be negative"},
		"typo_geoip":      {"unknown configuration keys: geoip::databse"},
		"typo_user_agent": {"unknown configuration keys: user_agent::enable"},
		// Not enrichment, but checked one level down the same way.
		"typo_deduplication": {"unknown configuration keys: deduplication::storag"},
		"typo_inspector":     {"unknown configuration keys: inspector::endpont"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadEnrichConfig(t, name)
			require.Error(t, err)
			for _, want := range wants {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}
