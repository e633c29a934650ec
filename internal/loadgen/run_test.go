// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

// sink is a test endpoint that records what it receives and answers with
// the status its policy picks for each request.
type sink struct {
	mu       sync.Mutex
	requests int
	auth     []string
	ctype    []string
	seen     map[string]int // body -> attempts seen
	accepted []string       // log_ids answered with 2xx
	policy   func(body string, attempt int, ids []string) int
}

func newSink(t *testing.T, policy func(body string, attempt int, ids []string) int) (*sink, *httptest.Server) {
	s := &sink{seen: map[string]int{}, policy: policy}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	ids, err := logIDs(body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests++
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.ctype = append(s.ctype, r.Header.Get("Content-Type"))
	s.seen[string(body)]++
	status := http.StatusOK
	if s.policy != nil {
		status = s.policy(string(body), s.seen[string(body)], ids)
	}
	if status/100 == 2 {
		s.accepted = append(s.accepted, ids...)
	}
	s.mu.Unlock()
	w.WriteHeader(status)
}

// logIDs reads log_ids from a body in any of the three formats.
func logIDs(body []byte) ([]string, error) {
	var ids []string
	if bytes.HasPrefix(body, []byte("[")) {
		var arr []struct {
			LogID string `json:"log_id"`
		}
		if err := json.Unmarshal(body, &arr); err != nil {
			return nil, err
		}
		for _, e := range arr {
			ids = append(ids, e.LogID)
		}
		return ids, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		var e struct {
			LogID string `json:"log_id"`
		}
		if err := dec.Decode(&e); err == io.EOF {
			return ids, nil
		} else if err != nil {
			return nil, err
		}
		ids = append(ids, e.LogID)
	}
}

func baseConfig(url string) Config {
	return Config{
		URL:               url,
		Seed:              1,
		Backoff:           time.Millisecond,
		Timeout:           5 * time.Second,
		DisableKeepAlives: true,
	}
}

func TestCountsPerFormat(t *testing.T) {
	cases := []struct {
		format        auth0gen.Format
		events, batch int
		wantRequests  int
	}{
		{auth0gen.JSONLines, 1050, 100, 11},
		{auth0gen.JSONArray, 1050, 100, 11},
		{auth0gen.JSONObject, 25, 1, 25},
	}
	for _, tc := range cases {
		t.Run(tc.format.String(), func(t *testing.T) {
			s, srv := newSink(t, nil)
			cfg := baseConfig(srv.URL + "/api/logs")
			cfg.Format, cfg.Events, cfg.BatchSize, cfg.Concurrency = tc.format, tc.events, tc.batch, 3
			cfg.Token = "Bearer  raw token"
			cfg.ContentType = "application/x-ndjson"
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if rep.EventsSent != int64(tc.events) || rep.EventsAcked != int64(tc.events) {
				t.Fatalf("sent %d acked %d, want %d", rep.EventsSent, rep.EventsAcked, tc.events)
			}
			if rep.Requests != int64(tc.wantRequests) || rep.StatusCounts[200] != int64(tc.wantRequests) {
				t.Fatalf("requests %d, status %v; want %d x 200", rep.Requests, rep.StatusCounts, tc.wantRequests)
			}
			if rep.Retries != 0 || rep.EventsGivenUp != 0 || rep.TransportErrors != 0 {
				t.Fatalf("unexpected failures: %+v", rep)
			}
			if rep.LatencyMax <= 0 || rep.LatencyP50 > rep.LatencyP99 || rep.LatencyP99 > rep.LatencyMax {
				t.Fatalf("latencies out of order: p50 %v p99 %v max %v", rep.LatencyP50, rep.LatencyP99, rep.LatencyMax)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			unique := map[string]bool{}
			for _, id := range s.accepted {
				unique[id] = true
			}
			if len(unique) != tc.events || len(s.accepted) != tc.events {
				t.Fatalf("server got %d ids (%d unique), want %d", len(s.accepted), len(unique), tc.events)
			}
			for i := range s.auth {
				if s.auth[i] != cfg.Token || s.ctype[i] != cfg.ContentType {
					t.Fatalf("request %d: Authorization %q Content-Type %q", i, s.auth[i], s.ctype[i])
				}
			}
		})
	}
}

func TestNoTokenNoAuthorizationHeader(t *testing.T) {
	s, srv := newSink(t, nil)
	cfg := baseConfig(srv.URL)
	cfg.Events = 10
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if len(s.auth) != 1 || s.auth[0] != "" {
		t.Fatalf("Authorization headers %q, want one empty", s.auth)
	}
}

func TestRetryAfterFirstFailure(t *testing.T) {
	s, srv := newSink(t, func(_ string, attempt int, _ []string) int {
		if attempt == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	cfg := baseConfig(srv.URL)
	cfg.Events, cfg.BatchSize = 500, 50
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsAcked != 500 || rep.EventsGivenUp != 0 {
		t.Fatalf("acked %d given up %d, want 500 and 0", rep.EventsAcked, rep.EventsGivenUp)
	}
	if rep.Retries != 10 || rep.StatusCounts[500] != 10 || rep.StatusCounts[200] != 10 {
		t.Fatalf("retries %d status %v, want 10 retries, 10x500, 10x200", rep.Retries, rep.StatusCounts)
	}
	if len(s.accepted) != 500 {
		t.Fatalf("server accepted %d ids, want 500", len(s.accepted))
	}
}

func TestGiveUpAfterThreeAttempts(t *testing.T) {
	s, srv := newSink(t, func(string, int, []string) int { return http.StatusServiceUnavailable })
	var acked bytes.Buffer
	cfg := baseConfig(srv.URL)
	cfg.Events, cfg.BatchSize, cfg.Acked = 40, 10, &acked
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsGivenUp != 40 || rep.EventsAcked != 0 {
		t.Fatalf("given up %d acked %d, want 40 and 0", rep.EventsGivenUp, rep.EventsAcked)
	}
	if rep.Requests != 12 || rep.StatusCounts[503] != 12 || rep.Retries != 8 {
		t.Fatalf("requests %d retries %d status %v, want 12 requests (3 per batch), 8 retries", rep.Requests, rep.Retries, rep.StatusCounts)
	}
	for body, n := range s.seen {
		if n != 3 {
			t.Fatalf("a batch was tried %d times, want 3: %.60s", n, body)
		}
	}
	if acked.Len() != 0 {
		t.Fatalf("acked file holds %q, want nothing", acked.String())
	}
}

func TestAckedFileHoldsExactlyAckedIDs(t *testing.T) {
	// Batches whose first id ends in an odd digit are always refused, so
	// some batches are acked and some given up.
	s, srv := newSink(t, func(_ string, _ int, ids []string) int {
		last := ids[0][len(ids[0])-1]
		if (last-'0')%2 == 1 {
			return http.StatusBadGateway
		}
		return http.StatusOK
	})
	var acked bytes.Buffer
	cfg := baseConfig(srv.URL)
	cfg.Events, cfg.BatchSize, cfg.Concurrency, cfg.Acked = 700, 7, 4, &acked
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsAcked == 0 || rep.EventsGivenUp == 0 || rep.EventsAcked+rep.EventsGivenUp != 700 {
		t.Fatalf("acked %d given up %d: want both non-zero, summing to 700", rep.EventsAcked, rep.EventsGivenUp)
	}
	var lines []string
	sc := bufio.NewScanner(&acked)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if int64(len(lines)) != rep.EventsAcked {
		t.Fatalf("acked file has %d lines, report says %d acked", len(lines), rep.EventsAcked)
	}
	fromServer := map[string]bool{}
	for _, id := range s.accepted {
		fromServer[id] = true
	}
	fromFile := map[string]bool{}
	for _, id := range lines {
		if !fromServer[id] {
			t.Fatalf("acked file lists %s, which the server never accepted", id)
		}
		fromFile[id] = true
	}
	if len(fromFile) != len(fromServer) {
		t.Fatalf("acked file has %d distinct ids, server accepted %d", len(fromFile), len(fromServer))
	}
}

func TestTransportErrorsAreRetriedThenGivenUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial is refused
	cfg := baseConfig("http://" + addr + "/api/logs")
	cfg.Events, cfg.BatchSize = 20, 10
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TransportErrors != 6 || rep.EventsGivenUp != 20 || rep.Retries != 4 {
		t.Fatalf("transport errors %d given up %d retries %d, want 6, 20, 4", rep.TransportErrors, rep.EventsGivenUp, rep.Retries)
	}
}

func TestRateLimitBoundsCount(t *testing.T) {
	_, srv := newSink(t, nil)
	cfg := baseConfig(srv.URL)
	cfg.Events, cfg.BatchSize, cfg.Rate, cfg.Duration = 100_000, 10, 200, 250*time.Millisecond
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 200 events/s for 0.25 s is 50 events; a batch due exactly at the
	// deadline may still leave, so at most one more batch.
	if rep.EventsSent < 10 || rep.EventsSent > 60 {
		t.Fatalf("sent %d events, want between 10 and 60 at 200/s for 250ms", rep.EventsSent)
	}
	if rep.EventsAcked != rep.EventsSent {
		t.Fatalf("acked %d of %d", rep.EventsAcked, rep.EventsSent)
	}
}

func TestDurationBoundStopsUnlimitedCount(t *testing.T) {
	s, srv := newSink(t, nil)
	cfg := baseConfig(srv.URL)
	cfg.Duration, cfg.BatchSize = 200*time.Millisecond, 20
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsSent == 0 || rep.EventsSent%20 != 0 {
		t.Fatalf("sent %d events, want a positive multiple of the batch", rep.EventsSent)
	}
	if rep.EventsAcked != rep.EventsSent || rep.EventsAborted != 0 {
		t.Fatalf("in-flight batches were not finished: %+v", rep)
	}
	if int64(len(s.accepted)) != rep.EventsAcked {
		t.Fatalf("server accepted %d, report says %d", len(s.accepted), rep.EventsAcked)
	}
}

func TestCancelAbortsInFlight(t *testing.T) {
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client hang-up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case arrived <- struct{}{}:
		default:
		}
		select { // hold the request until the client gives up
		case <-r.Context().Done():
		case <-release:
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	cfg := baseConfig(srv.URL)
	cfg.Events, cfg.BatchSize, cfg.Concurrency = 1000, 10, 2
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsAborted == 0 || rep.EventsAcked != 0 {
		t.Fatalf("aborted %d acked %d, want some aborted, none acked", rep.EventsAborted, rep.EventsAcked)
	}
	if rep.EventsSent != rep.EventsAborted+rep.EventsGivenUp || rep.EventsSent >= 1000 {
		t.Fatalf("sent %d aborted %d given up %d", rep.EventsSent, rep.EventsAborted, rep.EventsGivenUp)
	}
	if rep.TransportErrors != 0 {
		t.Fatalf("cancellation counted as %d transport errors", rep.TransportErrors)
	}
}

func TestConfigRejected(t *testing.T) {
	for name, cfg := range map[string]Config{
		"unbounded":      {URL: "http://127.0.0.1:1/x"},
		"bad url":        {URL: "127.0.0.1:8383", Events: 1},
		"negative batch": {Events: 1, BatchSize: -1},
		"bad format":     {Events: 1, Format: auth0gen.Format(9)},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%s: Run accepted the config", name)
		}
	}
}

func TestReportOutputs(t *testing.T) {
	rep := merge([]workerStats{
		{requests: 3, acked: 20, status: map[int]int64{200: 2, 503: 1}, latencies: []time.Duration{3 * time.Millisecond, time.Millisecond}},
		{requests: 1, givenUp: 10, transportErrors: 1, status: map[int]int64{}, latencies: []time.Duration{2 * time.Millisecond}},
	})
	if rep.LatencyP50 != 2*time.Millisecond || rep.LatencyMax != 3*time.Millisecond || rep.StatusCounts[200] != 2 {
		t.Fatalf("merge: %+v", rep)
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	codes, _ := back["status_counts"].(map[string]any)
	if codes["503"] != 1.0 || back["latency_max_ms"] != 3.0 || back["events_given_up"] != 10.0 {
		t.Fatalf("JSON report: %s", raw)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"200=2 503=1", "given_up=10", "transport errors 1", "p99=3.00ms"} {
		if !strings.Contains(text.String(), want) {
			t.Fatalf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

func TestPercentileNearestRank(t *testing.T) {
	var v []time.Duration
	for i := 1; i <= 200; i++ {
		v = append(v, time.Duration(i))
	}
	if p := Percentile(v, 50); p != 100 {
		t.Fatalf("p50 of 1..200 = %d, want 100", p)
	}
	if p := Percentile(v, 99); p != 198 {
		t.Fatalf("p99 of 1..200 = %d, want 198", p)
	}
	if p := Percentile(v[:1], 99); p != 1 {
		t.Fatalf("p99 of one sample = %d, want that sample", p)
	}
	if Percentile(nil, 99) != 0 {
		t.Fatal("percentile of nothing is not 0")
	}
}
