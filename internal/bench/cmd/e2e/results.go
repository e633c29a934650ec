// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"runtime"
	"strings"
	"time"

	bench "github.com/auth0-otel/otelcol-auth0/internal/bench"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
)

type results struct {
	Date           string   `json:"date"`
	ElapsedSeconds float64  `json:"elapsed_seconds"`
	Machine        machine  `json:"machine"`
	Settings       settings `json:"settings"`
	LoadAvg        struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"load_average"`
	BodyBytesPerEvent []bodySize    `json:"body_bytes_per_event"`
	Variants          []*variantRes `json:"variants"`
	Ratios            []ratio       `json:"ratios"`
	// Enrichment are the enrichmentPairs, round by round (issue 11); the
	// first is auth0logstream (user agent on, the default) over
	// auth0logstream-plain (off).
	Enrichment []ratio      `json:"enrichment_ratios,omitempty"`
	HalfRate   []halfRate   `json:"half_rate"`
	Scaling    []scalePoint `json:"scaling"`
	BigBody    *bigBody     `json:"big_body,omitempty"`
	// SharedCollectorPeakMiB is VmHWM of the collector that ran the rounds,
	// the half-rate runs and the scaling table, 10,000-event requests included.
	SharedCollectorPeakMiB float64         `json:"shared_collector_peak_rss_mib"`
	AcceptedCheck          []acceptedCheck `json:"accepted_check"`
}

type machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
}

type settings struct {
	Pool        int     `json:"pool_events"`
	Batch       int     `json:"batch"`
	Concurrency int     `json:"concurrency"`
	Rounds      int     `json:"rounds"`
	RoundEvents int     `json:"round_events"`
	RoundTimeS  float64 `json:"round_time_bound_seconds"`
	Scaling     []int   `json:"scaling_batches"`
	ScaleEvents int     `json:"scale_events"`
	Seed        int64   `json:"seed"`
}

type bodySize struct {
	Variant string  `json:"variant"`
	Bytes   float64 `json:"bytes"`
}

// sample is one timed run as the client and /proc saw it.
type sample struct {
	Round             int     `json:"round,omitempty"`
	Events            int64   `json:"events"`
	Requests          int64   `json:"requests"`
	Failures          int64   `json:"failures"`
	FirstErr          string  `json:"first_error,omitempty"`
	Seconds           float64 `json:"seconds"`
	EventsPerSec      float64 `json:"events_per_second"`
	P50Ms             float64 `json:"p50_ms"`
	P99Ms             float64 `json:"p99_ms"`
	MaxMs             float64 `json:"max_ms"`
	CPUSeconds        float64 `json:"collector_cpu_seconds"`
	CPUSecPerMEvents  float64 `json:"collector_cpu_seconds_per_million_events"`
	CPUMicrosPerEvent float64 `json:"collector_cpu_us_per_event"`
	WallNsPerEvent    float64 `json:"wall_ns_per_event"`
	LoadAvg           string  `json:"load_average"`
}

func sampleOf(r bench.Result, cpu float64) sample {
	s := sample{
		Events: r.Events, Requests: r.Requests, Failures: r.Failures, FirstErr: r.FirstErr,
		Seconds: r.Elapsed.Seconds(), EventsPerSec: r.EventsPerSecond(),
		P50Ms: ms(loadgen.Percentile(r.Latencies, 50)), P99Ms: ms(r.P99()), CPUSeconds: cpu,
	}
	if n := len(r.Latencies); n > 0 {
		s.MaxMs = ms(r.Latencies[n-1])
	}
	if r.Events > 0 {
		s.CPUSecPerMEvents = cpu / float64(r.Events) * 1e6
		s.CPUMicrosPerEvent = cpu / float64(r.Events) * 1e6
		s.WallNsPerEvent = float64(r.Elapsed.Nanoseconds()) / float64(r.Events)
	}
	return s
}

type memory struct {
	IdleRSSMiB    float64 `json:"idle_rss_mib"`
	PeakBeforeMiB float64 `json:"peak_before_load_mib"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	AboveIdleMiB  float64 `json:"peak_above_idle_mib"`
}

type variantRes struct {
	Name         string       `json:"name"`
	Label        string       `json:"label"`
	Receiver     string       `json:"receiver"`
	Rounds       []sample     `json:"rounds"`
	EventsPerSec bench.Spread `json:"events_per_second"`
	P99Ms        bench.Spread `json:"p99_ms"`
	CPUPerM      bench.Spread `json:"collector_cpu_seconds_per_million_events"`
	Memory       memory       `json:"memory_fresh_collector"`
}

func (v *variantRes) medianEPS() float64 {
	return bench.SpreadOf(collect(v.Rounds, func(s sample) float64 { return s.EventsPerSec })).Median
}

func (r *results) variant(v bench.Variant) *variantRes {
	for _, x := range r.Variants {
		if x.Name == v.Name {
			return x
		}
	}
	x := &variantRes{Name: v.Name, Label: v.Label, Receiver: v.Receiver}
	r.Variants = append(r.Variants, x)
	return x
}

