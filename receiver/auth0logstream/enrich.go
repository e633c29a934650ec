package auth0logstream

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/mgmt"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/useragent"
)

// enricher adds what a record's attributes imply once they are mapped: the
// Management API call and its actor, the client address's location and the
// parsed user agent. The translator calls record for every event. The
// receiver makes it empty with the translators and fills it in Start,
// before the server accepts requests, and closes it in Shutdown, after the
// server has stopped.
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

// record enriches one translated event: event is its data object, attrs
// its LogRecord's attributes. The Management API mapping runs first, as it
// may supply client.address for the GeoIP lookup. A nil enricher does
// nothing.
func (e *enricher) record(event, attrs pcommon.Map) {
	if e == nil {
		return
	}
	mgmt.Map(event, attrs)
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
	if e == nil || e.geo == nil {
		return nil
	}
	return e.geo.Close()
}

const attrClientAddress = "client.address"
