// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	bench "github.com/auth0-otel/otelcol-auth0/internal/bench"
)

func TestRatiosArePairedRoundByRound(t *testing.T) {
	r := &results{}
	a, j := r.variant(bench.Auth0Lines), r.variant(bench.OTLPJSON)
	for _, x := range []struct{ a, j float64 }{{100, 50}, {90, 30}, {60, 60}} {
		a.Rounds = append(a.Rounds, sample{EventsPerSec: x.a, CPUSecPerMEvents: 10, P99Ms: 1})
		j.Rounds = append(j.Rounds, sample{EventsPerSec: x.j, CPUSecPerMEvents: 20, P99Ms: 4})
	}
	r.summarize()
	if len(r.Ratios) != 1 { // no otlp-proto or JSON Array variant
		t.Fatalf("%d ratios, want 1 (no otlp-proto variant)", len(r.Ratios))
	}
	got := r.Ratios[0]
	want := bench.Spread{Min: 1, Median: 2, Max: 3}
	if got.Over != "otlp-json" || got.EventsPerSec != want {
		t.Fatalf("events/s ratio %+v over %s, want %+v", got.EventsPerSec, got.Over, want)
	}
	if got.CPUPerEvent.Median != 0.5 || got.P99.Median != 0.25 {
		t.Fatalf("cpu %+v p99 %+v", got.CPUPerEvent, got.P99)
	}
	if a.EventsPerSec != (bench.Spread{Min: 60, Median: 90, Max: 100}) {
		t.Fatalf("auth0 spread %+v", a.EventsPerSec)
	}
}

func TestWriteMakesResultsAndCharts(t *testing.T) {
	r := &results{Date: "2026-01-02T03:04:05Z"}
	for i, v := range []bench.Variant{bench.Auth0Lines, bench.OTLPJSON} {
		x := r.variant(v)
		x.Rounds = []sample{{EventsPerSec: float64(1000 * (i + 1))}, {EventsPerSec: float64(1200 * (i + 1))}}
		for _, n := range []int{1, 10, 100} {
			r.Scaling = append(r.Scaling, scalePoint{Variant: v.Name, Batch: n, sample: sample{CPUMicrosPerEvent: 100 / float64(n)}})
		}
	}
	r.summarize()
	dir := t.TempDir()
	if err := r.write(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"results.json", "events-per-second.png", "events-per-second.svg", "cost-per-event.png", "cost-per-event.svg"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "cost-per-event.svg"))
	if !strings.Contains(string(svg), "otlp-json") {
		t.Error("cost chart has no otlp-json legend entry")
	}
	var sb strings.Builder
	r.print(&sb)
	if !strings.Contains(sb.String(), "| auth0logstream / otlp-json |") {
		t.Errorf("printed tables lack the ratio row:\n%s", sb.String())
	}
}

func TestTargetsTableInvertsTheCPURatio(t *testing.T) {
	r := &results{}
	arr, proto := r.variant(bench.Auth0Array), r.variant(bench.OTLPProto)
	for _, x := range []struct{ a, p float64 }{{10, 20}, {10, 15}, {10, 30}} {
		arr.Rounds = append(arr.Rounds, sample{EventsPerSec: 2 * x.p, CPUSecPerMEvents: x.a})
		proto.Rounds = append(proto.Rounds, sample{EventsPerSec: x.a, CPUSecPerMEvents: x.p})
	}
	r.summarize()
	var sb strings.Builder
	r.printTargets(&sb)
	// CPU: proto/ours = 2, 1.5, 3; events/s: 4, 3, 6.
	want := "| end to end, JSON Array vs OTLP/proto | >= 1.5 | 2.00 (1.50-3.00) | 4.00 (3.00-6.00) | met |"
	if !strings.Contains(sb.String(), want) {
		t.Fatalf("targets table lacks\n%s\ngot:\n%s", want, sb.String())
	}
	if strings.Contains(sb.String(), "JSON Lines vs") {
		t.Fatalf("rows for variants that did not run:\n%s", sb.String())
	}
}

func TestEnrichmentRatioIsOnOverOffRoundByRound(t *testing.T) {
	r := &results{Settings: settings{Batch: 100, Concurrency: 4}}
	on, off := r.variant(bench.Auth0Lines), r.variant(bench.Auth0LinesPlain)
	for _, x := range []struct{ onCPU, offCPU, onEPS, offEPS float64 }{{11, 10, 90, 100}, {12, 10, 80, 100}, {10, 10, 100, 100}} {
		on.Rounds = append(on.Rounds, sample{CPUSecPerMEvents: x.onCPU, EventsPerSec: x.onEPS, P99Ms: 1})
		off.Rounds = append(off.Rounds, sample{CPUSecPerMEvents: x.offCPU, EventsPerSec: x.offEPS, P99Ms: 1})
	}
	r.Scaling = []scalePoint{
		{Variant: bench.Auth0Lines.Name, Batch: 100, sample: sample{CPUMicrosPerEvent: 15, EventsPerSec: 50, P99Ms: 2}},
		{Variant: bench.Auth0LinesPlain.Name, Batch: 100, sample: sample{CPUMicrosPerEvent: 10, EventsPerSec: 100, P99Ms: 1}},
	}
	r.summarize()
	if len(r.Enrichment) != 1 { // no GeoIP variant
		t.Fatalf("%d enrichment ratios, want 1", len(r.Enrichment))
	}
	x := r.Enrichment[0]
	if x.Of != "auth0logstream" || x.Over != "auth0logstream-plain" {
		t.Fatalf("enrichment ratio %+v", x)
	}
	if x.CPUPerEvent != (bench.Spread{Min: 1, Median: 1.1, Max: 1.2}) || x.EventsPerSec != (bench.Spread{Min: 0.8, Median: 0.9, Max: 1}) {
		t.Fatalf("cpu %+v eps %+v", x.CPUPerEvent, x.EventsPerSec)
	}
	// The plain variant is no baseline of issue 14's ratios.
	for _, y := range r.Ratios {
		if y.Over == bench.Auth0LinesPlain.Name {
			t.Fatalf("unexpected ratio %+v", y)
		}
	}
	var out strings.Builder
	r.print(&out)
	for _, want := range []string{"| 1.000 / 1.100 / 1.200 | 0.800 / 0.900 / 1.000 |", "| same, scaling table at batch 100 | 1 point | 1.500 | 0.500 | 2.00 |", "1.100, the default (on) holds"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if got := enrichmentVerdict(1.11); !strings.Contains(got, "over budget") {
		t.Errorf("verdict at 1.11: %q", got)
	}
}
