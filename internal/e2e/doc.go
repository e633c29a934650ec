// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package e2e holds the end-to-end tests of the otelcol-auth0 distribution: they start the
// collector built by `make build` and a sink collector as real processes, post the samples in
// the top-level testdata/ directory, and check what reaches the sink. They skip unless
// OTELCOL_BINARY names the built collector, which `make test-e2e` does.
package e2e
