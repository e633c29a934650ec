module github.com/auth0-otel/otelcol-auth0

go 1.26.0

require (
	github.com/json-iterator/go v1.1.12 // indirect
	go.opentelemetry.io/collector/pdata v1.67.0
)

require github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream v0.0.0-00010101000000-000000000000

require (
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	go.opentelemetry.io/collector/featuregate v1.67.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
)

// The receiver is its own module, so that a collector built with it pulls in
// none of this repository's test and tool dependencies.
replace github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream => ./receiver/auth0logstream
