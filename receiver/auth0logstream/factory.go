// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

// NewFactory returns the factory of the auth0logstream receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	srv := confighttp.NewDefaultServerConfig()
	srv.NetAddr.Endpoint = defaultEndpoint
	srv.MaxRequestBodySize = defaultMaxBodySize
	srv.ReadHeaderTimeout = defaultReadHeader
	srv.ReadTimeout = defaultReadTimeout
	srv.WriteTimeout = defaultWriteTimeout
	// confighttp's own idle timeout (one minute) is kept.
	return &Config{
		ServerConfig:   srv,
		Path:           defaultPath,
		Body:           BodyEvent,
		MaxHeaderBytes: defaultMaxHeaderBytes,
		MaxConnections: defaultMaxConns,
		RetryAfter:     defaultRetryAfter,
		Deduplication: DedupConfig{
			Enabled:    true,
			MaxEntries: defaultDedupEntries,
		},
		ManagementAPI: configoptional.Default(defaultManagementAPIConfig()),
		GeoIP:         defaultGeoIPConfig(),
		UserAgent:     defaultUserAgentConfig(),
		Inspector:     InspectorConfig{MaxRequests: defaultInspectorMaxRequests, MaskPII: true},
	}
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newLogsReceiver(cfg.(*Config), set, next)
}
