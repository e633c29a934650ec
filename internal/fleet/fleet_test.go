// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package fleet

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const (
	replicas  = 3
	testToken = "fleet-stream-token-41b9"

	// Same offered load for the 1-replica and the 3-replica runs: as fast as the senders go.
	throughputDuration = 5 * time.Second
	throughputRounds   = 2
	concurrency        = 8
	batchSize          = 100

	// The crash run: paced, so that the sink keeps up and the run stays bounded.
	crashDuration = 24 * time.Second
	crashRate     = 2500 // events/s
	killAfter     = 6 * time.Second
	downFor       = 6 * time.Second

	// Exporter batch flush (1 s), retry backoff after the sink or a replica comes back, the
	// sink's file flush (200 ms): many times over.
	deliveryTimeout = 90 * time.Second
)

type replica struct {
	index int
	env   testproc.CollectorEnv
	proc  *testproc.Process
}

type fleet struct {
	root, bin string // repository root (for its configs), collector binary
	sinkAddr  string
	replicas  []*replica
	singleURL string // nginx, replica 0 only
	fleetURL  string // nginx, all replicas
	fleetPort string
	nginxDir  string
	nginx     *testproc.Process
	sink      *testproc.Tally
	generated map[string]bool // every log_id sent in this test, true if the filter forwards it
}

// TestFleetBehindNginx is the scale-out scenario of issue 6; see the package comment.
func TestFleetBehindNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("the fleet test runs real processes for about a minute")
	}
	if raceEnabled {
		t.Skip("skipped under -race: the race detector slows the load generator and the sink reader " +
			"more than the collectors, which skews the throughput ratio; `make test-fleet` runs it without")
	}
	bin := testproc.Collector(t)
	nginxBin := nginxBinary(t)
	f := startFleet(t, testproc.RepoRoot(t), bin, nginxBin)

	runs := f.compareThroughput(t)
	runs = append(runs, f.crashRun(t))

	var sent, acked int64
	var delivered, extra int
	for _, r := range runs {
		sent += r.report.EventsSent
		acked += r.report.EventsAcked
		d, e := f.sink.Delivery(r.forwarded)
		delivered += d
		extra += e
	}
	t.Logf("all runs: sent %d, acknowledged %d, forwarded by the filter and delivered %d, duplicates %d",
		sent, acked, delivered, extra)
	var peaks []string
	for _, r := range f.replicas {
		if m, err := testproc.ReadMemory(r.proc.Pid()); err == nil {
			peaks = append(peaks, fmt.Sprintf("replica-%d %.0f MiB", r.index, float64(m.PeakBytes)/(1<<20)))
		}
	}
	t.Logf("peak RSS (replica-1 since its restart): %s", strings.Join(peaks, ", "))
}

func startFleet(t *testing.T, root, bin, nginxBin string) *fleet {
	t.Helper()
	addrs := testproc.FreeAddrs(t, 3+3*replicas)
	f := &fleet{
		root:      root,
		bin:       bin,
		sinkAddr:  addrs[0],
		singleURL: "http://" + addrs[1] + "/api/logs",
		fleetURL:  "http://" + addrs[2] + "/api/logs",
		generated: map[string]bool{},
	}
	_, f.fleetPort, _ = net.SplitHostPort(addrs[2])
	sinkFile := filepath.Join(t.TempDir(), "received.jsonl")
	f.sink = testproc.NewTally(sinkFile)
	env, args := testproc.SinkCommand(f.root, f.sinkAddr, sinkFile)
	sink := testproc.StartGroup(t, "sink", bin, env, args...)
	testproc.WaitListening(t, sink, f.sinkAddr)

	var receivers []string
	for i := range replicas {
		r := &replica{index: i, env: testproc.CollectorEnvOn(addrs[3+3*i:], testToken, f.sinkAddr, t.TempDir())}
		f.replicas = append(f.replicas, r)
		receivers = append(receivers, r.env.Receiver)
		f.start(t, r, fmt.Sprintf("replica-%d", i))
	}
	for _, r := range f.replicas {
		f.waitReady(t, r)
	}
	f.nginx, f.nginxDir = startNginx(t, nginxBin, nginxConfig{Single: addrs[1], Fleet: addrs[2], Replicas: receivers})
	return f
}

// start runs a replica with the repository's own config; only environment variables differ
// from what a user runs. A restart reuses the replica's ports and queue directory.
func (f *fleet) start(t *testing.T, r *replica, name string) {
	t.Helper()
	r.proc = testproc.StartGroup(t, name, f.bin, append(r.env.Environ(), "OTELCOL_LOG_LEVEL=warn"), testproc.CollectorArgs(f.root)...)
}

func (f *fleet) waitReady(t *testing.T, r *replica) {
	t.Helper()
	testproc.WaitReady(t, r.proc, r.env)
}
