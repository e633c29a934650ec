// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/useragent"
)

// enricher adds what a record's attributes imply once they are mapped: the
// client address's location and the parsed user agent. The translator calls
// Enrich for every event, from every source. The receiver makes it empty
// with the translators and fills it in Start, before any source runs, and
// closes it in Shutdown, after they have stopped.
type enricher struct {
	geo *geoip.DB         // nil: geoip.database unset
	ua  *useragent.Parser // nil: user_agent.enabled false
}

// start opens what cfg turns on. A GeoIP database that is missing or
// corrupt is an error naming the file.
func (e *enricher) start(cfg *Config, logger *zap.Logger) error {
	if cfg.UserAgent.Enabled {
		ua, err := useragent.New(useragent.Options{
			CacheSize:          cfg.UserAgent.CacheSize,
			MaxParsesPerSecond: cfg.UserAgent.MaxParsesPerSecond,
		})
		if err != nil {
			return err
		}
		e.ua = ua
	}
	if cfg.GeoIP.Database != "" {
		db, err := geoip.Open(geoip.Options{
			Path:          cfg.GeoIP.Database,
			CheckInterval: cfg.GeoIP.CheckInterval,
			CacheSize:     cfg.GeoIP.CacheSize,
			Logger:        logger,
		})
		if err != nil {
			return err
		}
		e.geo = db
	}
	return nil
}

// Enrich enriches one translated event's attributes. The translator has
// mapped Management API calls already, which may supply client.address for
// the GeoIP lookup.
func (e *enricher) Enrich(attrs pcommon.Map) {
	if e.geo != nil {
		if addr, ok := attrs.Get(attrClientAddress); ok && addr.Type() == pcommon.ValueTypeStr {
			e.geo.Lookup(addr.Str(), attrs)
		}
	}
	if e.ua != nil {
		e.ua.Enrich(attrs)
	}
}

func (e *enricher) shutdown() error {
	if e.geo == nil {
		return nil
	}
	err := e.geo.Close()
	e.geo = nil
	return err
}

const attrClientAddress = "client.address"
