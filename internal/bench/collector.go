// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// Token is the Authorization value the bench collector expects on the
// auth0logstream receiver, sent as Auth0 sends it.
const Token = "bench-stream-token"

const (
	startupTimeout  = 60 * time.Second
	shutdownTimeout = 30 * time.Second
)

// Collector is the built distribution running as a child process with the
// bench config, every endpoint on a free 127.0.0.1 port.
type Collector struct {
	Auth0URL string // auth0logstream, POST path
	// Auth0PlainURL is the auth0logstream/plain instance: user-agent
	// parsing off, otherwise the same settings.
	Auth0PlainURL string
	// Auth0GeoURL is the auth0logstream/geo instance: the defaults plus
	// GeoIP against the database WriteGeoDB makes.
	Auth0GeoURL string
	OTLPURL     string // otlp/http logs path
	HealthURL   string
	MetricsURL  string // the collector's own Prometheus metrics
	PprofURL    string // pprof extension, for profiling a run by hand
	LogPath     string

	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
}

// StartCollector starts bin with config and waits until health_check
// answers 200 and the receivers accept connections. maxBody is
// max_request_body_size for every receiver.
func StartCollector(ctx context.Context, bin, config, logDir string, maxBody int64) (*Collector, error) {
	addrs, err := testproc.LoopbackAddrs(7)
	if err != nil {
		return nil, err
	}
	_, metricsPort, _ := strings.Cut(addrs[3], ":")
	geoDB := filepath.Join(logDir, "bench-geoip.mmdb")
	if _, err := os.Stat(geoDB); err != nil {
		if err := WriteGeoDB(geoDB); err != nil {
			return nil, fmt.Errorf("writing the GeoIP database: %w", err)
		}
	}
	logFile, err := os.CreateTemp(logDir, "collector-*.log")
	if err != nil {
		return nil, err
	}
	c := &Collector{
		Auth0URL:      "http://" + addrs[0] + "/api/logs",
		OTLPURL:       "http://" + addrs[1] + "/v1/logs",
		HealthURL:     "http://" + addrs[2] + "/",
		MetricsURL:    "http://" + addrs[3] + "/metrics",
		PprofURL:      "http://" + addrs[4] + "/debug/pprof/",
		Auth0PlainURL: "http://" + addrs[5] + "/api/logs",
		Auth0GeoURL:   "http://" + addrs[6] + "/api/logs",
		LogPath:       logFile.Name(),
		done:          make(chan struct{}),
	}
	cmd := exec.Command(bin, "--config", config)
	cmd.Env = append(os.Environ(),
		"BENCH_AUTH0_ENDPOINT="+addrs[0],
		"BENCH_OTLP_ENDPOINT="+addrs[1],
		"BENCH_HEALTH_ENDPOINT="+addrs[2],
		"BENCH_METRICS_PORT="+metricsPort,
		"BENCH_PPROF_ENDPOINT="+addrs[4],
		"BENCH_AUTH0_PLAIN_ENDPOINT="+addrs[5],
		"BENCH_AUTH0_GEO_ENDPOINT="+addrs[6],
		"BENCH_GEOIP_DB="+geoDB,
		"BENCH_TOKEN="+Token,
		"BENCH_MAX_BODY="+strconv.FormatInt(maxBody, 10),
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The collector must not outlive a driver that is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	c.cmd = cmd
	go func() {
		c.waitErr = cmd.Wait()
		logFile.Close()
		close(c.done)
	}()
	if err := c.waitHealthy(ctx); err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	return c, nil
}

// Pid is the collector's process id, for /proc.
func (c *Collector) Pid() int { return c.cmd.Process.Pid }

func (c *Collector) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *Collector) waitHealthy(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	deadline := time.Now().Add(startupTimeout)
	last := "no answer"
	for time.Now().Before(deadline) {
		if c.exited() {
			return fmt.Errorf("collector exited during startup (%w); log: %s", c.waitErr, c.LogPath)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.HealthURL, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("collector not healthy within %v (last: %s); log: %s", startupTimeout, last, c.LogPath)
}

// Stop sends SIGTERM, waits for the exit, and kills the process if it does
// not go in time. Safe to call more than once.
func (c *Collector) Stop() error {
	if c.exited() {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(shutdownTimeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("collector did not exit within %v of SIGTERM; killed", shutdownTimeout)
	}
}

// AcceptedLogRecords scrapes the collector's own metrics and returns
// otelcol_receiver_accepted_log_records per receiver, a check that the
// collector took every event the driver counted.
func (c *Collector) AcceptedLogRecords(ctx context.Context) (map[string]float64, error) {
	return testproc.ScrapeCounter(ctx, c.MetricsURL, "otelcol_receiver_accepted_log_records", "receiver")
}

// URL is the POST URL of the receiver instance rcv of the bench config.
func (c *Collector) URL(rcv string) (string, error) {
	switch rcv {
	case "auth0logstream":
		return c.Auth0URL, nil
	case "auth0logstream/plain":
		return c.Auth0PlainURL, nil
	case "auth0logstream/geo":
		return c.Auth0GeoURL, nil
	case "otlp":
		return c.OTLPURL, nil
	}
	return "", fmt.Errorf("no receiver %q in the bench config", rcv)
}
