// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BinaryEnv names the collector the system suites run. The Makefile's test-e2e,
// test-reliability and test-fleet targets build it and set it; a plain `go test ./...`
// leaves it unset, and those suites skip.
const BinaryEnv = "OTELCOL_BINARY"

// Collector returns the distribution built by `make build`, named by OTELCOL_BINARY. Unset,
// the test skips: a fresh clone has no collector, and unit tests must pass without one. Set
// to a file that is not there, the test fails, since someone asked for a run that cannot
// happen. Tests never build the collector themselves: a second, differently configured build
// would hide what users get.
func Collector(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		t.Skip(BinaryEnv + " not set: run make test-e2e, test-reliability or test-fleet, which build the collector")
	}
	if _, err := os.Stat(bin); err != nil { //nolint:gosec // G703: the path is the developer's own setting
		t.Fatalf("%s=%s: %v (run `make build`, or point it at a built collector)", BinaryEnv, bin, err)
	}
	return bin
}

// RepoRoot is the repository's top directory, where otelcol-config.yaml, internal/run and
// testdata/ are: the nearest directory above the test's own (go test runs a test in its
// package's directory) whose go.mod declares the root module.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modulePath(b) == rootModule {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no directory above the working directory holds the go.mod of %s", rootModule)
		}
		dir = parent
	}
}

const rootModule = "github.com/auth0-otel/otelcol-auth0"

// modulePath reads the module directive of a go.mod.
func modulePath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// SinkCommand is how the suites run the sink: the same binary with internal/run's
// sink-config.yaml, an OTLP/HTTP receiver on addr writing every export request to file.
func SinkCommand(root, addr, file string) (env, args []string) {
	return []string{
			"SINK_ENDPOINT=" + addr,
			"SINK_OUTPUT_FILE=" + file,
			"SINK_VERBOSITY=basic",
		},
		[]string{"--config", filepath.Join(root, "internal", "run", "sink-config.yaml")}
}

// CollectorEnv is what one collector running the repository's own otelcol-config.yaml is
// given: only environment variables differ from what a user runs.
type CollectorEnv struct {
	Receiver string // auth0logstream listen address
	Health   string // health_check listen address
	Metrics  string // the collector's own Prometheus metrics; only the port is configurable
	Token    string // AUTH0_LOG_STREAM_TOKEN
	Sink     string // the OTLP/HTTP destination's address
	QueueDir string // file_storage directory of the persistent sending queue
}

// CollectorEnvOn gives a CollectorEnv the first three addrs as its receiver, health and
// metrics addresses, the rest of its fields as given.
func CollectorEnvOn(addrs []string, token, sink, queueDir string) CollectorEnv {
	return CollectorEnv{Receiver: addrs[0], Health: addrs[1], Metrics: addrs[2], Token: token, Sink: sink, QueueDir: queueDir}
}

// ReceiverURL is where Auth0 would POST.
func (c CollectorEnv) ReceiverURL() string { return "http://" + c.Receiver + "/api/logs" }

// HealthURL is the health_check endpoint.
func (c CollectorEnv) HealthURL() string { return "http://" + c.Health + "/" }

// MetricsURL is the collector's own Prometheus endpoint.
func (c CollectorEnv) MetricsURL() string { return "http://" + c.Metrics + "/metrics" }

// Environ is c as the environment variables otelcol-config.yaml reads.
func (c CollectorEnv) Environ() []string {
	_, metricsPort, _ := net.SplitHostPort(c.Metrics)
	return []string{
		"AUTH0_RECEIVER_ENDPOINT=" + c.Receiver,
		"AUTH0_LOG_STREAM_TOKEN=" + c.Token,
		"OTLP_ENDPOINT=http://" + c.Sink,
		"AUTH0_QUEUE_DIR=" + c.QueueDir,
		"HEALTH_CHECK_ENDPOINT=" + c.Health,
		"TELEMETRY_METRICS_PORT=" + metricsPort,
	}
}

// CollectorArgs runs otelcol-config.yaml with each override, inline YAML merged over it as in
// `--config 'yaml:processors::memory_limiter::limit_mib: 2'`.
func CollectorArgs(root string, overrides ...string) []string {
	args := []string{"--config", filepath.Join(root, "otelcol-config.yaml")}
	for _, o := range overrides {
		args = append(args, "--config", "yaml:"+o)
	}
	return args
}

// WaitReady waits until the collector's health check answers 200 and its receiver accepts
// connections.
func WaitReady(t testing.TB, p *Process, c CollectorEnv) {
	t.Helper()
	WaitHealthy(t, p, c.HealthURL())
	WaitListening(t, p, c.Receiver)
}
