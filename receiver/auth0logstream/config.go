package auth0logstream

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

const (
	defaultEndpoint       = "localhost:8383"
	defaultPath           = "/api/logs"
	defaultMaxBodySize    = 16 << 20 // 16 MiB, after decompression
	defaultMaxHeaderBytes = 64 << 10
	defaultReadHeader     = 10 * time.Second
	defaultReadTimeout    = 60 * time.Second
	defaultWriteTimeout   = 30 * time.Second
	defaultIdleTimeout    = 60 * time.Second
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

	Inspector InspectorConfig `mapstructure:"inspector"` // see config_inspector.go

	// prevent unkeyed literal initialization
	_ struct{}
}

// DedupConfig bounds the per-instance memory of accepted log_ids.
type DedupConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// MaxEntries is how many log_ids are remembered; the oldest is forgotten
	// first. Each entry costs about 40 bytes (see README).
	MaxEntries int `mapstructure:"max_entries"`
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
func knownKeys(t reflect.Type) map[string]struct{} {
	keys := map[string]struct{}{}
	for i := 0; i < t.NumField(); i++ {
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
	errs = append(errs, cfg.validateInspector())
	return errors.Join(errs...)
}
