// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

// Mix is the traffic besides plain batches.
type Mix struct {
	// MalformedLineRatio is the chance that an event line is followed by a malformed line.
	MalformedLineRatio float64
	// ResendRatio is the share of batches sent again after their 200, as Auth0 does when it
	// did not get the answer: every event must come back as a duplicate.
	ResendRatio float64
	// UnauthRatio is the share of batches first sent with a wrong or no token (answered 401),
	// then delivered normally.
	UnauthRatio float64
	// OversizeEvery sends one body over the size limit this often, alternately with a
	// Content-Length (refused before reading) and chunked (refused at the limit). 0 never.
	OversizeEvery time.Duration
}

// DefaultMix is the issue's "about 1% malformed lines, 1% retried batches, occasional oversize
// and unauthenticated requests".
var DefaultMix = Mix{MalformedLineRatio: 0.01, ResendRatio: 0.01, UnauthRatio: 0.005, OversizeEvery: time.Minute}

// MalformedLines are the malformed lines injected, in turn. Each is one malformed record for
// the receiver (TestMalformedLinesCountOnce checks that against the real receiver).
var MalformedLines = []string{
	`this line is not JSON`,
	`{"log_id":"90020250101000000","data":{"type":"f","date":"2025-01-01T00:00:00.000Z"`,
	`{"log_id":"90020250101000001","data":{"type":"f"}}}`,
	`{"log_id": 12, "data": "not an object"`,
	`[1, 2,`,
}

// DriverConfig is one soak load.
type DriverConfig struct {
	URL, Token  string
	Rate        float64 // events/s
	BatchSize   int
	Concurrency int
	Seed        uint64
	Mix         Mix
	// MaxBodyBytes is the receiver's max_request_body_size; oversize bodies exceed it by 1 MiB.
	MaxBodyBytes int
	Timeout      time.Duration
	// Acked receives the acknowledged log_ids of the events the pipeline forwards (failures
	// and warnings), once per event.
	Acked func(ids []string)
}

// Interval is what the driver saw during one sampling interval (and, summed, the run).
type Interval struct {
	Requests        int64            `json:"requests"`
	Status          map[string]int64 `json:"status"`
	TransportErrors int64            `json:"transport_errors"`
	Retries         int64            `json:"retries"`
	EventsSent      int64            `json:"events_sent"`
	EventsAcked     int64            `json:"events_acked"`
	EventsPerSecond float64          `json:"events_acked_per_second"`
	EventsGivenUp   int64            `json:"events_given_up"`
	// MalformedSent counts injected lines in batches answered 200; MalformedCounted is what
	// the receiver's answers said.
	MalformedSent    int64 `json:"malformed_lines_sent_in_acked_requests"`
	MalformedCounted int64 `json:"malformed_lines_counted_by_receiver"`
	Resent           int64 `json:"batches_resent"`
	ResentAllDups    int64 `json:"resent_batches_all_duplicates"`
	Unauth           int64 `json:"unauthenticated_requests"`
	Unauth401        int64 `json:"unauthenticated_answered_401"`
	Oversize         int64 `json:"oversize_requests"`
	Oversize413      int64 `json:"oversize_answered_413"`
	OversizeCut      int64 `json:"oversize_connection_closed"`
	Unexpected       int64 `json:"unexpected_answers"`
}

func (iv *Interval) add(o Interval) {
	iv.Requests += o.Requests
	if iv.Status == nil {
		iv.Status = map[string]int64{}
	}
	for k, v := range o.Status {
		iv.Status[k] += v
	}
	iv.TransportErrors += o.TransportErrors
	iv.Retries += o.Retries
	iv.EventsSent += o.EventsSent
	iv.EventsAcked += o.EventsAcked
	iv.EventsGivenUp += o.EventsGivenUp
	iv.MalformedSent += o.MalformedSent
	iv.MalformedCounted += o.MalformedCounted
	iv.Resent += o.Resent
	iv.ResentAllDups += o.ResentAllDups
	iv.Unauth += o.Unauth
	iv.Unauth401 += o.Unauth401
	iv.Oversize += o.Oversize
	iv.Oversize413 += o.Oversize413
	iv.OversizeCut += o.OversizeCut
	iv.Unexpected += o.Unexpected
}

type sbatch struct {
	ids       []string
	forwarded []string
	body      []byte
	malformed int
	resend    bool
	unauth    string // "", "wrong" or "missing"
}

// Driver sends the soak load until its context ends.
type Driver struct {
	cfg    DriverConfig
	client *http.Client

	mu        sync.Mutex
	cur       Interval
	latencies []time.Duration
	total     Interval
	examples  []string // the first unexpected answers, for the report
}

