// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package tools pins the code generators this repository runs, so that
// `make generate` uses the same mdatagen version as the Collector modules the
// receiver is built against. It lives in its own module to keep mdatagen's
// dependencies out of the receiver's go.mod.
package tools

import (
	_ "go.opentelemetry.io/collector/cmd/mdatagen"
)
