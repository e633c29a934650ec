// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// TestTokenRotationFromEnvironment: the shipped configuration accepts AUTH0_LOG_STREAM_TOKEN
// and, while it is set, AUTH0_LOG_STREAM_TOKEN_NEXT; a third token is refused, and the
// collector's own metrics count each token's requests under its index.
func TestTokenRotationFromEnvironment(t *testing.T) {
	bin := testproc.Collector(t)
	root := testproc.RepoRoot(t)
	addrs := testproc.FreeAddrs(t, 4)
	sinkAddr, receiverAddr, healthAddr, metricsAddr := addrs[0], addrs[1], addrs[2], addrs[3]
	_, metricsPort, _ := net.SplitHostPort(metricsAddr)
	const next = "e2e-next-stream-token-a94f"
	collector := testproc.Start(t, "collector", bin, []string{
		"AUTH0_RECEIVER_ENDPOINT=" + receiverAddr,
		"AUTH0_LOG_STREAM_TOKEN=" + testToken,
		"AUTH0_LOG_STREAM_TOKEN_NEXT=" + next,
		"OTLP_ENDPOINT=http://" + sinkAddr, // nobody listens: accepted events wait in the queue
		"AUTH0_QUEUE_DIR=" + t.TempDir(),
		"HEALTH_CHECK_ENDPOINT=" + healthAddr,
		"TELEMETRY_METRICS_PORT=" + metricsPort,
	}, "--config", filepath.Join(root, "otelcol-config.yaml"))
	testproc.WaitHealthy(t, collector, "http://"+healthAddr+"/")
	testproc.WaitListening(t, collector, receiverAddr)
	url := "http://" + receiverAddr + "/api/logs"

	event := func(id string) []byte {
		return []byte(`{"log_id":"` + id + `","data":{"type":"f","date":"2025-06-03T08:00:00.000Z"}}`)
	}
	for i, tok := range []string{testToken, next, next} {
		if a := testproc.MustPost(t, url, tok, event(fmt.Sprintf("9002025060300000%d", i))); a.Status != http.StatusOK {
			t.Fatalf("token %d: %d %s", i, a.Status, a.Body)
		}
	}
	third := testproc.MustPost(t, url, "e2e-third-token", event("90020250603000009"))
	if third.Status != http.StatusUnauthorized || !strings.Contains(third.Body, "does not match any configured token") {
		t.Fatalf("third token: %d %s", third.Status, third.Body)
	}
	for _, secret := range []string{testToken, next} {
		if strings.Contains(collector.Output(), secret) {
			t.Errorf("the collector's output contains a token")
		}
	}
	counts, err := testproc.ScrapeCounter(t.Context(), "http://"+metricsAddr+"/metrics",
		"otelcol_receiver_auth0logstream_authenticated_requests", "token_index")
	if err != nil {
		t.Fatal(err)
	}
	if counts["0"] != 1 || counts["1"] != 2 {
		t.Errorf("authenticated requests by token index: %v, want 0:1 and 1:2", counts)
	}
}

