// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

type workerStats struct {
	requests, retries, transportErrors int64
	acked, givenUp, aborted, bytes     int64
	status                             map[int]int64
	latencies                          []time.Duration
}

// Report sums up a run. EventsSent = EventsAcked + EventsGivenUp +
// EventsAborted. Latencies cover every attempt that got a response or a
// transport error, retries included.
type Report struct {
	Seed           int64 // the generator seed, to reproduce the run
	Elapsed        time.Duration
	AckedPerSecond float64

	EventsSent    int64
	EventsAcked   int64
	EventsGivenUp int64 // all attempts failed
	EventsAborted int64 // the run was canceled mid-delivery

	Requests        int64
	Retries         int64
	BytesSent       int64
	StatusCounts    map[int]int64
	TransportErrors int64

	LatencyP50, LatencyP99, LatencyMax time.Duration
}

func merge(stats []workerStats) Report {
	rep := Report{StatusCounts: map[int]int64{}}
	var lats []time.Duration
	for _, s := range stats {
		rep.Requests += s.requests
		rep.Retries += s.retries
		rep.TransportErrors += s.transportErrors
		rep.EventsAcked += s.acked
		rep.EventsGivenUp += s.givenUp
		rep.EventsAborted += s.aborted
		rep.BytesSent += s.bytes
		for code, n := range s.status {
			rep.StatusCounts[code] += n
		}
		lats = append(lats, s.latencies...)
	}
	slices.Sort(lats)
	rep.LatencyP50 = Percentile(lats, 50)
	rep.LatencyP99 = Percentile(lats, 99)
	if len(lats) > 0 {
		rep.LatencyMax = lats[len(lats)-1]
	}
	return rep
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type jsonReport struct {
	Seed            int64            `json:"seed"`
	ElapsedSeconds  float64          `json:"elapsed_seconds"`
	AckedPerSecond  float64          `json:"acked_events_per_second"`
	EventsSent      int64            `json:"events_sent"`
	EventsAcked     int64            `json:"events_acked"`
	EventsGivenUp   int64            `json:"events_given_up"`
	EventsAborted   int64            `json:"events_aborted"`
	Requests        int64            `json:"requests"`
	Retries         int64            `json:"retries"`
	BytesSent       int64            `json:"bytes_sent"`
	StatusCounts    map[string]int64 `json:"status_counts"`
	TransportErrors int64            `json:"transport_errors"`
	LatencyP50Ms    float64          `json:"latency_p50_ms"`
	LatencyP99Ms    float64          `json:"latency_p99_ms"`
	LatencyMaxMs    float64          `json:"latency_max_ms"`
}

// MarshalJSON gives durations in (milli)seconds, for scripts and charts.
func (r Report) MarshalJSON() ([]byte, error) {
	codes := make(map[string]int64, len(r.StatusCounts))
	for c, n := range r.StatusCounts {
		codes[strconv.Itoa(c)] = n
	}
	return json.Marshal(jsonReport{
		Seed:           r.Seed,
		ElapsedSeconds: r.Elapsed.Seconds(), AckedPerSecond: r.AckedPerSecond,
		EventsSent: r.EventsSent, EventsAcked: r.EventsAcked, EventsGivenUp: r.EventsGivenUp,
		EventsAborted: r.EventsAborted, Requests: r.Requests, Retries: r.Retries,
		BytesSent: r.BytesSent, StatusCounts: codes, TransportErrors: r.TransportErrors,
		LatencyP50Ms: ms(r.LatencyP50), LatencyP99Ms: ms(r.LatencyP99), LatencyMaxMs: ms(r.LatencyMax),
	})
}

// StatusLine lists the answers by status code, as in "200=2 503=1", or "none".
func (r Report) StatusLine() string {
	codes := make([]int, 0, len(r.StatusCounts))
	for c := range r.StatusCounts {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d=%d", c, r.StatusCounts[c]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// WriteText prints the report for people.
func (r Report) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, `seed             %d
elapsed          %.3fs
acked events/s   %.0f
events           sent=%d acked=%d given_up=%d aborted=%d
requests         %d (retries %d, %.1f MB sent)
status codes     %s
transport errors %d
latency          p50=%.2fms p99=%.2fms max=%.2fms
`,
		r.Seed, r.Elapsed.Seconds(), r.AckedPerSecond,
		r.EventsSent, r.EventsAcked, r.EventsGivenUp, r.EventsAborted,
		r.Requests, r.Retries, float64(r.BytesSent)/1e6,
		r.StatusLine(), r.TransportErrors,
		ms(r.LatencyP50), ms(r.LatencyP99), ms(r.LatencyMax))
	return err
}
