// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

const (
	defaultEndpoint       = "localhost:8383"
	defaultPath           = "/api/logs"
	defaultMaxBodySize    = 16 << 20 // 16 MiB, after decompression
	defaultMaxHeaderBytes = 64 << 10
	defaultReadHeader     = 10 * time.Second
	defaultReadTimeout    = 60 * time.Second
	defaultWriteTimeout   = 30 * time.Second
	defaultRetryAfter     = 5 * time.Second
	defaultDedupEntries   = 100_000
	defaultMaxConns       = 1024
)

// BodyMode selects what a LogRecord's body holds.
type BodyMode string

const (
	// BodyEvent keeps the whole `data` object as a structured map.
	BodyEvent BodyMode = "event"
	// BodyDescription keeps only Auth0's human-readable description.
	BodyDescription BodyMode = "description"
	// BodyRaw keeps the event's original JSON text.
	BodyRaw BodyMode = "raw"
)

// mode is the translator's name for the body mode.
func (m BodyMode) mode() translator.BodyMode {
	switch m {
	case BodyDescription:
		return translator.BodyDescription
	case BodyRaw:
		return translator.BodyRaw
	}
	return translator.BodyEvent
}

// Config is the receiver's configuration.
type Config struct {
	// ServerConfig is named (not anonymous) because at this collector release an
	// anonymous embed with squash hides the receiver's own keys from confmap.
	ServerConfig confighttp.ServerConfig `mapstructure:",squash"`

	// Path is the only URL path that accepts events.
	Path string `mapstructure:"path"`

	// AuthorizationToken, when set, must equal the request's Authorization
	// header byte for byte. Auth0 sends the value exactly as typed in the
	// stream settings, with no "Bearer " prefix of its own.
	AuthorizationToken configopaque.String `mapstructure:"authorization_token"`

	// AuthorizationTokens are accepted as well as AuthorizationToken, for
	// rotation without a gap (auth.go). Empty entries accept nothing.
	AuthorizationTokens []configopaque.String `mapstructure:"authorization_tokens"`

	// RequiredHeaders maps header names (case-insensitive) to values that
	// must all be present, once each and exactly equal (auth.go).
	RequiredHeaders map[string]configopaque.String `mapstructure:"required_headers"`

	// Body selects the LogRecord body: event, description or raw.
	Body BodyMode `mapstructure:"body"`

	// MaxHeaderBytes bounds the size of request headers.
	MaxHeaderBytes int `mapstructure:"max_header_bytes"`

	// MaxConnections bounds concurrent connections; further ones wait in the
	// kernel's accept queue until one closes. 0 means no limit.
	MaxConnections int `mapstructure:"max_connections"`

	// RetryAfter is sent as Retry-After when the pipeline refuses data
	// temporarily, so the sender backs off instead of hammering.
	RetryAfter time.Duration `mapstructure:"retry_after"`

	Deduplication DedupConfig `mapstructure:"deduplication"`

	// ManagementAPI turns on pull mode when the section is present (see
	// config_pull.go). An empty endpoint turns the push server off.
	ManagementAPI configoptional.Optional[ManagementAPIConfig] `mapstructure:"management_api"`

	// GeoIP and UserAgent enrich each record; see config_enrich.go.
	GeoIP     GeoIPConfig     `mapstructure:"geoip"`
	UserAgent UserAgentConfig `mapstructure:"user_agent"`

	Inspector InspectorConfig `mapstructure:"inspector"` // see config_inspector.go

	// prevent unkeyed literal initialization
	_ struct{}
}

// DedupConfig bounds the per-instance memory of accepted log_ids.
type DedupConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// MaxEntries is how many log_ids are remembered; the oldest is forgotten
	// first. Each entry costs about 32 bytes (see README).
	MaxEntries int `mapstructure:"max_entries"`
	// Storage optionally names a storage extension that keeps the window
	// across restarts (see dedup_store.go).
	Storage *component.ID `mapstructure:"storage"`
}

var _ confmap.Unmarshaler = (*Config)(nil)