// NewDriver prepares a driver; its client keeps connections alive, as Auth0's sender does,
// which also keeps a long run from exhausting ephemeral ports with TIME_WAIT sockets.
func NewDriver(cfg DriverConfig) *Driver {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConns = cfg.Concurrency * 2
	tr.MaxIdleConnsPerHost = cfg.Concurrency * 2
	tr.ResponseHeaderTimeout = cfg.Timeout
	d := &Driver{cfg: cfg, client: &http.Client{Transport: tr, Timeout: cfg.Timeout}}
	d.cur.Status = map[string]int64{}
	return d
}

// CloseIdle closes kept-alive connections, so the collector's shutdown need not wait.
func (d *Driver) CloseIdle() { d.client.CloseIdleConnections() }

// Cut returns the interval since the last Cut and its normal-traffic latencies.
func (d *Driver) Cut(elapsed time.Duration) (Interval, []time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	iv, lats := d.cur, d.latencies
	if s := elapsed.Seconds(); s > 0 {
		iv.EventsPerSecond = float64(iv.EventsAcked) / s
	}
	d.total.add(iv)
	d.cur = Interval{Status: map[string]int64{}}
	d.latencies = nil
	return iv, lats
}

// Total is every interval cut so far.
func (d *Driver) Total() (Interval, []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.total, append([]string(nil), d.examples...)
}

func (d *Driver) record(f func(iv *Interval)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.cur)
}

func (d *Driver) unexpected(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cur.Unexpected++
	if len(d.examples) < 10 {
		d.examples = append(d.examples, fmt.Sprintf(format, args...))
	}
}

// Run sends until ctx ends, then lets the batches already handed out finish all their
// attempts. It returns when every sender is done.
func (d *Driver) Run(ctx context.Context) {
	batches := make(chan sbatch)
	var wg sync.WaitGroup
	for range d.cfg.Concurrency {
		wg.Go(func() {
			for b := range batches {
				d.deliver(b)
			}
		})
	}
	if d.cfg.Mix.OversizeEvery > 0 {
		wg.Go(func() { d.oversizeLoop(ctx) })
	}
	d.dispatch(ctx, batches)
	close(batches)
	wg.Wait()
}

// dispatch generates batches at the configured rate: batch k leaves when the events before
// it are due, so the average never runs ahead of the rate.
func (d *Driver) dispatch(ctx context.Context, out chan<- sbatch) {
	gen := auth0gen.New(int64(d.cfg.Seed), auth0gen.Options{Start: time.Now()})
	rnd := rand.New(rand.NewPCG(d.cfg.Seed, 0x50a4))
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var sent int64
	malformedNext := 0
	unauthNext := 0
	for ctx.Err() == nil {
		due := start.Add(time.Duration(float64(sent) / d.cfg.Rate * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		b := sbatch{ids: make([]string, 0, d.cfg.BatchSize)}
		var body bytes.Buffer
		for range d.cfg.BatchSize {
			e := gen.Next()
			b.ids = append(b.ids, e.LogID)
			if e.Outcome == auth0gen.Failure || e.Outcome == auth0gen.Warning {
				b.forwarded = append(b.forwarded, e.LogID)
			}
			body.Write(e.JSON)
			body.WriteByte('\n')
			if rnd.Float64() < d.cfg.Mix.MalformedLineRatio {
				body.WriteString(MalformedLines[malformedNext%len(MalformedLines)])
				body.WriteByte('\n')
				malformedNext++
				b.malformed++
			}
		}
		b.body = body.Bytes()
		b.resend = rnd.Float64() < d.cfg.Mix.ResendRatio
		if rnd.Float64() < d.cfg.Mix.UnauthRatio {
			b.unauth = []string{"wrong", "missing"}[unauthNext%2]
			unauthNext++
		}
		select {
		case <-ctx.Done():
			return
		case out <- b:
			sent += int64(len(b.ids))
		}
	}
}

// answer is the receiver's 200 body.
type answer struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Malformed  int `json:"malformed"`
}

// deliver sends one batch the way Auth0 does: up to three attempts, 500 ms then 1 s apart.
func (d *Driver) deliver(b sbatch) {
	n := int64(len(b.ids))
	d.record(func(iv *Interval) { iv.EventsSent += n })
	if b.unauth != "" {
		token := "not-the-stream-token"
		if b.unauth == "missing" {
			token = ""
		}
		status, _, err := d.post(b.body, token, false)
		d.record(func(iv *Interval) {
			iv.Unauth++
			if err == nil && status == http.StatusUnauthorized {
				iv.Unauth401++
			}
		})
		if err != nil || status != http.StatusUnauthorized {
			d.unexpected("%s token: status %d, error %v; want 401", b.unauth, status, err)
		}
	}
	backoff := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		status, body, err := d.post(b.body, d.cfg.Token, true)
		if err == nil && status == http.StatusOK {
			var a answer
			if jerr := json.Unmarshal(body, &a); jerr != nil || a.Accepted+a.Duplicates != len(b.ids)+b.malformed || a.Malformed != b.malformed {
				d.unexpected("200 %q for %d events and %d malformed lines", body, len(b.ids), b.malformed)
			}
			d.record(func(iv *Interval) {
				iv.EventsAcked += n
				iv.MalformedSent += int64(b.malformed)
				iv.MalformedCounted += int64(a.Malformed)
			})
			if d.cfg.Acked != nil {
				d.cfg.Acked(b.forwarded)
			}
			if b.resend {
				d.resend(b)
			}
			return
		}
		if err == nil && status != http.StatusServiceUnavailable {
			d.unexpected("batch answered %d: %q", status, body)
		}
		if attempt == 3 {
			d.record(func(iv *Interval) { iv.EventsGivenUp += n })
			return
		}
		d.record(func(iv *Interval) { iv.Retries++ })
		time.Sleep(backoff)
		backoff *= 2
	}
}

