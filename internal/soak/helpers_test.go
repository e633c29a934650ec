// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"context"
	"encoding/xml"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream"
)

func TestParseGoroutinesAndMedian(t *testing.T) {
	if n, err := parseGoroutineTotal("goroutine profile: total 57\n"); err != nil || n != 57 {
		t.Fatalf("goroutines %v %v", n, err)
	}
	if _, err := parseGoroutineTotal("<html>"); err == nil {
		t.Fatal("a page that is not a goroutine profile must be an error")
	}
	if m := median([]float64{5, 1, 3, 100}); m != 4 {
		t.Fatalf("median %v, want 4", m)
	}
}

// TestSinkCheckerFollowsRotation writes OTLP JSON lines the way the file exporter does,
// rotates the file in the middle of a line's life, and checks that every id is found once,
// that an id seen before its acknowledgement still counts, and that read backups are deleted.
func TestSinkCheckerFollowsRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "received.jsonl")
	line := func(ids ...string) string {
		var recs []string
		for _, id := range ids {
			recs = append(recs, `{"body":{"stringValue":"x"},"attributes":[{"key":"log.record.uid","value":{"stringValue":"`+id+`"}}]}`)
		}
		recs = append(recs, `{"body":{"stringValue":"bad"},"attributes":[{"key":"auth0.parse_error","value":{"stringValue":"e"}}]}`)
		return `{"resourceLogs":[{"resource":{},"scopeLogs":[{"scope":{},"logRecords":[` + strings.Join(recs, ",") + `]}]}]}` + "\n"
	}
	appendTo := func(p, s string) {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	c := NewSinkChecker(path)
	c.Acked([]string{"a1", "a2", "a3", "a4", "a5"})
	appendTo(path, line("a1", "a2"))
	half := line("a3")
	appendTo(path, half[:20]) // an export still being written
	if err := c.Poll(); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Counts(10); n.Missing != 3 || n.Records != 2 {
		t.Fatalf("after the first poll: %+v", n)
	}
	appendTo(path, half[20:])
	// Rotation: the file is renamed, a new one takes its name.
	backup := filepath.Join(dir, "received-2026-01-01T00-00-00.000-size.jsonl")
	if err := os.Rename(path, backup); err != nil {
		t.Fatal(err)
	}
	appendTo(path, line("a4", "early"))
	if err := c.Poll(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Fatalf("the backup read to its end must be deleted: %v", err)
	}
	c.Acked([]string{"early"})
	appendTo(path, line("a5"))
	if err := c.Poll(); err != nil {
		t.Fatal(err)
	}
	n, missing := c.Counts(10)
	if n.Missing != 0 || n.Records != 6 || n.ParseErrors != 4 || n.Acked != 6 {
		t.Fatalf("at the end: %+v, missing %v", n, missing)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the active file must stay: %v", err)
	}
}

func TestChartSVG(t *testing.T) {
	var xs, flat, up []float64
	for s := 0.0; s <= 300; s += 15 {
		xs = append(xs, s)
		flat = append(flat, 10+float64(int(s/15)%2))
		up = append(up, 10+s/6)
	}
	trFlat := LastQuarterTrend("flat", "MiB", xs, flat, 300, 1)
	trUp := LastQuarterTrend("up", "MiB", []float64{225, 240, 255, 270, 285, 300}, []float64{1, 2, 3, 4, 5, 6}, 300, 0.1)
	svg := ChartSVG("soak <test>", 300, []Panel{
		{Title: "flat", Unit: "MiB", Xs: xs, Ys: flat, Trend: &trFlat},
		{Title: "up", Unit: "MiB", Xs: xs, Ys: up, Trend: &trUp},
		{Title: "shown only", Unit: "events/s", Xs: xs, Ys: up},
	})
	dec := xml.NewDecoder(strings.NewReader(svg))
	polylines := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			polylines++
		}
	}
	if polylines != 3 {
		t.Errorf("%d polylines, want 3", polylines)
	}
	if !trFlat.Pass || trUp.Pass {
		t.Fatalf("test data: flat %+v, up %+v", trFlat, trUp)
	}
	if !strings.Contains(svg, "soak &lt;test&gt;") || !strings.Contains(svg, "FAIL") || !strings.Contains(svg, ", pass") {
		t.Errorf("title escaping or verdicts missing:\n%s", svg)
	}
}

