// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"errors"
	"fmt"
	"time"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/useragent"
)

// GeoIPConfig turns client.address into geo.* attributes with a MaxMind or
// DB-IP database file. Off while Database is empty.
type GeoIPConfig struct {
	// Database is the path of a .mmdb file, City or Country edition. The
	// file is opened when the receiver starts: a missing or corrupt file
	// stops the start with a message that says which.
	Database string `mapstructure:"database"`
	// CheckInterval is how often the file is checked for replacement
	// (geoipupdate renames a new file over it); at least 1s.
	CheckInterval time.Duration `mapstructure:"check_interval"`
	// CacheSize is how many addresses' answers are remembered (0: none).
	CacheSize int `mapstructure:"cache_size"`
}

// UserAgentConfig parses user_agent.original into user_agent.name, version
// and the operating system's name and version.
type UserAgentConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// CacheSize is how many distinct user-agent strings are remembered (0:
	// none).
	CacheSize int `mapstructure:"cache_size"`
	// MaxParsesPerSecond bounds the full parses of raw strings not in the
	// cache, about 0.5 ms of CPU each (0: no limit).
	MaxParsesPerSecond int `mapstructure:"max_parses_per_second"`
}

func defaultGeoIPConfig() GeoIPConfig {
	return GeoIPConfig{CheckInterval: geoip.DefaultCheckInterval, CacheSize: geoip.DefaultCacheSize}
}

func defaultUserAgentConfig() UserAgentConfig {
	return UserAgentConfig{
		Enabled:            true,
		CacheSize:          useragent.DefaultCacheSize,
		MaxParsesPerSecond: useragent.DefaultMaxParsesPerSecond,
	}
}

// validateEnrich checks the enrichment settings; nil when they are fine.
func (cfg *Config) validateEnrich() error {
	var errs []error
	g := cfg.GeoIP
	if g.Database != "" && g.CheckInterval < geoip.MinCheckInterval {
		errs = append(errs, fmt.Errorf("geoip.check_interval %s must be at least %s", g.CheckInterval, geoip.MinCheckInterval))
	}
	if g.CacheSize < 0 || g.CacheSize > geoip.MaxCacheSize {
		errs = append(errs, fmt.Errorf("geoip.cache_size %d must be between 0 and %d", g.CacheSize, geoip.MaxCacheSize))
	}
	u := cfg.UserAgent
	if u.CacheSize < 0 || u.CacheSize > useragent.MaxCacheSize {
		errs = append(errs, fmt.Errorf("user_agent.cache_size %d must be between 0 and %d", u.CacheSize, useragent.MaxCacheSize))
	}
	if u.MaxParsesPerSecond < 0 {
		errs = append(errs, errors.New("user_agent.max_parses_per_second must not be negative"))
	}
	return errors.Join(errs...)
}