// TestComponentStatusReachesHealthCheck: with health_check's component-status feature gate
// (receiver README, Component status), a pipeline that refuses every request (the sending
// queue is full and the destination down) turns the health check unhealthy, no sooner than
// the receiver's 30 s, and the first accepted request after the destination comes back turns
// it healthy again.
func TestComponentStatusReachesHealthCheck(t *testing.T) {
	bin := testproc.Collector(t)
	root := testproc.RepoRoot(t)
	addrs := testproc.FreeAddrs(t, 5)
	sinkAddr, receiverAddr, healthAddr, metricsAddr, statusAddr := addrs[0], addrs[1], addrs[2], addrs[3], addrs[4]
	_, metricsPort, _ := net.SplitHostPort(metricsAddr)
	collector := testproc.Start(t, "collector", bin, []string{
		"AUTH0_RECEIVER_ENDPOINT=" + receiverAddr,
		"AUTH0_LOG_STREAM_TOKEN=" + testToken,
		"OTLP_ENDPOINT=http://" + sinkAddr,
		"AUTH0_QUEUE_DIR=" + t.TempDir(),
		"HEALTH_CHECK_ENDPOINT=" + healthAddr,
		"TELEMETRY_METRICS_PORT=" + metricsPort,
	}, "--config", filepath.Join(root, "otelcol-config.yaml"),
		"--feature-gates=+extension.healthcheck.useComponentStatus",
		"--config", "yaml:extensions::health_check::http::endpoint: "+statusAddr,
		"--config", "yaml:extensions::health_check::http::status::enabled: true",
		"--config", "yaml:extensions::health_check::http::status::path: /",
		"--config", "yaml:extensions::health_check::component_health::include_recoverable_errors: true",
		"--config", "yaml:extensions::health_check::component_health::recovery_duration: 2s",
		// A queue smaller than one request: every request is refused while nothing drains it.
		"--config", "yaml:exporters::otlp_http::sending_queue::queue_size: 50",
		"--config", "yaml:exporters::otlp_http::sending_queue::batch::min_size: 10",
		"--config", "yaml:exporters::otlp_http::sending_queue::batch::max_size: 20")
	statusURL := "http://" + statusAddr + "/"
	testproc.WaitHealthy(t, collector, statusURL)
	testproc.WaitListening(t, collector, receiverAddr)
	url := "http://" + receiverAddr + "/api/logs"

	var lines []string
	for i := range 100 {
		lines = append(lines, fmt.Sprintf(`{"log_id":"9002025060301%06d","data":{"type":"f","date":"2025-06-03T08:00:00.000Z"}}`, i))
	}
	batch := []byte(strings.Join(lines, "\n") + "\n")

	first := time.Now()
	var unhealthyAfter time.Duration
	for deadline := first.Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if a := testproc.MustPost(t, url, testToken, batch); a.Status != http.StatusServiceUnavailable {
			t.Fatalf("with the queue full and the destination down: %d %s", a.Status, a.Body)
		}
		if code, _ := healthStatus(t, statusURL); code != http.StatusOK {
			unhealthyAfter = time.Since(first)
			break
		}
	}
	if unhealthyAfter == 0 {
		t.Fatal("the health check stayed healthy for 90 s of refused requests")
	}
	if unhealthyAfter < 30*time.Second {
		t.Errorf("unhealthy after %v of refusals; the receiver waits 30 s", unhealthyAfter)
	}
	code, status := healthStatus(t, statusURL)
	t.Logf("unhealthy after %v: %d %s", unhealthyAfter.Round(time.Second), code, status)
	if !strings.Contains(status, "StatusRecoverableError") || !strings.Contains(status, "the pipeline has refused all") {
		t.Errorf("the receiver's status is not in the health check: %s", status)
	}

	// The destination comes back: the queue drains and the next request is accepted.
	sink := testproc.Start(t, "sink", bin, []string{
		"SINK_ENDPOINT=" + sinkAddr, "SINK_OUTPUT_FILE=" + filepath.Join(t.TempDir(), "received.jsonl"), "SINK_VERBOSITY=basic",
	}, "--config", filepath.Join(root, "internal", "run", "sink-config.yaml"))
	testproc.WaitListening(t, sink, sinkAddr)
	one := []byte(`{"log_id":"90020250603020000","data":{"type":"f","date":"2025-06-03T08:00:00.000Z"}}`)
	accepted := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && !accepted; time.Sleep(500 * time.Millisecond) {
		accepted = testproc.MustPost(t, url, testToken, one).Status == http.StatusOK
	}
	if !accepted {
		t.Fatal("no request accepted within 60 s of the destination coming back")
	}
	healthy := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !healthy; time.Sleep(200 * time.Millisecond) {
		code, _ := healthStatus(t, statusURL)
		healthy = code == http.StatusOK
	}
	if !healthy {
		code, status := healthStatus(t, statusURL)
		t.Fatalf("still unhealthy after an accepted request: %d %s", code, status)
	}
}

// healthStatus returns the health check's status code and the receiver's part of its
// verbose body.
func healthStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := testproc.Client.Get(url + "?verbose")
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Components map[string]struct {
			Components map[string]json.RawMessage `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return resp.StatusCode, string(b)
	}
	for _, pipeline := range body.Components {
		if rcv, ok := pipeline.Components["receiver:auth0logstream"]; ok {
			return resp.StatusCode, string(rcv)
		}
	}
	return resp.StatusCode, string(b)
}