func (r *results) byName(name string) *variantRes {
	for _, x := range r.Variants {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// ratio compares auth0logstream with a baseline, round by round: each
// round's figures were measured seconds apart on the same collector.
type ratio struct {
	Of           string       `json:"of"`
	Over         string       `json:"over"`
	EventsPerSec bench.Spread `json:"events_per_second"`
	// CPUPerEvent below 1 means auth0logstream spends less collector CPU per event.
	CPUPerEvent bench.Spread `json:"collector_cpu_per_event"`
	P99         bench.Spread `json:"p99"`
}

type halfRate struct {
	Variant   string  `json:"variant"`
	Client    string  `json:"client"`
	TargetEPS float64 `json:"target_events_per_second"`
	sample
}

type scalePoint struct {
	Variant   string  `json:"variant"`
	Batch     int     `json:"batch"`
	BodyBytes float64 `json:"body_bytes"`
	// PeakSoFarMiB is the shared collector's VmHWM right after this point.
	PeakSoFarMiB float64 `json:"shared_collector_peak_so_far_mib"`
	sample
}

type bigBody struct {
	BodyMB float64 `json:"body_mb"`
	Events int     `json:"events"`
	memory
	sample
}

type acceptedCheck struct {
	Receiver          string `json:"receiver"`
	DriverAcked       int64  `json:"driver_acked"`
	CollectorAccepted int64  `json:"collector_accepted"`
}

func collect(ss []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func (r *results) summarize() {
	for _, v := range r.Variants {
		v.EventsPerSec = bench.SpreadOf(collect(v.Rounds, func(s sample) float64 { return s.EventsPerSec }))
		v.P99Ms = bench.SpreadOf(collect(v.Rounds, func(s sample) float64 { return s.P99Ms }))
		v.CPUPerM = bench.SpreadOf(collect(v.Rounds, func(s sample) float64 { return s.CPUSecPerMEvents }))
	}
	r.Ratios = nil
	for _, of := range []string{bench.Auth0Lines.Name, bench.Auth0Array.Name} {
		a := r.byName(of)
		for _, base := range []string{bench.OTLPJSON.Name, bench.OTLPProto.Name} {
			o := r.byName(base)
			if a == nil || o == nil {
				continue
			}
			r.Ratios = append(r.Ratios, pairedRatio(a, o))
		}
	}
	r.Enrichment = nil
	for _, p := range enrichmentPairs {
		if a, o := r.byName(p.of), r.byName(p.over); a != nil && o != nil {
			r.Enrichment = append(r.Enrichment, pairedRatio(a, o))
		}
	}
}

// enrichmentPairs are issue 11's comparisons, all JSON Lines on the same
// collector: the first is the one its 10% rule is about.
var enrichmentPairs = []struct{ of, over, label string }{
	{bench.Auth0Lines.Name, bench.Auth0LinesPlain.Name, "user agent on ÷ off (the default ÷ nothing)"},
	{bench.Auth0LinesGeo.Name, bench.Auth0Lines.Name, "user agent + GeoIP ÷ user agent (what GeoIP adds)"},
	{bench.Auth0LinesGeo.Name, bench.Auth0LinesPlain.Name, "user agent + GeoIP ÷ off"},
}

// pairedRatio is a over o, round by round: each round's figures were
// measured seconds apart on the same collector.
func pairedRatio(a, o *variantRes) ratio {
	var eps, cpu, p99 []float64
	for i := range min(len(a.Rounds), len(o.Rounds)) {
		eps = append(eps, bench.Ratio(a.Rounds[i].EventsPerSec, o.Rounds[i].EventsPerSec))
		cpu = append(cpu, bench.Ratio(a.Rounds[i].CPUSecPerMEvents, o.Rounds[i].CPUSecPerMEvents))
		p99 = append(p99, bench.Ratio(a.Rounds[i].P99Ms, o.Rounds[i].P99Ms))
	}
	return ratio{Of: a.Name, Over: o.Name,
		EventsPerSec: bench.SpreadOf(eps), CPUPerEvent: bench.SpreadOf(cpu), P99: bench.SpreadOf(p99)}
}

func (r *results) ratio(of, over string) (ratio, bool) {
	for _, x := range r.Ratios {
		if x.Of == of && x.Over == over {
			return x, true
		}
	}
	return ratio{}, false
}

func machineInfo() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), CPUModel: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func settingsOf(o options) settings {
	return settings{Pool: o.pool, Batch: o.batch, Concurrency: o.concurrency, Rounds: o.rounds,
		RoundEvents: o.roundEvents, RoundTimeS: o.roundTime.Seconds(), Scaling: o.scaling,
		ScaleEvents: o.scaleEvents, Seed: o.seed}
}

// loadAvg is the first three fields of /proc/loadavg: other work on the
// machine shows here, and it is reported with every figure.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func mib(b int64) float64 { return float64(b) / (1 << 20) }