// resend sends an acknowledged batch again: all its events must be duplicates, and its
// malformed lines (which have no log_id) are accepted again.
func (d *Driver) resend(b sbatch) {
	status, body, err := d.post(b.body, d.cfg.Token, true)
	var a answer
	allDups := err == nil && status == http.StatusOK && json.Unmarshal(body, &a) == nil &&
		a.Duplicates == len(b.ids) && a.Accepted == b.malformed && a.Malformed == b.malformed
	d.record(func(iv *Interval) {
		iv.Resent++
		if allDups {
			iv.ResentAllDups++
			iv.MalformedSent += int64(b.malformed)
			iv.MalformedCounted += int64(a.Malformed)
		}
	})
	if !allDups && !(err == nil && status == http.StatusServiceUnavailable) {
		d.unexpected("re-sent batch: status %d %q, error %v; want 200 with %d duplicates", status, body, err, len(b.ids))
	}
}

// post sends one request; normal requests count towards the interval's status, errors and
// latency.
func (d *Driver) post(body []byte, token string, normal bool) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, d.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	t0 := time.Now()
	resp, err := d.client.Do(req)
	lat := time.Since(t0)
	var answer []byte
	status := 0
	if err == nil {
		answer, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		status = resp.StatusCode
	}
	if normal {
		d.record(func(iv *Interval) {
			iv.Requests++
			if err != nil {
				iv.TransportErrors++
			} else {
				iv.Status[strconv.Itoa(status)]++
			}
		})
		d.mu.Lock()
		d.latencies = append(d.latencies, lat)
		d.mu.Unlock()
	}
	return status, answer, err
}

// oversizeLoop sends a body 1 MiB over the limit every OversizeEvery.
func (d *Driver) oversizeLoop(ctx context.Context) {
	gen := auth0gen.New(int64(d.cfg.Seed)+7, auth0gen.Options{Start: time.Now()})
	var body []byte
	for len(body) <= d.cfg.MaxBodyBytes+1<<20 {
		e := gen.Next()
		body = append(append(body, e.JSON...), '\n')
	}
	// Its own client: the receiver closes the connection after a 413.
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	tick := time.NewTicker(d.cfg.Mix.OversizeEvery)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var r io.Reader = bytes.NewReader(body)
		chunked := i%2 == 1
		if chunked {
			r = io.MultiReader(r) // hides the length: sent chunked, refused at the limit
		}
		req, err := http.NewRequest(http.MethodPost, d.cfg.URL, r)
		if err != nil {
			d.unexpected("oversize request: %v", err)
			continue
		}
		req.Header.Set("Authorization", d.cfg.Token)
		resp, err := client.Do(req)
		status := 0
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			status = resp.StatusCode
		}
		d.record(func(iv *Interval) {
			iv.Oversize++
			switch {
			case err != nil:
				iv.OversizeCut++ // the server closed the connection while the body was sent
			case status == http.StatusRequestEntityTooLarge:
				iv.Oversize413++
			}
		})
		if err == nil && status != http.StatusRequestEntityTooLarge {
			d.unexpected("oversize body (chunked %v): status %d; want 413", chunked, status)
		}
	}
}
