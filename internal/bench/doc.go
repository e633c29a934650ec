// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package bench holds the end-to-end benchmark of the otelcol-auth0
// distribution: it runs the built collector as a real process, drives its
// auth0logstream receiver and the stock otlp receiver with the same events,
// and reads the collector's CPU time and memory from /proc. It is its own Go
// module so that the plotting libraries stay out of the collector's module.
// cmd/e2e is the driver behind `make bench-e2e`.
package bench
