// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package reliability holds the delivery-guarantee tests of the otelcol-auth0 distribution.
// Each test runs the collector built by `make build` (named by OTELCOL_BINARY; without it the
// tests skip, see `make test-reliability`) with the repository's
// production otelcol-config.yaml, a sink collector and the load generator as real processes,
// breaks something (a crash, an outage, memory pressure, retries, a shutdown), and checks that
// every event the receiver acknowledged with 2xx reached the sink.
package reliability
