// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const (
	soakToken = "soak-stream-token-7d21"
	// maxBodyBytes is max_request_body_size in otelcol-config.yaml.
	maxBodyBytes = 16 << 20
	// probeDuration is how long the maximum throughput is measured.
	probeDuration = 20 * time.Second
	// drainTimeout bounds each wait for the queue to empty and the sink to hold everything.
	drainTimeout = 3 * time.Minute
)

// The absolute floors of the trend bound, max(5% of the mean, floor): below them a rise over
// the last quarter is noise of the kind named, not growth. They were set before any soak ran.
var floors = map[string]float64{
	// The Go runtime returns memory to the OS lazily and the page cache of the queue file
	// is shared with it: a few MiB either way is one GC cycle.
	"rss":  16 * mib,
	"heap": 16 * mib, // GOGC=100: the heap swings up to twice the live set between GCs
	// Each connection in use and each exporter consumer holds a few goroutines and a file
	// descriptor; the driver has up to 16 kept-alive connections and 1 oversize one.
	"goroutines": 20,
	"fds":        20,
	// bbolt grows its file in pages and only compaction (on rebound) gives space back.
	"queue_disk": 32 * mib,
	// The exporter takes batches of 1000-5000 items with a 1 s flush: a few batches in flight.
	"queue_items": 10000,
	// Latency on two shared cores jitters by milliseconds.
	"p99": 10,
}

type settings struct {
	bin, root, out  string
	duration        time.Duration
	interval, every time.Duration // sample interval, reading interval within it
	rate            float64       // events/s to drive; 0 measures the maximum first
	seed            uint64
}

func soakSettings(t *testing.T) settings {
	if os.Getenv("OTELCOL_BINARY") == "" {
		t.Skip("OTELCOL_BINARY is not set: run `make soak`, which builds the collector first")
	}
	raw := os.Getenv("SOAK_DURATION")
	if raw == "" {
		t.Skip("SOAK_DURATION is not set: run `make soak` (60m) or `make soak SOAK_DURATION=5m`")
	}
	var s settings
	var err error
	if s.duration, err = time.ParseDuration(raw); err != nil || s.duration < time.Minute {
		t.Fatalf("SOAK_DURATION %q: want a duration of at least 1m (%v)", raw, err)
	}
	// Every minute, or 1/30 of the run when that is shorter, so that the last quarter of a
	// short run still has enough samples for a slope.
	s.interval = min(time.Minute, s.duration/30)
	if v := os.Getenv("SOAK_INTERVAL"); v != "" {
		if s.interval, err = time.ParseDuration(v); err != nil || s.interval < 2*time.Second {
			t.Fatalf("SOAK_INTERVAL %q: want a duration of at least 2s (%v)", v, err)
		}
	}
	if q := int(s.duration / 4 / s.interval); q < MinTrendSamples {
		t.Fatalf("SOAK_INTERVAL %v gives %d samples in the last quarter of %v; need %d", s.interval, q, s.duration, MinTrendSamples)
	}
	s.every = max(time.Second, s.interval/6)
	if v := os.Getenv("SOAK_RATE"); v != "" {
		if s.rate, err = strconv.ParseFloat(v, 64); err != nil || s.rate <= 0 {
			t.Fatalf("SOAK_RATE %q: want events per second (%v)", v, err)
		}
	}
	s.seed = 1
	if v := os.Getenv("SOAK_SEED"); v != "" {
		if s.seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("SOAK_SEED %q: %v", v, err)
		}
	}
	if dl, ok := t.Deadline(); ok && time.Until(dl) < s.duration+probeDuration+3*drainTimeout {
		t.Fatalf("go test -timeout leaves %v, the soak needs %v: raise SOAK_TIMEOUT", time.Until(dl).Round(time.Second), s.duration+probeDuration+3*drainTimeout)
	}
	s.bin = testproc.Collector(t)
	s.root = testproc.RepoRoot(t)
	s.out = os.Getenv("SOAK_OUT")
	if s.out == "" {
		s.out = filepath.Join(s.root, "docs", "soak")
	}
	return s
}

