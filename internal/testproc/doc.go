// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package testproc holds what the system suites (internal/e2e, internal/reliability,
// internal/fleet) and the benchmark driver (internal/bench) share: it starts the
// distribution's binaries as real processes with the repository's own configs, posts to the
// receiver, reads what the sink collector wrote and what the collector's own metrics say.
// Every process it starts for a test is killed in t.Cleanup, so a failing or timed-out test
// leaves nothing running. A suite calls Collector first: without OTELCOL_BINARY it skips.
package testproc
