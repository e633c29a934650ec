// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package soak runs the distribution for a long time at a steady load and checks that nothing
// grows: `make soak` (SOAK_DURATION, default 60m). It uses the collector built by `make build`
// (OTELCOL_BINARY) with the repository's otelcol-config.yaml and a sink collector, all as real
// processes on 127.0.0.1. It measures the pipeline's maximum throughput briefly, then drives
// half of it with a realistic Auth0 mix plus malformed lines, re-sent batches, oversize and
// unauthenticated requests, samples the collector's resources every interval, and checks that
// the last quarter of the run shows no upward trend, that every acknowledged event the filter
// forwards reached the sink, and that the sending queue drains. The figures and a chart go to
// docs/soak/.
//
// Without OTELCOL_BINARY and SOAK_DURATION (both set by `make soak`) the soak test skips, so
// `go test ./...` runs only the unit tests of the helpers here.
package soak