// metricNames are read from the collector's own metrics at every reading and at the end.
var metricNames = []string{
	"otelcol_process_memory_rss",
	"otelcol_process_runtime_heap_alloc_bytes",
	"otelcol_exporter_queue_size",
	"otelcol_receiver_accepted_log_records",
	"otelcol_receiver_refused_log_records",
	"otelcol_receiver_auth0logstream_malformed_events",
	"otelcol_receiver_auth0logstream_duplicate_events",
	"otelcol_receiver_auth0logstream_rejected_requests",
	"otelcol_receiver_auth0logstream_authenticated_requests",
	"otelcol_exporter_sent_log_records",
	"otelcol_exporter_send_failed_log_records",
}

// TestSoak is `make soak`: see the package documentation.
func TestSoak(t *testing.T) {
	// SOAK_REPLOT=docs/soak/results.json rewrites the chart, the CSV and the README of a
	// recorded run (after a change to how they are drawn) without running anything.
	if p := os.Getenv("SOAK_REPLOT"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var res Results
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := write(filepath.Dir(p), &res); err != nil {
			t.Fatal(err)
		}
		return
	}
	s := soakSettings(t)
	addrs := testproc.FreeAddrs(t, 5)
	sinkAddr, receiverAddr, healthAddr, metricsAddr, pprofAddr := addrs[0], addrs[1], addrs[2], addrs[3], addrs[4]
	_, metricsPort, _ := net.SplitHostPort(metricsAddr)
	metricsURL := "http://" + metricsAddr + "/metrics"
	queueDir := t.TempDir()
	sinkFile := filepath.Join(t.TempDir(), "received.jsonl")
	receiverURL := "http://" + receiverAddr + "/api/logs"

	sink := testproc.Start(t, "sink", s.bin, []string{
		"SINK_ENDPOINT=" + sinkAddr, "SINK_OUTPUT_FILE=" + sinkFile, "SINK_VERBOSITY=basic",
	}, "--config", filepath.Join(s.root, "internal", "run", "sink-config.yaml"))
	testproc.WaitListening(t, sink, sinkAddr)
	// The shipped configuration, plus the pprof extension for the goroutine count (the
	// collector's own metrics have none); it is not in the data path.
	collector := testproc.Start(t, "collector", s.bin, []string{
		"AUTH0_RECEIVER_ENDPOINT=" + receiverAddr,
		"AUTH0_LOG_STREAM_TOKEN=" + soakToken,
		"OTLP_ENDPOINT=http://" + sinkAddr,
		"AUTH0_QUEUE_DIR=" + queueDir,
		"HEALTH_CHECK_ENDPOINT=" + healthAddr,
		"TELEMETRY_METRICS_PORT=" + metricsPort,
	}, "--config", filepath.Join(s.root, "otelcol-config.yaml"),
		"--config", "yaml:extensions::pprof::endpoint: "+pprofAddr,
		"--config", "yaml:service::extensions: [health_check, file_storage, pprof]")
	testproc.WaitHealthy(t, collector, "http://"+healthAddr+"/")
	testproc.WaitListening(t, collector, receiverAddr)
	pid := collector.Pid()
	checker := NewSinkChecker(sinkFile)
	alive := func() {
		t.Helper()
		for _, p := range []*testproc.Process{sink, collector} {
			if p.Exited() {
				t.Fatalf("%s exited: %s", p.Name, testproc.ExitDescription(p.WaitErr()))
			}
		}
	}

	mix := DefaultMix
	// Every minute, or ten times in a shorter run.
	mix.OversizeEvery = min(mix.OversizeEvery, s.duration/10)
	res := Results{
		Started: time.Now().UTC().Format(time.RFC3339), Machine: machine(),
		DurationSeconds: s.duration.Seconds(), IntervalSeconds: s.interval.Seconds(), ReadingSeconds: s.every.Seconds(),
		Seed: s.seed, Mix: mix, TrendFraction: TrendFraction,
	}
	res.LoadAverageStart = loadAverage()

	// 1. The maximum, unless given: loadgen as fast as the pipeline answers, then half of it.
	rate := s.rate
	if rate == 0 {
		probe := probeMaximum(t, receiverURL, s.seed+100, checker)
		res.Probe = &probe
		rate = probe.AckedPerSecond / 2
		t.Logf("maximum: %.0f acked events/s over %v (p99 %.1f ms, statuses %v); driving %.0f events/s",
			probe.AckedPerSecond, probeDuration, probe.P99Ms, probe.Status, rate)
		drain(t, "after the probe", metricsURL, checker, alive)
	}
	res.TargetEventsPerSecond = rate

	// 2. The soak: the driver runs for the duration, the collector is read every s.every
	// and a sample is taken every s.interval.
	driver := NewDriver(DriverConfig{
		URL: receiverURL, Token: soakToken, Rate: rate, BatchSize: 100, Concurrency: 8,
		Seed: s.seed, Mix: mix, MaxBodyBytes: maxBodyBytes, Timeout: 10 * time.Second,
		Acked: checker.Acked,
	})
	ctx, cancel := context.WithTimeout(context.Background(), s.duration)
	defer cancel()
	var driverDone sync.WaitGroup
	driverDone.Go(func() { driver.Run(ctx) })
	t.Cleanup(func() { cancel(); driverDone.Wait() })

	start := time.Now()
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	var readings []Reading
	var readErrs int
	lastCPU, _ := testproc.CPUSeconds(pid)
	intervalStart := start
	for end := start.Add(s.duration); ; {
		now := <-tick.C
		alive()
		if err := checker.Poll(); err != nil {
			t.Fatalf("reading the sink: %v", err)
		}
		if r, err := read(pid, metricsURL, pprofAddr, queueDir); err != nil {
			readErrs++
			t.Logf("reading the collector: %v", err)
		} else {
			readings = append(readings, r)
		}
		if now.Sub(intervalStart) < s.interval && now.Before(end) {
			continue
		}
		iv, lats := driver.Cut(now.Sub(intervalStart))
		cpu, _ := testproc.CPUSeconds(pid)
		m := medianReading(readings)
		sample := Sample{
			Seconds: now.Sub(start).Seconds(), RSS: m.RSS, Heap: m.Heap, Goroutines: m.Goroutines, FDs: m.FDs,
			QueueDisk: m.QueueDisk, QueueItems: m.QueueItems, P99Ms: math.NaN(), Readings: len(readings),
			CPUPercent: 100 * (cpu - lastCPU) / now.Sub(intervalStart).Seconds(), Interval: iv,
		}
		if len(lats) > 0 {
			sample.P99Ms = float64(percentile(lats, 99).Microseconds()) / 1000
		}
		res.Samples = append(res.Samples, sample)
		counts, _ := checker.Counts(0)
		t.Logf("%6.0fs rss %.1f MiB heap %.1f MiB goroutines %.0f fds %.0f queue %.0f items / %.1f MiB p99 %.1f ms cpu %.0f%% acked %.0f ev/s statuses %v pending %d",
			sample.Seconds, m.RSS/mib, m.Heap/mib, m.Goroutines, m.FDs, m.QueueItems, m.QueueDisk/mib, sample.P99Ms,
			sample.CPUPercent, iv.EventsPerSecond, iv.Status, counts.Missing)
		readings, lastCPU, intervalStart = nil, cpu, now
		if !now.Before(end) {
			break
		}
	}
	cancel()
	driverDone.Wait()
	driver.Cut(time.Since(intervalStart)) // batches that finished after the end count in the totals
	driver.CloseIdle()
	res.ReadErrors = readErrs

	// 3. The end: the queue drains and the sink holds every acknowledged forwarded event.
	res.DrainSeconds = drain(t, "at the end", metricsURL, checker, alive)
	if final, err := read(pid, metricsURL, pprofAddr, queueDir); err == nil {
		res.Final = &final
	}
	res.Metrics, _ = Scrape(testproc.Client, metricsURL, metricNames...)
	res.Totals, res.Unexpected = driver.Total()
	res.Totals.EventsPerSecond = float64(res.Totals.EventsAcked) / s.duration.Seconds()
	res.Sink, res.MissingExamples = checker.Counts(5)
	res.LoadAverageEnd = loadAverage()
	res.Trends = trends(res.Samples, s.duration.Seconds())
	res.Pass, res.Failures = verdict(res)

	if err := write(s.out, &res); err != nil {
		t.Fatalf("writing %s: %v", s.out, err)
	}
	t.Logf("wrote %s", s.out)
	for _, tr := range res.Trends {
		t.Logf("trend %-11s samples %2d mean %12.1f rise %12.1f bound %12.1f pass %v %s", tr.Series, tr.Samples, tr.Mean, tr.Rise, tr.Bound, tr.Pass, tr.Note)
	}
	t.Logf("totals: %+v", res.Totals)
	t.Logf("sink: %+v", res.Sink)
	for _, f := range res.Failures {
		t.Error(f)
	}
}

