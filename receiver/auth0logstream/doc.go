// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package auth0logstream receives Auth0 Custom Webhook log streams over HTTP
// and turns each Auth0 tenant log event into an OpenTelemetry LogRecord.
//
// The files named generated_* and everything under internal/metadata are
// produced by mdatagen from metadata.yaml; run `make generate` after editing
// metadata.yaml instead of changing them by hand.
package auth0logstream // import "github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream"

// bin/mdatagen is built by `make generate` from the version pinned in
// internal/tools, so every run uses the same generator as the Collector
// modules this receiver is built against. mdatagen writes its files 0600
// (including README.md, whose status table it rewrites) and new directories
// 0700; the chmod lines make them readable like the rest of the tree.
//go:generate ../../bin/mdatagen metadata.yaml
//go:generate chmod 0755 internal internal/metadata
//go:generate find . -type f ( -name generated_*.go -o -path ./README.md ) -exec chmod 0644 {} +
