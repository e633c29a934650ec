package auth0logstream

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
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

	// RetryAfter is sent as Retry-After when the pipeline refuses data
	// temporarily, so the sender backs off instead of hammering.
	RetryAfter time.Duration `mapstructure:"retry_after"`

	Deduplication DedupConfig `mapstructure:"deduplication"`

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
	if cfg.RetryAfter < 0 {
		errs = append(errs, errors.New("retry_after must not be negative"))
	}
	return errors.Join(errs...)
}