// probeMaximum runs internal/loadgen unpaced (batches of 100, 4 in flight, keep-alive) for
// probeDuration. Its acknowledged failures and warnings join the delivery check: their
// outcomes are found by generating the same seed's events again.
func probeMaximum(t *testing.T, url string, seed uint64, checker *SinkChecker) Probe {
	t.Helper()
	genOpts := auth0gen.Options{Start: time.Now()}
	acks := &idSet{ids: map[string]struct{}{}}
	ctx, cancel := context.WithTimeout(context.Background(), probeDuration+time.Minute)
	defer cancel()
	rep, err := loadgen.Run(ctx, loadgen.Config{
		URL: url, Token: soakToken, Format: auth0gen.JSONLines, BatchSize: 100, Concurrency: 4,
		Duration: probeDuration, Seed: int64(seed), Generator: genOpts, Attempts: 3,
		Timeout: 10 * time.Second, Acked: acks,
	})
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	if rep.EventsAcked == 0 {
		t.Fatalf("probe: nothing was acknowledged (statuses %v, transport errors %d)", rep.StatusCounts, rep.TransportErrors)
	}
	gen := auth0gen.New(int64(seed), genOpts)
	var forwarded []string
	for range rep.EventsSent {
		e := gen.Next()
		if _, ok := acks.ids[e.LogID]; ok && (e.Outcome == auth0gen.Failure || e.Outcome == auth0gen.Warning) {
			forwarded = append(forwarded, e.LogID)
		}
	}
	if int64(len(acks.ids)) != rep.EventsAcked {
		t.Fatalf("probe: %d acknowledged ids recorded, report says %d", len(acks.ids), rep.EventsAcked)
	}
	checker.Acked(forwarded)
	status := map[string]int64{}
	for c, n := range rep.StatusCounts {
		status[strconv.Itoa(c)] = n
	}
	return Probe{
		Seconds: rep.Elapsed.Seconds(), AckedPerSecond: rep.AckedPerSecond, EventsAcked: rep.EventsAcked,
		Status: status, TransportErrors: rep.TransportErrors,
		P50Ms: float64(rep.LatencyP50.Microseconds()) / 1000, P99Ms: float64(rep.LatencyP99.Microseconds()) / 1000,
	}
}