// TestDriverAgainstReceiver runs the soak driver for two seconds against the real receiver
// in-process, with every kind of extra traffic made frequent: nothing unexpected, each kind
// answered as it should be, malformed lines counted once each, and every acknowledged
// forwarded event in the pipeline.
func TestDriverAgainstReceiver(t *testing.T) {
	f := auth0logstream.NewFactory()
	cfg := f.CreateDefaultConfig().(*auth0logstream.Config)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg.ServerConfig.NetAddr.Endpoint = addr
	cfg.AuthorizationToken = "driver-test-token"
	const limit = 256 << 10
	cfg.ServerConfig.MaxRequestBodySize = limit
	sink := &consumertest.LogsSink{}
	rcv, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := rcv.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acked []string
	d := NewDriver(DriverConfig{
		URL: "http://" + addr + cfg.Path, Token: "driver-test-token",
		Rate: 2000, BatchSize: 50, Concurrency: 4, Seed: 3,
		Mix:          Mix{MalformedLineRatio: 0.05, ResendRatio: 0.2, UnauthRatio: 0.2, OversizeEvery: 300 * time.Millisecond},
		MaxBodyBytes: limit, Timeout: 10 * time.Second,
		Acked: func(ids []string) { mu.Lock(); acked = append(acked, ids...); mu.Unlock() },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	d.Run(ctx)
	cancel()
	d.CloseIdle()
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := rcv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	d.Cut(2 * time.Second)
	tot, examples := d.Total()
	t.Logf("%+v", tot)
	if tot.Unexpected != 0 {
		t.Errorf("%d unexpected answers: %v", tot.Unexpected, examples)
	}
	if tot.MalformedSent == 0 || tot.MalformedSent != tot.MalformedCounted {
		t.Errorf("malformed lines: sent %d, counted by the receiver %d", tot.MalformedSent, tot.MalformedCounted)
	}
	if tot.Resent == 0 || tot.Resent != tot.ResentAllDups {
		t.Errorf("re-sent batches %d, answered all duplicates %d", tot.Resent, tot.ResentAllDups)
	}
	if tot.Unauth == 0 || tot.Unauth != tot.Unauth401 {
		t.Errorf("unauthenticated %d, answered 401 %d", tot.Unauth, tot.Unauth401)
	}
	if tot.Oversize == 0 || tot.Oversize != tot.Oversize413+tot.OversizeCut {
		t.Errorf("oversize %d, 413 %d, cut %d", tot.Oversize, tot.Oversize413, tot.OversizeCut)
	}
	if tot.EventsAcked == 0 || tot.EventsAcked+tot.EventsGivenUp != tot.EventsSent {
		t.Errorf("events sent %d, acked %d, given up %d", tot.EventsSent, tot.EventsAcked, tot.EventsGivenUp)
	}
	got := map[string]bool{}
	for _, ld := range sink.AllLogs() {
		for i := range ld.ResourceLogs().Len() {
			sl := ld.ResourceLogs().At(i).ScopeLogs()
			for j := range sl.Len() {
				recs := sl.At(j).LogRecords()
				for k := range recs.Len() {
					if v, ok := recs.At(k).Attributes().Get("log.record.uid"); ok {
						got[v.Str()] = true
					}
				}
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(acked) == 0 {
		t.Fatal("no forwarded event was acknowledged")
	}
	for _, id := range acked {
		if !got[id] {
			t.Fatalf("acknowledged %s is not in the pipeline", id)
		}
	}
}
