// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Command benchreport reads `go test -bench` output for the receiver's
// decode benchmarks on stdin and prints, per batch size, the receiver's
// cost per event beside the Collector's own decoders measured in the same
// run, as ratios. Times on a shared 2-core machine are noisy; ratios of
// measurements taken moments apart are what we compare.
//
//	go test -run '^$' -bench . -benchmem ./receiver/auth0logstream | go run ./internal/benchreport
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
)

// A line such as:
// BenchmarkAuth0Decode/format=JSONLINES/batch=100-2  2000  1023456 ns/op  12.3 MB/s  10234 ns/event  601188 B/op  8380 allocs/op
var (
	nameRe   = regexp.MustCompile(`^Benchmark(Auth0Decode/format=(\w+)|(?:Baseline|DecoderChoice)/decoder=(\w+))/batch=(\d+)(-\d+)?\s`)
	metricRe = regexp.MustCompile(`([\d.]+) (ns/event|B/op|allocs/op)`)
	// BenchmarkEnrich/enrich=useragent/batch=100-2  3000  2000000 ns/op  10500 cpu-ns/event  9800 off-cpu-ns/event  1.071 x-off  640000 B/op  8874 allocs/op
	enrichRe       = regexp.MustCompile(`^BenchmarkEnrich/enrich=([\w-]+)/batch=(\d+)(-\d+)?\s`)
	enrichMetricRe = regexp.MustCompile(`([\d.]+) (cpu-ns/event|off-cpu-ns/event|x-off|allocs/op)`)
)

// enrichSample sums BenchmarkEnrich lines: the CPU cost per event with one
// part of the enrichment on, the same run's cost with it off, and their ratio.
type enrichSample struct {
	on, off, ratio, allocs float64
	n                      int
}

type sample struct {
	nsPerEvent, bytesPerOp, allocsPerOp float64
	n                                   int // samples averaged (with -count)
}

func main() {
	if err := report(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func report(in io.Reader, out io.Writer) error {
	// results[batch][decoder]
	results := map[int]map[string]*sample{}
	enrich := map[string]*enrichSample{} // by "batch/variant"
	var enrichKeys []string
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if em := enrichRe.FindStringSubmatch(line); em != nil {
			key := em[2] + "/" + em[1]
			e := enrich[key]
			if e == nil {
				e = &enrichSample{}
				enrich[key] = e
				enrichKeys = append(enrichKeys, key)
			}
			for _, mm := range enrichMetricRe.FindAllStringSubmatch(line, -1) {
				v, _ := strconv.ParseFloat(mm[1], 64)
				switch mm[2] {
				case "cpu-ns/event":
					e.on += v
				case "off-cpu-ns/event":
					e.off += v
				case "x-off":
					e.ratio += v
				case "allocs/op":
					e.allocs += v
				}
			}
			e.n++
			continue
		}
		m := nameRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		decoder := "auth0/" + m[2]
		if m[3] != "" {
			decoder = m[3]
		}
		batch, _ := strconv.Atoi(m[4])
		if results[batch] == nil {
			results[batch] = map[string]*sample{}
		}
		s := results[batch][decoder]
		if s == nil {
			s = &sample{}
			results[batch][decoder] = s
		}
		for _, mm := range metricRe.FindAllStringSubmatch(line, -1) {
			v, _ := strconv.ParseFloat(mm[1], 64)
			switch mm[2] {
			case "ns/event":
				s.nsPerEvent += v
			case "B/op":
				s.bytesPerOp += v
			case "allocs/op":
				s.allocsPerOp += v
			}
		}
		s.n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(results) == 0 && len(enrich) == 0 {
		return fmt.Errorf("no benchmark lines found on stdin")
	}
	defer printEnrich(out, enrich, enrichKeys)
	batches := make([]int, 0, len(results))
	for b := range results {
		batches = append(batches, b)
	}
	sort.Ints(batches)

	fmt.Fprintln(out, "| batch | decoder | ns/event | B/event | allocs/event |")
	fmt.Fprintln(out, "|---:|---|---:|---:|---:|")
	for _, b := range batches {
		names := make([]string, 0, len(results[b]))
		for name := range results[b] {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			s := results[b][name]
			n := float64(s.n)
			fmt.Fprintf(out, "| %d | %s | %.0f | %.0f | %.1f |\n", b, name,
				s.nsPerEvent/n, s.bytesPerOp/n/float64(b), s.allocsPerOp/n/float64(b))
		}
	}

	fmt.Fprintln(out)
	fmt.Fprintln(out, "Throughput ratios, same records, same run (higher is better for auth0; floor: lower is better):")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| batch | format | auth0 / OTLP-JSON (target >= 3.0) | auth0 / OTLP-proto (target >= 1.5) | auth0 time / floor (target <= 2.0) |")
	fmt.Fprintln(out, "|---:|---|---:|---:|---:|")
	for _, b := range batches {
		r := results[b]
		jsonS, protoS, floorS := r["otlpjson"], r["otlpproto"], r["floor"]
		if jsonS == nil || protoS == nil || floorS == nil {
			continue
		}
		names := make([]string, 0)
		for name := range r {
			if len(name) > 6 && name[:6] == "auth0/" {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			a := per(r[name])
			fmt.Fprintf(out, "| %d | %s | %.2f | %.2f | %.2f |\n", b, name[6:],
				per(jsonS)/a, per(protoS)/a, a/per(floorS))
		}
	}
	return nil
}

func per(s *sample) float64 { return s.nsPerEvent / float64(s.n) }

// printEnrich prints the enrichment table: each part on against off, both
// measured in the same iterations (CPU time, alternating order).
func printEnrich(out io.Writer, enrich map[string]*enrichSample, keys []string) {
	if len(keys) == 0 {
		return
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Enrichment cost, each part on vs off in the same iterations (CPU time of the process; ratio per run, averaged):")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| batch/enrich | runs | CPU ns/event on | CPU ns/event off | added ns/event | on / off |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	for _, k := range keys {
		e := enrich[k]
		n := float64(e.n)
		fmt.Fprintf(out, "| %s | %d | %.0f | %.0f | %.0f | %.3f |\n", k, e.n, e.on/n, e.off/n, (e.on-e.off)/n, e.ratio/n)
	}
}