// idSet collects the log_ids loadgen writes, one per line.
type idSet struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

func (s *idSet) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for line := range strings.Lines(string(p)) {
		if id := strings.TrimSpace(line); id != "" {
			s.ids[id] = struct{}{}
		}
	}
	return len(p), nil
}

// drain waits until the exporter's queue is empty and the sink holds every acknowledged
// forwarded event, and returns how long that took (or fails after drainTimeout).
func drain(t *testing.T, when, metricsURL string, checker *SinkChecker, alive func()) float64 {
	t.Helper()
	start := time.Now()
	for {
		alive()
		if err := checker.Poll(); err != nil {
			t.Fatalf("reading the sink: %v", err)
		}
		m, err := Scrape(testproc.Client, metricsURL, "otelcol_exporter_queue_size")
		counts, missing := checker.Counts(3)
		if err == nil && m["otelcol_exporter_queue_size"] == 0 && counts.Missing == 0 {
			return time.Since(start).Seconds()
		}
		if time.Since(start) > drainTimeout {
			t.Errorf("%s: after %v the queue holds %v items and %d acknowledged events are not at the sink (e.g. %v)",
				when, drainTimeout, m["otelcol_exporter_queue_size"], counts.Missing, missing)
			return time.Since(start).Seconds()
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// read takes one reading of the collector.
func read(pid int, metricsURL, pprofAddr, queueDir string) (Reading, error) {
	var r Reading
	mem, err := testproc.ReadMemory(pid)
	if err != nil {
		return r, err
	}
	r.RSS = float64(mem.RSSBytes)
	if r.FDs, err = OpenFDs(pid); err != nil {
		return r, err
	}
	if r.QueueDisk, err = DiskUsage(queueDir); err != nil {
		return r, err
	}
	m, err := Scrape(testproc.Client, metricsURL, "otelcol_process_runtime_heap_alloc_bytes", "otelcol_exporter_queue_size")
	if err != nil {
		return r, err
	}
	r.Heap, r.QueueItems = m["otelcol_process_runtime_heap_alloc_bytes"], m["otelcol_exporter_queue_size"]
	r.Goroutines, err = Goroutines(testproc.Client, pprofAddr)
	return r, err
}

// trends judges each series over the last quarter.
func trends(samples []Sample, duration float64) []Trend {
	ts := make([]float64, len(samples))
	for i, s := range samples {
		ts[i] = s.Seconds
	}
	series := func(get func(Sample) float64) []float64 {
		ys := make([]float64, len(samples))
		for i, s := range samples {
			ys[i] = get(s)
		}
		return ys
	}
	return []Trend{
		LastQuarterTrend("rss", "bytes", ts, series(func(s Sample) float64 { return s.RSS }), duration, floors["rss"]),
		LastQuarterTrend("heap", "bytes", ts, series(func(s Sample) float64 { return s.Heap }), duration, floors["heap"]),
		LastQuarterTrend("goroutines", "", ts, series(func(s Sample) float64 { return s.Goroutines }), duration, floors["goroutines"]),
		LastQuarterTrend("fds", "", ts, series(func(s Sample) float64 { return s.FDs }), duration, floors["fds"]),
		LastQuarterTrend("queue_disk", "bytes", ts, series(func(s Sample) float64 { return s.QueueDisk }), duration, floors["queue_disk"]),
		LastQuarterTrend("queue_items", "items", ts, series(func(s Sample) float64 { return s.QueueItems }), duration, floors["queue_items"]),
		LastQuarterTrend("p99", "ms", ts, series(func(s Sample) float64 { return s.P99Ms }), duration, floors["p99"]),
	}
}

// verdict applies the pass criteria and says what failed.
func verdict(r Results) (bool, []string) {
	var f []string
	for _, tr := range r.Trends {
		if !tr.Pass {
			f = append(f, fmt.Sprintf("trend %s: rise %.1f over the last quarter, bound %.1f %s", tr.Series, tr.Rise, tr.Bound, tr.Note))
		}
	}
	if r.Sink.Missing != 0 {
		f = append(f, fmt.Sprintf("%d acknowledged forwarded events are not at the sink (e.g. %v)", r.Sink.Missing, r.MissingExamples))
	}
	if r.Final == nil || r.Final.QueueItems != 0 {
		f = append(f, "the sending queue did not drain")
	}
	t := r.Totals
	if t.Unexpected != 0 {
		f = append(f, fmt.Sprintf("%d unexpected answers: %v", t.Unexpected, r.Unexpected))
	}
	if t.MalformedSent == 0 || t.MalformedSent != t.MalformedCounted {
		f = append(f, fmt.Sprintf("malformed lines sent in acknowledged requests %d, counted by the receiver %d", t.MalformedSent, t.MalformedCounted))
	}
	if r.Sink.ParseErrors < t.MalformedCounted {
		f = append(f, fmt.Sprintf("the receiver accepted %d malformed lines, the sink holds %d malformed records", t.MalformedCounted, r.Sink.ParseErrors))
	}
	if t.Resent == 0 || t.Unauth == 0 || t.Oversize == 0 {
		f = append(f, fmt.Sprintf("extra traffic missing: resent %d, unauthenticated %d, oversize %d", t.Resent, t.Unauth, t.Oversize))
	}
	if t.Unauth != t.Unauth401 || t.Oversize != t.Oversize413+t.OversizeCut {
		f = append(f, fmt.Sprintf("unauthenticated %d (401: %d), oversize %d (413: %d, cut: %d)", t.Unauth, t.Unauth401, t.Oversize, t.Oversize413, t.OversizeCut))
	}
	return len(f) == 0, f
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return err.Error()
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s %s/%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// write puts results.json, samples.csv, chart.svg and README.md into dir.
func write(dir string, r *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	var csvText strings.Builder
	w := csv.NewWriter(&csvText)
	_ = w.Write([]string{"t_seconds", "rss_mib", "heap_mib", "goroutines", "open_fds", "queue_disk_mib", "queue_items",
		"p99_ms", "cpu_percent", "events_acked_per_s", "requests", "non_2xx", "transport_errors", "retries",
		"malformed_lines", "resent_batches", "unauthenticated", "oversize", "readings"})
	for _, s := range r.Samples {
		non2xx := int64(0)
		for code, n := range s.Status {
			if !strings.HasPrefix(code, "2") {
				non2xx += n
			}
		}
		_ = w.Write([]string{
			f0(s.Seconds), f2(s.RSS / mib), f2(s.Heap / mib), f0(s.Goroutines), f0(s.FDs), f2(s.QueueDisk / mib), f0(s.QueueItems),
			f2(s.P99Ms), f0(s.CPUPercent), f0(s.EventsPerSecond), i(s.Requests), i(non2xx), i(s.TransportErrors), i(s.Retries),
			i(s.MalformedSent), i(s.Resent), i(s.Unauth), i(s.Oversize), strconv.Itoa(s.Readings),
		})
	}
	w.Flush()
	if err := os.WriteFile(filepath.Join(dir, "samples.csv"), []byte(csvText.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "chart.svg"), []byte(chart(r)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(report(r)), 0o644)
}

func f0(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
func i(v int64) string    { return strconv.FormatInt(v, 10) }

func chart(r *Results) string {
	xs := make([]float64, len(r.Samples))
	col := func(get func(Sample) float64, scale float64) []float64 {
		ys := make([]float64, len(r.Samples))
		for k, s := range r.Samples {
			xs[k] = s.Seconds
			ys[k] = get(s) / scale
		}
		return ys
	}
	scaled := func(name string, scale float64) *Trend {
		for _, tr := range r.Trends {
			if tr.Series == name {
				tr.Mean /= scale
				tr.Rise /= scale
				tr.Bound /= scale
				tr.Floor /= scale
				tr.SlopePerHour /= scale
				tr.Intercept /= scale
				return &tr
			}
		}
		return nil
	}
	panels := []Panel{
		{Title: "RSS", Unit: "MiB", Ys: col(func(s Sample) float64 { return s.RSS }, mib), Trend: scaled("rss", mib)},
		{Title: "heap in use", Unit: "MiB", Ys: col(func(s Sample) float64 { return s.Heap }, mib), Trend: scaled("heap", mib)},
		{Title: "goroutines", Unit: "count", Ys: col(func(s Sample) float64 { return s.Goroutines }, 1), Trend: scaled("goroutines", 1)},
		{Title: "open fds", Unit: "count", Ys: col(func(s Sample) float64 { return s.FDs }, 1), Trend: scaled("fds", 1)},
		{Title: "queue on disk", Unit: "MiB", Ys: col(func(s Sample) float64 { return s.QueueDisk }, mib), Trend: scaled("queue_disk", mib)},
		{Title: "queue", Unit: "items", Ys: col(func(s Sample) float64 { return s.QueueItems }, 1), Trend: scaled("queue_items", 1)},
		{Title: "p99 latency", Unit: "ms", Ys: col(func(s Sample) float64 { return s.P99Ms }, 1), Trend: scaled("p99", 1)},
		{Title: "acknowledged events/s", Unit: "events/s", Ys: col(func(s Sample) float64 { return s.EventsPerSecond }, 1)},
	}
	for k := range panels {
		panels[k].Xs = xs
	}
	return ChartSVG(fmt.Sprintf("Soak %s at %.0f events/s, a sample every %.0f s (last quarter shaded, dashed: its least-squares line)",
		durationOf(r.DurationSeconds), r.TargetEventsPerSecond, r.IntervalSeconds), r.DurationSeconds, panels)
}
