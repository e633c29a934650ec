// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	bench "github.com/auth0-otel/otelcol-auth0/internal/bench"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// maxBody is max_request_body_size of both receivers in every collector the
// driver starts: large enough for a 10,000-event OTLP/JSON request and for
// the 50 MB body.
const maxBody = 64 << 20

// idleSettle lets a fresh collector finish starting before its idle RSS is read.
const idleSettle = 2 * time.Second

// The rounds run every variant in this order: JSON Lines with the default
// enrichment (user agent on) and without it (issue 11), the two OTLP
// baselines (issue 14), and the JSON Array format.
var (
	roundVariants = []bench.Variant{bench.Auth0Lines, bench.Auth0LinesPlain, bench.Auth0LinesGeo, bench.OTLPJSON, bench.OTLPProto, bench.Auth0Array}
	scaleVariants = []bench.Variant{bench.Auth0Lines, bench.Auth0LinesPlain, bench.OTLPJSON, bench.OTLPProto}
	// acceptedReceivers are the receiver instances whose accepted counters are checked.
	acceptedReceivers = []string{"auth0logstream", "auth0logstream/plain", "auth0logstream/geo", "otlp"}
)

type bencher struct {
	o      options
	res    *results
	prep   *bench.Prepared
	reqs   map[string][]bench.Request // the rounds' requests by variant
	client *http.Client
	acked  map[string]int64 // events the main collector answered 200 for, by receiver
}

func (b *bencher) prepare(ctx context.Context) error {
	t0 := time.Now()
	gen := auth0gen.New(b.o.seed, auth0gen.Options{})
	events := make([]auth0gen.Event, b.o.pool)
	for i := range events {
		events[i] = gen.Next()
	}
	logs, err := bench.Decode(ctx, events)
	if err != nil {
		return fmt.Errorf("decoding the pool in-process: %w", err)
	}
	b.prep = &bench.Prepared{Events: events, Records: bench.NewRecords(logs)}
	b.reqs = map[string][]bench.Request{}
	for _, v := range roundVariants {
		reqs, err := b.prep.Requests(v, b.o.batch)
		if err != nil {
			return err
		}
		b.reqs[v.Name] = reqs
		b.res.BodyBytesPerEvent = append(b.res.BodyBytesPerEvent, bodySize{Variant: v.Name, Bytes: bench.AvgBytes(reqs) / float64(b.o.batch)})
	}
	b.client = bench.NewClient(b.o.concurrency)
	b.acked = map[string]int64{}
	log.Printf("prepared %d events and their OTLP forms in %.1fs", len(events), time.Since(t0).Seconds())
	return nil
}

func (b *bencher) target(c *bench.Collector, v bench.Variant) (url string, hdr http.Header, err error) {
	url, err = c.URL(v.Receiver)
	if v.Auth0 {
		hdr = http.Header{"Authorization": {bench.Token}}
	}
	return url, hdr, err
}

// measure drives one variant and reads the collector's CPU time around it.
func (b *bencher) measure(ctx context.Context, c *bench.Collector, v bench.Variant, reqs []bench.Request, events int, dur time.Duration, rate float64) (sample, error) {
	url, hdr, err := b.target(c, v)
	if err != nil {
		return sample{}, err
	}
	cpu0, err := testproc.CPUSeconds(c.Pid())
	if err != nil {
		return sample{}, err
	}
	r, err := bench.Drive(ctx, b.client, bench.Load{
		URL: url, ContentType: v.ContentType, Header: hdr, Requests: reqs,
		Concurrency: b.o.concurrency, Events: events, Duration: dur, Rate: rate,
	})
	if err != nil {
		return sample{}, err
	}
	cpu1, err := testproc.CPUSeconds(c.Pid())
	if err != nil {
		return sample{}, err
	}
	if ctx.Err() != nil {
		return sample{}, ctx.Err()
	}
	b.acked[v.Receiver] += r.Events
	s := sampleOf(r, cpu1-cpu0)
	s.LoadAvg = loadAvg()
	if r.Failures > 0 {
		log.Printf("WARNING %s: %d of %d requests failed, first: %s", v.Name, r.Failures, r.Requests, r.FirstErr)
	}
	return s, nil
}

