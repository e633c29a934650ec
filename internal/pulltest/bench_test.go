// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package pulltest

import (
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0emu"
	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

// BenchmarkBackfill measures how fast a pull-only receiver backfills
// against the emulator, beside the ceiling its request budget allows
// (page_size x max_requests_per_second). Each iteration is one backfill of
// backfillEvents events by a fresh receiver with a fresh checkpoint; run it
// with `make bench-pull` (-benchtime 2x).
func BenchmarkBackfill(b *testing.B) {
	const backfillEvents = 6000
	for _, rps := range []float64{5, 20, 50} {
		b.Run(fmt.Sprintf("page100_rps%g", rps), func(b *testing.B) {
			emu := auth0emu.New(auth0emu.Options{})
			if err := emu.Start("127.0.0.1:0"); err != nil {
				b.Fatal(err)
			}
			defer emu.Close()
			if _, err := emu.Generate(5, backfillEvents, auth0gen.Options{Start: time.Now().Add(-time.Hour)}); err != nil {
				b.Fatal(err)
			}
			var total time.Duration
			b.ResetTimer()
			for range b.N {
				sink := new(consumertest.LogsSink)
				cfg := config(b, pullOnly(emu, map[string]any{"page_size": 100, "max_requests_per_second": rps, "poll_interval": "10s"}))
				start0 := time.Now()
				stop := start(b, cfg, sink, memHost(), nil)
				deadline := start0.Add(5 * time.Minute)
				for sink.LogRecordCount() < backfillEvents {
					if time.Now().After(deadline) {
						b.Fatalf("backfill incomplete after 5 minutes: %d of %d", sink.LogRecordCount(), backfillEvents)
					}
					time.Sleep(2 * time.Millisecond)
				}
				total += time.Since(start0)
				b.StopTimer()
				stop()
				b.StartTimer()
			}
			rate := float64(backfillEvents*b.N) / total.Seconds()
			ceiling := 100 * rps
			b.ReportMetric(rate, "events/s")
			b.ReportMetric(ceiling, "ceiling_events/s")
			b.ReportMetric(rate/ceiling, "of_ceiling")
		})
	}
}
