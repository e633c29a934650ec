// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package fleet holds the scale-out test: three replicas of the collector built by
// `make build` behind nginx as a round-robin load balancer, one sink, the load generator
// driving the fleet like an Auth0 log stream, and one replica killed with SIGKILL mid-run and
// restarted on its own queue directory. It skips unless OTELCOL_BINARY names the built
// collector. It needs nginx (Debian: nginx-light); without it the test skips, or fails when
// FLEET_REQUIRED=1. `make test-fleet` runs it on its own.
package fleet
