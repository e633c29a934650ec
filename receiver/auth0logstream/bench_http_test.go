// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/fixtures"
)

// BenchmarkHTTP serves corpus batches through the receiver's real HTTP
// handler (gate, confighttp's chain, ingest, answer), as core's otlp
// receiver benchmarks its handlers. Deduplication is off, so every request
// does the full work. JSON Lines and JSON Array bodies of the same events
// alternate within every iteration, so that their ratio is taken under one
// machine load; the sink's record count is checked at the end.
//
//   - handler: in process, httptest.NewRecorder, no sockets.
//   - loopback: a started receiver on 127.0.0.1 and an http.Client without
//     keep-alives (a connection per request, as in the receiver's tests).
func BenchmarkHTTP(b *testing.B) {
	const n = 100
	events := fixtures.BenchCorpus(b, n)
	bodies := [2][]byte{
		bytes.Join(events, []byte("\n")),
		append(append([]byte("["), bytes.Join(events, []byte(","))...), ']'),
	}
	names := [2]string{"lines", "array"}

	var records atomic.Int64
	sink, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
		records.Add(int64(ld.LogRecordCount()))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	r := benchReceiver(b, false, sink)
	url := "http://" + r.cfg.ServerConfig.NetAddr.Endpoint + r.cfg.Path
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	b.Cleanup(client.CloseIdleConnections)

	serveHandler := func(b *testing.B, body []byte) {
		benchServe(b, r.server.Handler, body, testToken)
	}
	serveLoopback := func(b *testing.B, body []byte) {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", testToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var answer bytes.Buffer
		_, _ = answer.ReadFrom(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d: %s", resp.StatusCode, answer.String())
		}
	}

	for _, tc := range []struct {
		name  string
		serve func(*testing.B, []byte)
	}{{"handler", serveHandler}, {"loopback", serveLoopback}} {
		b.Run(fmt.Sprintf("%s/batch=%d", tc.name, n), func(b *testing.B) {
			records.Store(0)
			var spent [2]time.Duration
			var mallocs [2]uint64
			var ms runtime.MemStats
			for i := 0; b.Loop(); i++ {
				for k := range 2 {
					f := (i + k) % 2 // alternate which format goes first
					runtime.ReadMemStats(&ms)
					before := ms.Mallocs
					start := time.Now()
					tc.serve(b, bodies[f])
					spent[f] += time.Since(start)
					runtime.ReadMemStats(&ms)
					mallocs[f] += ms.Mallocs - before
				}
			}
			if got, want := records.Load(), int64(2*n*b.N); got != want {
				b.Fatalf("the sink got %d records, want %d", got, want)
			}
			perFormat := float64(b.N * n)
			for f := range 2 {
				b.ReportMetric(float64(spent[f].Nanoseconds())/perFormat, "ns/event-"+names[f])
				b.ReportMetric(float64(mallocs[f])/perFormat, "allocs/event-"+names[f])
			}
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "array/lines")
		})
	}
}
