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
)

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
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
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
	if len(results) == 0 {
		return fmt.Errorf("no benchmark lines found on stdin")
	}
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
