// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/fixtures"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

// benchHandler starts a receiver (the inspector on or off) and returns its
// full HTTP handler: gate, confighttp's chain and ingest, exactly what the
// server runs. Requests are then served in process, without sockets, so the
// comparison is not drowned in loopback noise.
func benchHandler(b *testing.B, inspectorOn bool) http.Handler {
	return benchReceiver(b, inspectorOn, consumertest.NewNop()).server.Handler
}

// benchReceiver starts a receiver with deduplication off, so every request
// does the full work, and the inspector on or off; it stops at cleanup.
func benchReceiver(b testing.TB, inspectorOn bool, next consumer.Logs) *logsReceiver {
	b.Helper()
	cfg := testConfig(b)
	cfg.Deduplication.Enabled = false
	if inspectorOn {
		cfg.Inspector.Endpoint = freeLocalAddr(b)
	}
	r, err := newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), next)
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Shutdown(ctx)
	})
	if (r.inspector != nil) != inspectorOn {
		b.Fatal("inspector state differs from the configuration")
	}
	return r
}

func benchServe(b testing.TB, h http.Handler, body []byte, token string) {
	req := httptest.NewRequest(http.MethodPost, "/api/logs", bytes.NewReader(body))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	want := http.StatusOK
	if token != testToken {
		want = http.StatusUnauthorized
	}
	if rr.Code != want {
		b.Fatalf("status %d, want %d: %s", rr.Code, want, rr.Body)
	}
}

// BenchmarkInspectorOverhead serves the same request through a receiver
// with the inspector off and one with it on, alternating within every
// iteration, and reports both costs and their ratio from the same run. The
// parallel case runs one goroutine per GOMAXPROCS, all committing to the
// same ring, which is where the inspector's lock could show.
func BenchmarkInspectorOverhead(b *testing.B) {
	off, on := benchHandler(b, false), benchHandler(b, true)
	for _, tc := range []struct {
		name  string
		n     int
		token string
	}{
		{"accepted/batch=1", 1, testToken},
		{"accepted/batch=100", 100, testToken},
		{"unauthorized/batch=1", 1, "wrong"},
	} {
		body := bytes.Join(fixtures.BenchCorpus(b, tc.n), []byte("\n"))
		b.Run(tc.name+"/serial", func(b *testing.B) {
			var tOff, tOn time.Duration
			for i := 0; b.Loop(); i++ {
				// Alternate which goes first, so neither always runs warm.
				first, second := off, on
				if i%2 == 1 {
					first, second = on, off
				}
				t0 := time.Now()
				benchServe(b, first, body, tc.token)
				t1 := time.Now()
				benchServe(b, second, body, tc.token)
				t2 := time.Now()
				if i%2 == 0 {
					tOff, tOn = tOff+t1.Sub(t0), tOn+t2.Sub(t1)
				} else {
					tOn, tOff = tOn+t1.Sub(t0), tOff+t2.Sub(t1)
				}
			}
			reportOverhead(b, tOff, tOn, int64(b.N))
		})
		b.Run(tc.name+"/parallel", func(b *testing.B) {
			var sumOff, sumOn, count atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				var tOff, tOn time.Duration
				var n int64
				for pb.Next() {
					t0 := time.Now()
					benchServe(b, off, body, tc.token)
					t1 := time.Now()
					benchServe(b, on, body, tc.token)
					t2 := time.Now()
					tOff, tOn, n = tOff+t1.Sub(t0), tOn+t2.Sub(t1), n+1
				}
				sumOff.Add(int64(tOff))
				sumOn.Add(int64(tOn))
				count.Add(n)
			})
			reportOverhead(b, time.Duration(sumOff.Load()), time.Duration(sumOn.Load()), count.Load())
		})
	}
}

func reportOverhead(b *testing.B, off, on time.Duration, n int64) {
	if n == 0 || off == 0 {
		return
	}
	b.ReportMetric(float64(off.Nanoseconds())/float64(n), "off-ns/req")
	b.ReportMetric(float64(on.Nanoseconds())/float64(n), "on-ns/req")
	b.ReportMetric(float64(on)/float64(off), "on/off")
}

// TestInspectorBenchmarkHandlersRecord checks that the benchmark compares
// what it says: the "on" handler records every request, the "off" one has
// no inspector at all.
func TestInspectorBenchmarkHandlersRecord(t *testing.T) {
	on, off := benchReceiver(t, true, consumertest.NewNop()), benchReceiver(t, false, consumertest.NewNop())
	body := bytes.Join(fixtures.BenchCorpus(t, 3), []byte("\n"))
	for range 5 {
		benchServe(t, on.server.Handler, body, testToken)
		benchServe(t, off.server.Handler, body, "wrong")
	}
	views, total := on.inspector.Snapshot()
	if total != 5 || len(views) != 5 || views[0].Accepted != 3 || views[0].Sample == nil {
		t.Fatalf("inspector recorded %d requests: %+v", total, views)
	}
	if off.inspector != nil {
		t.Fatal("the off receiver has an inspector")
	}
}
