package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const (
	testToken = "reliability-stream-token-41b9"
	// How long acknowledged events may take to reach the sink once it is up: the exporter's
	// retry backoff after an outage grows to several seconds, plus batch and file flushes.
	deliveryTimeout = 90 * time.Second
	// After everything expected arrived, how long to keep reading for late duplicates.
	settleTime = 2 * time.Second
)

// stack is one sink and one collector whose addresses and queue directory stay fixed across
// restarts, so a restarted process takes over exactly where the previous one stopped.
type stack struct {
	t         *testing.T
	bin, root string
	overrides []string

	sinkAddr, receiverAddr, healthAddr, metricsAddr string
	queueDir                                        string

	sink      *testproc.Process
	collector *testproc.Process
	sinkRuns  int
	tails     []*testproc.SinkTail

	seen    map[string]int // log_id -> records at the sink
	records int
}

// newStack prepares a stack; overrides are inline YAML merged over otelcol-config.yaml, as in
// `--config 'yaml:processors::memory_limiter::limit_mib: 2'`.
func newStack(t *testing.T, overrides ...string) *stack {
	t.Helper()
	root := testproc.RepoRoot(t, filepath.Join("..", ".."))
	addrs := testproc.FreeAddrs(t, 4)
	return &stack{
		t: t, bin: testproc.CollectorBinary(t, root), root: root, overrides: overrides,
		sinkAddr: addrs[0], receiverAddr: addrs[1], healthAddr: addrs[2], metricsAddr: addrs[3],
		queueDir: t.TempDir(),
		seen:     map[string]int{},
	}
}

func (s *stack) receiverURL() string { return "http://" + s.receiverAddr + "/api/logs" }

// startSink starts a sink on the stack's fixed address. Each run writes a file of its own, so
// that a restart never truncates what the previous run received.
func (s *stack) startSink() {
	s.t.Helper()
	s.sinkRuns++
	file := filepath.Join(s.t.TempDir(), fmt.Sprintf("received-%d.jsonl", s.sinkRuns))
	s.tails = append(s.tails, &testproc.SinkTail{Path: file})
	s.sink = testproc.Start(s.t, fmt.Sprintf("sink-%d", s.sinkRuns), s.bin, []string{
		"SINK_ENDPOINT=" + s.sinkAddr,
		"SINK_OUTPUT_FILE=" + file,
		"SINK_VERBOSITY=basic",
	}, "--config", filepath.Join(s.root, "internal", "run", "sink-config.yaml"))
	testproc.WaitListening(s.t, s.sink, s.sinkAddr)
}

// stopSink stops the sink gracefully, so that what it acknowledged is in its file.
func (s *stack) stopSink() {
	s.t.Helper()
	if err := s.sink.Terminate(); err != nil {
		s.t.Fatalf("sink after SIGTERM: %s", testproc.ExitDescription(err))
	}
}

// startCollector starts the production configuration on the stack's queue directory.
func (s *stack) startCollector(name string) *testproc.Process {
	s.t.Helper()
	_, metricsPort, _ := net.SplitHostPort(s.metricsAddr)
	args := []string{"--config", filepath.Join(s.root, "otelcol-config.yaml")}
	for _, o := range s.overrides {
		args = append(args, "--config", "yaml:"+o)
	}
	s.collector = testproc.Start(s.t, name, s.bin, []string{
		"AUTH0_RECEIVER_ENDPOINT=" + s.receiverAddr,
		"AUTH0_LOG_STREAM_TOKEN=" + testToken,
		"OTLP_ENDPOINT=http://" + s.sinkAddr,
		"AUTH0_QUEUE_DIR=" + s.queueDir,
		"HEALTH_CHECK_ENDPOINT=" + s.healthAddr,
		"TELEMETRY_METRICS_PORT=" + metricsPort,
	}, args...)
	testproc.WaitHealthy(s.t, s.collector, "http://"+s.healthAddr+"/")
	testproc.WaitListening(s.t, s.collector, s.receiverAddr)
	return s.collector
}

// pollSink reads what the sink wrote since the last poll.
func (s *stack) pollSink() {
	s.t.Helper()
	for _, tail := range s.tails {
		err := tail.Poll(func(r testproc.Received) {
			s.records++
			s.seen[testproc.StringAttr(r.Record.Attributes(), "log.record.uid")]++
		})
		if err != nil {
			s.t.Fatal(err)
		}
	}
}

