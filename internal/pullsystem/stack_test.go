// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package pullsystem holds the system tests of pull mode: the collector
// built by `make build` (OTELCOL_BINARY) with the production
// otelcol-config.yaml plus a management_api section, a sink collector as a
// real process, and the Management API emulator (internal/auth0emu)
// in-process on 127.0.0.1.
package pullsystem

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0emu"
	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const (
	pushToken       = "pullsystem-push-token-5c1e"
	deliveryTimeout = 120 * time.Second
	settleTime      = 3 * time.Second
)

// failuresOnly: filter/failures forwards every event, so "served by the
// emulator" and "must reach the sink" are the same set.
var failuresOnly = auth0gen.Options{FailureRatio: 1}

// stack is a sink and a collector whose addresses and storage directory
// stay fixed across restarts, plus the emulator.
type stack struct {
	t         *testing.T
	bin, root string
	emu       *auth0emu.Server

	sinkAddr, receiverAddr, healthAddr, metricsAddr string
	dataDir                                         string

	sink      *testproc.Process
	collector *testproc.Process
	tally     *testproc.Tally
}

func newStack(t *testing.T, emuOpts auth0emu.Options) *stack {
	t.Helper()
	bin := testproc.Collector(t)
	root := testproc.RepoRoot(t)
	addrs := testproc.FreeAddrs(t, 4)
	emu := auth0emu.New(emuOpts)
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return &stack{
		t: t, bin: bin, root: root, emu: emu,
		sinkAddr: addrs[0], receiverAddr: addrs[1], healthAddr: addrs[2], metricsAddr: addrs[3],
		dataDir: t.TempDir(), tally: testproc.NewTally(),
	}
}

func (s *stack) startSink() {
	s.t.Helper()
	file := filepath.Join(s.t.TempDir(), "received.jsonl")
	s.tally.AddFile(file)
	s.sink = testproc.Start(s.t, "sink", s.bin, []string{
		"SINK_ENDPOINT=" + s.sinkAddr, "SINK_OUTPUT_FILE=" + file, "SINK_VERBOSITY=basic",
	}, "--config", filepath.Join(s.root, "internal", "run", "sink-config.yaml"))
	testproc.WaitListening(s.t, s.sink, s.sinkAddr)
}

// pullSection is the management_api section against the emulator.
func (s *stack) pullSection(pageSize int, rps float64, storage string) string {
	return fmt.Sprintf("receivers::auth0logstream::management_api: {domain: %s, endpoint: %q, client_id: %s, client_secret: \"${env:AUTH0_CLIENT_SECRET}\", page_size: %d, poll_interval: 200ms, max_requests_per_second: %g, start_at: 24h, storage: %s}",
		auth0emu.DefaultDomain, s.emu.URL(), auth0emu.DefaultClientID, pageSize, rps, storage)
}

// startCollector runs otelcol-config.yaml with the overrides (inline YAML);
// push stays on only when push is true.
func (s *stack) startCollector(name string, push bool, overrides ...string) *testproc.Process {
	s.t.Helper()
	_, metricsPort, _ := net.SplitHostPort(s.metricsAddr)
	args := []string{"--config", filepath.Join(s.root, "otelcol-config.yaml")}
	if !push {
		args = append(args, "--config", `yaml:receivers::auth0logstream::endpoint: ""`)
	}
	for _, o := range overrides {
		args = append(args, "--config", "yaml:"+o)
	}
	s.collector = testproc.Start(s.t, name, s.bin, []string{
		"AUTH0_RECEIVER_ENDPOINT=" + s.receiverAddr,
		"AUTH0_LOG_STREAM_TOKEN=" + pushToken,
		"AUTH0_CLIENT_SECRET=" + auth0emu.DefaultClientSecret,
		"OTLP_ENDPOINT=http://" + s.sinkAddr,
		"AUTH0_QUEUE_DIR=" + s.dataDir,
		"HEALTH_CHECK_ENDPOINT=" + s.healthAddr,
		"TELEMETRY_METRICS_PORT=" + metricsPort,
	}, args...)
	testproc.WaitHealthy(s.t, s.collector, "http://"+s.healthAddr+"/")
	if push {
		testproc.WaitListening(s.t, s.collector, s.receiverAddr)
	}
	return s.collector
}

// waitDelivered polls the sink until every id is there, then reads for
// settleTime more so that late duplicates are counted too.
func (s *stack) waitDelivered(ids []string) {
	s.t.Helper()
	s.tally.WaitDelivered(s.t, ids, deliveryTimeout, s.sink, s.collector)
	time.Sleep(settleTime)
	s.pollSink()
}

func (s *stack) duplicates() int { return s.tally.Duplicates() }

// pollSink reads what the sink wrote since the last poll.
func (s *stack) pollSink() {
	s.t.Helper()
	if _, err := s.tally.Poll(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *stack) generate(seed int64, n int, age time.Duration) []string {
	s.t.Helper()
	opts := failuresOnly
	opts.Start = time.Now().Add(-age)
	evs, err := s.emu.Generate(seed, n, opts)
	if err != nil {
		s.t.Fatal(err)
	}
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.LogID
	}
	return ids
}

// post sends one push request the way Auth0 does.
func (s *stack) post(body []byte) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, "http://"+s.receiverAddr+"/api/logs", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", pushToken)
	resp, err := testproc.Client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), nil
}