// Unmarshal refuses unknown keys. confmap hands the whole section to
// confighttp's own Unmarshal for the squashed ServerConfig, and at this
// release that path silently ignores keys nobody claimed, so a typo such as
// "authorisation_token" would leave the endpoint open without a word.
func (cfg *Config) Unmarshal(conf *confmap.Conf) error {
	known := knownKeys(reflect.TypeFor[Config]())
	var unknown []string
	for _, k := range conf.AllKeys() {
		top, _, _ := strings.Cut(k, confmap.KeyDelimiter)
		if _, ok := known[top]; !ok && !slices.Contains(unknown, top) {
			unknown = append(unknown, top)
		}
	}
	unknown = append(unknown, unknownSectionKeys(conf)...)
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("unknown configuration keys: %s", strings.Join(unknown, ", "))
	}
	// The method-less alias stops confmap from calling this method again.
	type plain Config
	return conf.Unmarshal((*plain)(cfg))
}

// knownKeys lists the top-level mapstructure keys of a struct, following
// squashed fields.
// checkedSections are the sections whose keys are checked one level down,
// for the same reason: a typo such as geoip.databse, deduplication.storag or
// inspector.endpont would otherwise leave a feature off without a word.
var checkedSections = map[string]reflect.Type{
	"deduplication": reflect.TypeFor[DedupConfig](),
	"geoip":         reflect.TypeFor[GeoIPConfig](),
	"inspector":     reflect.TypeFor[InspectorConfig](),
	"user_agent":    reflect.TypeFor[UserAgentConfig](),
}

// unknownSectionKeys lists the keys of conf's checked sections that no
// setting claims, as section::key.
func unknownSectionKeys(conf *confmap.Conf) []string {
	var unknown []string
	for _, k := range conf.AllKeys() {
		section, rest, nested := strings.Cut(k, confmap.KeyDelimiter)
		t, ok := checkedSections[section]
		if !ok || !nested {
			continue
		}
		key, _, _ := strings.Cut(rest, confmap.KeyDelimiter)
		if _, known := knownKeys(t)[key]; !known {
			if full := section + confmap.KeyDelimiter + key; !slices.Contains(unknown, full) {
				unknown = append(unknown, full)
			}
		}
	}
	return unknown
}

func knownKeys(t reflect.Type) map[string]struct{} {
	keys := map[string]struct{}{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if slices.Contains(strings.Split(opts, ","), "squash") {
			for k := range knownKeys(f.Type) {
				keys[k] = struct{}{}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name != "-" {
			keys[name] = struct{}{}
		}
	}
	return keys
}

// Validate checks the receiver configuration.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.ServerConfig.NetAddr.Endpoint == "" && !cfg.ManagementAPI.HasValue() {
		errs = append(errs, errors.New(`no source configured: set endpoint to receive Auth0's log stream (push), or add a management_api section to pull from Auth0's Management API; endpoint: "" turns push off only when pull is on`))
	}
	if !strings.HasPrefix(cfg.Path, "/") {
		errs = append(errs, fmt.Errorf("path %q must start with \"/\"", cfg.Path))
	}
	switch cfg.Body {
	case BodyEvent, BodyDescription, BodyRaw:
	default:
		errs = append(errs, fmt.Errorf("body %q is not one of event, description, raw", cfg.Body))
	}
	if cfg.Deduplication.Enabled && cfg.Deduplication.MaxEntries <= 0 {
		errs = append(errs, errors.New("deduplication.max_entries must be positive when deduplication is enabled"))
	}
	if cfg.ServerConfig.MaxRequestBodySize < 0 {
		errs = append(errs, errors.New("max_request_body_size must not be negative"))
	}
	if cfg.MaxHeaderBytes < 0 {
		errs = append(errs, errors.New("max_header_bytes must not be negative"))
	}
	if cfg.MaxConnections < 0 {
		errs = append(errs, errors.New("max_connections must not be negative"))
	}
	if cfg.RetryAfter < 0 {
		errs = append(errs, errors.New("retry_after must not be negative"))
	}
	errs = append(errs, cfg.validateAuth()...)
	errs = append(errs, cfg.validateEnrich())
	errs = append(errs, cfg.validateInspector())
	return errors.Join(errs...)
}