// mainCollector runs everything that shares one collector process: the
// alternating rounds, the half-throughput latency, the scaling table.
func (b *bencher) mainCollector(ctx context.Context) error {
	c, err := bench.StartCollector(ctx, b.o.collector, b.o.config, b.o.logDir, maxBody)
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Stop(); err != nil {
			log.Print(err)
		}
	}()
	log.Printf("collector pid %d up; pprof at %s", c.Pid(), c.PprofURL)

	// Warm-up, not recorded: connections, heap growth, lazy initialisation.
	for _, v := range roundVariants {
		if _, err := b.measure(ctx, c, v, b.reqs[v.Name], min(10000, b.o.roundEvents), b.o.roundTime, 0); err != nil {
			return err
		}
	}
	if err := b.rounds(ctx, c); err != nil {
		return err
	}
	if err := b.halfRate(ctx, c); err != nil {
		return err
	}
	if err := b.scaling(ctx, c); err != nil {
		return err
	}
	if b.o.profile > 0 {
		if err := b.cpuProfile(ctx, c); err != nil {
			return err
		}
	}
	if m, err := testproc.ReadMemory(c.Pid()); err == nil {
		b.res.SharedCollectorPeakMiB = mib(m.PeakBytes)
	}
	got, err := c.AcceptedLogRecords(ctx)
	if err != nil {
		return fmt.Errorf("scraping the collector's metrics: %w", err)
	}
	for _, rcv := range acceptedReceivers {
		b.res.AcceptedCheck = append(b.res.AcceptedCheck, acceptedCheck{
			Receiver: rcv, DriverAcked: b.acked[rcv], CollectorAccepted: int64(got[rcv]),
		})
	}
	return nil
}

func (b *bencher) rounds(ctx context.Context, c *bench.Collector) error {
	for r := 1; r <= b.o.rounds; r++ {
		for _, v := range roundVariants {
			s, err := b.measure(ctx, c, v, b.reqs[v.Name], b.o.roundEvents, b.o.roundTime, 0)
			if err != nil {
				return err
			}
			s.Round = r
			b.res.variant(v).Rounds = append(b.res.variant(v).Rounds, s)
			log.Printf("round %d %-21s %8.0f events/s  p99 %6.2f ms  %5.2f CPU s/M events  (load %s)",
				r, v.Name, s.EventsPerSec, s.P99Ms, s.CPUSecPerMEvents, s.LoadAvg)
		}
	}
	return nil
}

// halfRate measures latency at half of each variant's median maximum. For
// auth0logstream the load generator sends freshly generated events the way
// Auth0 does; every variant is also driven with the prepared requests.
func (b *bencher) halfRate(ctx context.Context, c *bench.Collector) error {
	for _, v := range scaleVariants {
		rate := b.res.variant(v).medianEPS() / 2
		if rate <= 0 {
			continue
		}
		events := int(rate * b.o.halfTime.Seconds())
		s, err := b.measure(ctx, c, v, b.reqs[v.Name], events, b.o.halfTime+5*time.Second, rate)
		if err != nil {
			return err
		}
		b.res.HalfRate = append(b.res.HalfRate, halfRate{Variant: v.Name, Client: "prepared", TargetEPS: rate, sample: s})
		log.Printf("half rate %-14s target %6.0f/s got %6.0f/s  p50 %5.2f ms  p99 %5.2f ms", v.Name, rate, s.EventsPerSec, s.P50Ms, s.P99Ms)

		if !v.Auth0 || v.Name != bench.Auth0Lines.Name {
			continue
		}
		rep, err := loadgen.Run(ctx, loadgen.Config{
			URL: c.Auth0URL, Token: bench.Token, Format: auth0gen.JSONLines,
			BatchSize: b.o.batch, Concurrency: b.o.concurrency, Rate: rate,
			Events: events, Duration: b.o.halfTime + 5*time.Second, Seed: b.o.seed + 1,
		})
		if err != nil {
			return err
		}
		b.acked[v.Receiver] += rep.EventsAcked
		hr := halfRate{Variant: v.Name, Client: "loadgen", TargetEPS: rate}
		hr.EventsPerSec = rep.AckedPerSecond
		hr.Events = rep.EventsAcked
		hr.Requests = rep.Requests
		hr.Failures = rep.Requests - rep.StatusCounts[http.StatusOK]
		hr.P50Ms, hr.P99Ms, hr.MaxMs = ms(rep.LatencyP50), ms(rep.LatencyP99), ms(rep.LatencyMax)
		hr.LoadAvg = loadAvg()
		b.res.HalfRate = append(b.res.HalfRate, hr)
		log.Printf("half rate %-14s target %6.0f/s got %6.0f/s  p50 %5.2f ms  p99 %5.2f ms (loadgen)", v.Name, rate, hr.EventsPerSec, hr.P50Ms, hr.P99Ms)
	}
	return nil
}

func (b *bencher) scaling(ctx context.Context, c *bench.Collector) error {
	for _, n := range b.o.scaling {
		if n > b.o.pool {
			log.Printf("scaling: batch %d is larger than the pool (%d), skipped", n, b.o.pool)
			continue
		}
		for _, v := range scaleVariants {
			reqs, err := b.prep.Requests(v, n)
			if err != nil {
				return err
			}
			s, err := b.measure(ctx, c, v, reqs, max(b.o.scaleEvents, n), b.o.scaleTime, 0)
			if err != nil {
				return err
			}
			pt := scalePoint{Variant: v.Name, Batch: n, BodyBytes: bench.AvgBytes(reqs), sample: s}
			// The peak only grows; a point that raises it is the one that needed the memory.
			if m, err := testproc.ReadMemory(c.Pid()); err == nil {
				pt.PeakSoFarMiB = mib(m.PeakBytes)
			}
			b.res.Scaling = append(b.res.Scaling, pt)
			log.Printf("batch %5d %-14s %8.0f events/s  %7.2f CPU µs/event  %8.0f wall ns/event  p99 %7.2f ms",
				n, v.Name, s.EventsPerSec, s.CPUMicrosPerEvent, s.WallNsPerEvent, s.P99Ms)
		}
	}
	return nil
}

