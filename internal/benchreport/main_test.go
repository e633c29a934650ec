// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReportRatios(t *testing.T) {
	in := `goos: linux
BenchmarkAuth0Decode/format=JSONLINES/batch=100-2   3000   1000000 ns/op   10000 ns/event   600000 B/op   8000 allocs/op
BenchmarkBaseline/decoder=otlpjson/batch=100-2      3000   3000000 ns/op   30000 ns/event  1000000 B/op  40000 allocs/op
BenchmarkBaseline/decoder=otlpproto/batch=100-2     3000   1500000 ns/op   15000 ns/event   900000 B/op  20000 allocs/op
BenchmarkBaseline/decoder=floor/batch=100-2         3000    500000 ns/op    5000 ns/event   450000 B/op   8000 allocs/op
PASS
`
	var out bytes.Buffer
	if err := report(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| 100 | JSONLINES | 3.00 | 1.50 | 2.00 |") {
		t.Fatalf("ratio row missing:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "| 100 | auth0/JSONLINES | 10000 | 6000 | 80.0 |") {
		t.Fatalf("per-event row missing:\n%s", out.String())
	}
}

func TestReportNeedsInput(t *testing.T) {
	if err := report(strings.NewReader("PASS\n"), &bytes.Buffer{}); err == nil {
		t.Fatal("expected an error for input without benchmarks")
	}
}

func TestReportEnrichment(t *testing.T) {
	in := `BenchmarkEnrich/enrich=useragent/batch=100-2   3000   2000000 ns/op   11000 cpu-ns/event   10000 off-cpu-ns/event   1.100 x-off   640000 B/op   8874 allocs/op
BenchmarkEnrich/enrich=useragent/batch=100-2   3000   2000000 ns/op   10600 cpu-ns/event   10000 off-cpu-ns/event   1.060 x-off   640000 B/op   8874 allocs/op
BenchmarkEnrich/enrich=mgmt/batch=100-2        3000   2000000 ns/op   10300 cpu-ns/event   10000 off-cpu-ns/event   1.030 x-off   620000 B/op   8523 allocs/op
`
	var out bytes.Buffer
	if err := report(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| 100/useragent | 2 | 10800 | 10000 | 800 | 1.080 |",
		"| 100/mgmt | 1 | 10300 | 10000 | 300 | 1.030 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("row %q missing:\n%s", want, out.String())
		}
	}
}
