// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// Scrape reads the collector's own Prometheus metrics and sums each wanted metric over its
// label sets (testproc.ParseSums). Missing metrics are absent from the result.
func Scrape(client *http.Client, url string, names ...string) (map[string]float64, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return testproc.ParseSums(io.LimitReader(resp.Body, 8<<20), names...)
}

// Goroutines reads the total from the pprof extension's goroutine profile in text form,
// whose first line is "goroutine profile: total N".
func Goroutines(client *http.Client, pprofAddr string) (float64, error) {
	resp, err := client.Get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("pprof goroutine: %s", resp.Status)
	}
	line, err := bufio.NewReader(io.LimitReader(resp.Body, 4096)).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("pprof goroutine: %w", err)
	}
	return parseGoroutineTotal(line)
}

func parseGoroutineTotal(line string) (float64, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "goroutine profile: total ")
	if !ok {
		return 0, fmt.Errorf("pprof goroutine: unexpected first line %q", line)
	}
	return strconv.ParseFloat(rest, 64)
}

// OpenFDs counts the entries of /proc/<pid>/fd.
func OpenFDs(pid int) (float64, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, err
	}
	return float64(len(entries)), nil
}

// DiskUsage is what du reports for dir: the blocks allocated to the files under it (a sparse
// or preallocated file counts what it occupies, not its length).
func DiskUsage(dir string) (float64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking (compaction swaps files)
			}
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		}
		return nil
	})
	return float64(total), err
}

// Reading is one look at the collector; a Sample is the median of the readings in an
// interval, so that one reading in the middle of a GC cycle does not make a trend.
type Reading struct {
	RSS, Heap, Goroutines, FDs, QueueDisk, QueueItems float64
}

// Sample is one interval of the run.
type Sample struct {
	Seconds    float64 `json:"t_seconds"` // end of the interval, since the start of the soak
	RSS        float64 `json:"rss_bytes"`
	Heap       float64 `json:"heap_alloc_bytes"`
	Goroutines float64 `json:"goroutines"`
	FDs        float64 `json:"open_fds"`
	QueueDisk  float64 `json:"queue_disk_bytes"`
	QueueItems float64 `json:"queue_items"`
	P99Ms      float64 `json:"p99_latency_ms"`
	CPUPercent float64 `json:"collector_cpu_percent"`
	Readings   int     `json:"readings"`

	Interval
}

// medianReading takes each field's median over the readings.
func medianReading(rs []Reading) Reading {
	field := func(get func(Reading) float64) float64 {
		vs := make([]float64, len(rs))
		for i, r := range rs {
			vs[i] = get(r)
		}
		return median(vs)
	}
	return Reading{
		RSS:        field(func(r Reading) float64 { return r.RSS }),
		Heap:       field(func(r Reading) float64 { return r.Heap }),
		Goroutines: field(func(r Reading) float64 { return r.Goroutines }),
		FDs:        field(func(r Reading) float64 { return r.FDs }),
		QueueDisk:  field(func(r Reading) float64 { return r.QueueDisk }),
		QueueItems: field(func(r Reading) float64 { return r.QueueItems }),
	}
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile uses the nearest-rank method, as internal/loadgen does.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100
	return s[max(rank, 1)-1]
}