func (s *stack) missing(acked []string) []string {
	var out []string
	for _, id := range acked {
		if s.seen[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}

// waitDelivered polls the sink until every acknowledged log_id is there, then reads for
// settleTime more so that late duplicates are counted too.
func (s *stack) waitDelivered(acked []string) {
	s.t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	for {
		s.pollSink()
		missing := s.missing(acked)
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %v, %d of %d acknowledged events never reached the sink (e.g. %s)",
				deliveryTimeout, len(missing), len(acked), strings.Join(missing[:min(3, len(missing))], ", "))
		}
		for _, p := range []*testproc.Process{s.sink, s.collector} {
			if p != nil && p.Exited() {
				s.t.Fatalf("%s exited while waiting for delivery: %s", p.Name, testproc.ExitDescription(p.WaitErr()))
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(settleTime)
	s.pollSink()
}

// duplicates counts records beyond the first for each log_id at the sink.
func (s *stack) duplicates() int {
	return s.records - len(s.seen)
}

// ackSet collects acknowledged log_ids; loadgen writes whole lines per call.
type ackSet struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

func newAckSet() *ackSet { return &ackSet{ids: map[string]struct{}{}} }

func (a *ackSet) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for line := range strings.Lines(string(p)) {
		if id := strings.TrimSpace(line); id != "" {
			a.ids[id] = struct{}{}
		}
	}
	return len(p), nil
}

func (a *ackSet) add(ids ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		a.ids[id] = struct{}{}
	}
}

func (a *ackSet) len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.ids)
}

func (a *ackSet) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.ids))
	for id := range a.ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// failuresOnly makes every generated event a failure, so filter/failures forwards all of them
// and "acknowledged" and "must reach the sink" are the same set.
var failuresOnly = auth0gen.Options{FailureRatio: 1}

// loadConfig is an Auth0-like stream: batches of 100, three attempts, keep-alives off.
func (s *stack) loadConfig(seed int64, acks *ackSet) loadgen.Config {
	return loadgen.Config{
		URL:               s.receiverURL(),
		Token:             testToken,
		Format:            auth0gen.JSONArray,
		BatchSize:         100,
		Concurrency:       4,
		Seed:              seed,
		Generator:         failuresOnly,
		Attempts:          3,
		Backoff:           500 * time.Millisecond,
		Timeout:           10 * time.Second,
		DisableKeepAlives: true,
		Acked:             acks,
	}
}

// runLoad starts a load run in the background; wait returns its report. stop cancels the run
// (requests in flight are aborted, and their events count as aborted, never as acknowledged).
func runLoad(t *testing.T, cfg loadgen.Config) (wait func() loadgen.Report, stop func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	done := make(chan struct{})
	var rep loadgen.Report
	var err error
	go func() {
		defer close(done)
		rep, err = loadgen.Run(ctx, cfg)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	wait = func() loadgen.Report {
		t.Helper()
		<-done
		if err != nil {
			t.Fatalf("load run: %v", err)
		}
		return rep
	}
	return wait, cancel
}

// batch is a request body of n generated failure events and their log_ids.
func batch(seed int64, n int) ([]byte, []string) {
	gen := auth0gen.New(seed, failuresOnly)
	events := make([]auth0gen.Event, n)
	ids := make([]string, n)
	for i := range events {
		events[i] = gen.Next()
		ids[i] = events[i].LogID
	}
	return auth0gen.Encode(auth0gen.JSONArray, events), ids
}

type answer struct {
	status     int
	retryAfter string
	body       string
}

// post sends one request the way Auth0 does; a transport error fails the test.
func post(t *testing.T, url string, body []byte) answer {
	t.Helper()
	a, err := tryPost(url, body)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return a
}

func tryPost(url string, body []byte) (answer, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", testToken)
	resp, err := testproc.Client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: strings.TrimSpace(string(b))}, nil
}

// counts is what every scenario prints.
type counts struct {
	sent, acked, refused, givenUp, aborted, transportErrors int64
	delivered, sinkRecords, duplicates                      int
}

func (c counts) String() string {
	return fmt.Sprintf("sent=%d acknowledged(2xx)=%d refused(non-2xx responses)=%d given_up=%d aborted=%d transport_errors=%d delivered=%d sink_records=%d duplicates=%d",
		c.sent, c.acked, c.refused, c.givenUp, c.aborted, c.transportErrors, c.delivered, c.sinkRecords, c.duplicates)
}

// addReport adds a load run's numbers.
func (c *counts) addReport(rep loadgen.Report) {
	c.sent += rep.EventsSent
	c.givenUp += rep.EventsGivenUp
	c.aborted += rep.EventsAborted
	c.transportErrors += rep.TransportErrors
	for code, n := range rep.StatusCounts {
		if code < 200 || code > 299 {
			c.refused += n
		}
	}
}

// finish fills in the acknowledged and sink-side numbers.
// settle waits until every acknowledged log_id has reached the sink, then completes c with
// the load report (nil when the scenario posted by hand) and what the sink holds.
func (s *stack) settle(c counts, rep *loadgen.Report, acked []string) counts {
	s.waitDelivered(acked)
	if rep != nil {
		c.addReport(*rep)
	}
	c.finish(s, acked)
	return c
}

func (c *counts) finish(s *stack, acked []string) {
	c.acked = int64(len(acked))
	c.delivered = len(acked) - len(s.missing(acked))
	c.sinkRecords = s.records
	c.duplicates = s.duplicates()
}

func statusLine(rep loadgen.Report) string {
	codes := make([]int, 0, len(rep.StatusCounts))
	for c := range rep.StatusCounts {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var b strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&b, " %d=%d", c, rep.StatusCounts[c])
	}
	return strings.TrimSpace(b.String())
}

// waitUntil polls cond every interval until it holds or timeout passes.
func waitUntil(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}