// cpuProfile saves a pprof CPU profile of the collector under
// auth0logstream load into the log directory, for `go tool pprof`.
func (b *bencher) cpuProfile(ctx context.Context, c *bench.Collector) error {
	done := make(chan error, 1)
	go func() {
		_, err := b.measure(ctx, c, bench.Auth0Lines, b.reqs[bench.Auth0Lines.Name], 0, b.o.profile+2*time.Second, 0)
		done <- err
	}()
	secs := int(b.o.profile.Seconds())
	url := fmt.Sprintf("%sprofile?seconds=%d", c.PprofURL, max(secs, 1))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: b.o.profile + 30*time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	path := filepath.Join(b.o.logDir, "cpu-auth0logstream.pprof")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	log.Printf("CPU profile: go tool pprof -top %s %s", b.o.collector, path)
	return <-done
}

// peakMemory runs one round's load per variant, each in a fresh collector:
// VmHWM is a process-lifetime peak, and Go keeps freed heap for a while, so
// a collector shared by the variants would carry one's peak into the next.
func (b *bencher) peakMemory(ctx context.Context) error {
	for _, v := range roundVariants {
		c, err := bench.StartCollector(ctx, b.o.collector, b.o.config, b.o.logDir, maxBody)
		if err != nil {
			return err
		}
		m, err := b.memoryRun(ctx, c, func() error {
			_, err := b.measure(ctx, c, v, b.reqs[v.Name], b.o.roundEvents, b.o.roundTime, 0)
			return err
		})
		if stopErr := c.Stop(); err == nil {
			err = stopErr
		}
		if err != nil {
			return err
		}
		b.res.variant(v).Memory = m
		log.Printf("memory %-21s idle %6.1f MiB  peak %6.1f MiB", v.Name, m.IdleRSSMiB, m.PeakRSSMiB)
	}
	return nil
}

func (b *bencher) memoryRun(ctx context.Context, c *bench.Collector, load func() error) (memory, error) {
	select {
	case <-ctx.Done():
		return memory{}, ctx.Err()
	case <-time.After(idleSettle):
	}
	idle, err := testproc.ReadMemory(c.Pid())
	if err != nil {
		return memory{}, err
	}
	if err := load(); err != nil {
		return memory{}, err
	}
	after, err := testproc.ReadMemory(c.Pid())
	if err != nil {
		return memory{}, err
	}
	return memory{
		IdleRSSMiB: mib(idle.RSSBytes), PeakBeforeMiB: mib(idle.PeakBytes),
		PeakRSSMiB: mib(after.PeakBytes), AboveIdleMiB: mib(after.PeakBytes - idle.RSSBytes),
	}, nil
}

// bigBody sends one JSON Lines body of about bigMB megabytes to a fresh
// collector and reports how far its resident memory rose above idle.
func (b *bencher) bigBody(ctx context.Context) error {
	gen := auth0gen.New(b.o.seed+2, auth0gen.Options{})
	var events []auth0gen.Event
	size := 0
	for size < b.o.bigMB*1_000_000 {
		e := gen.Next()
		events = append(events, e)
		size += len(e.JSON) + 1
	}
	body := auth0gen.Encode(auth0gen.JSONLines, events)
	if len(body) > maxBody {
		return fmt.Errorf("big body of %d bytes is over max_request_body_size %d", len(body), maxBody)
	}
	c, err := bench.StartCollector(ctx, b.o.collector, b.o.config, b.o.logDir, maxBody)
	if err != nil {
		return err
	}
	var s sample
	m, err := b.memoryRun(ctx, c, func() error {
		var err error
		s, err = b.measure(ctx, c, bench.Auth0Lines, []bench.Request{{Body: body, Events: len(events)}}, len(events), 0, 0)
		return err
	})
	if stopErr := c.Stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return err
	}
	b.res.BigBody = &bigBody{BodyMB: float64(len(body)) / 1e6, Events: len(events), memory: m, sample: s}
	log.Printf("big body %.1f MB, %d events: idle %.1f MiB, peak %.1f MiB, %.1f MiB above idle, %s",
		float64(len(body))/1e6, len(events), m.IdleRSSMiB, m.PeakRSSMiB, m.AboveIdleMiB, okOr(s))
	return nil
}

func okOr(s sample) string {
	if s.Failures > 0 {
		return "FAILED: " + s.FirstErr
	}
	return "accepted"
}
