// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package auth0logstream

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip/geoiptest"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/useragent"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/fixtures"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

// writeBenchGeoDB writes a City database with a record for every /16 of
// the IPv4 space the generator draws from and for its IPv6 prefixes, so that
// every generated address is found and decoded, as with a real City file.
func writeBenchGeoDB(b *testing.B) string {
	b.Helper()
	nets := make([]geoiptest.Network, 0, 224*256+8)
	for a := 1; a < 224; a++ {
		for b := range 256 {
			i := a*256 + b
			nets = append(nets, geoiptest.Network{
				CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a), byte(b), 0, 0}), 16).String(), Continent: "EU",
				Country: "GB", Subdivision: "ENG", City: fmt.Sprintf("City %d", i%3000), Postal: fmt.Sprintf("P%d", i%3000),
				Lat: float64(i%89) + 0.5, Lon: float64(i%179) + 0.25,
			})
		}
	}
	for _, p := range []string{"2a02:c7c::/32", "2001:db8::/32", "2600:1700::/32", "2a01:e0a::/32", "2406:da14::/32"} {
		nets = append(nets, geoiptest.Network{CIDR: p, Continent: "EU", Country: "DE", Subdivision: "HE",
			City: "Frankfurt am Main", Postal: "60311", Lat: 50.1188, Lon: 8.6843})
	}
	path := filepath.Join(b.TempDir(), "bench-city.mmdb")
	geoiptest.Write(b, path, geoiptest.City, nets, geoiptest.Options{IncludeReserved: true})
	return path
}

// BenchmarkEnrich is decode+translate of a 100-event JSON Lines body with
// each part of the enrichment on, against the same body with enrichment off,
// in one run. The Management API mapping is always on, so every variant
// includes it. The machine is shared and its load drifts, so every iteration
// runs both, off and on, in alternating order, and each is timed in CPU time
// of this process (getrusage: what waiting for the CPU does not inflate, GC
// workers included). The benchmark reports the median of the per-iteration
// ratios on/off ("x-off"; a median, because a preemption or a GC cycle lands
// on one side of a pair) beside each side's mean CPU ns/event: each ratio
// compares measurements taken a millisecond apart. `make bench` prints the
// table. The generator's user agents repeat, as a stream's do, so after the
// first request the parser answers from its cache; its addresses repeat across
// iterations too, so geoip (default cache) measures cached answers and
// geoip-nocache a decoded record for every event.
func BenchmarkEnrich(b *testing.B) {
	dbPath := writeBenchGeoDB(b)
	const n = 100
	body := bytes.Join(fixtures.BenchCorpus(b, n), []byte("\n"))
	variants := []struct {
		name      string
		ua        bool
		geo       bool
		geoCache  int
		wantGeo   bool
		wantAgent bool
	}{
		{name: "mgmt"},
		{name: "useragent", ua: true, wantAgent: true},
		{name: "geoip", geo: true, geoCache: geoip.DefaultCacheSize, wantGeo: true},
		{name: "geoip-nocache", geo: true, wantGeo: true},
		{name: "all", ua: true, geo: true, geoCache: geoip.DefaultCacheSize, wantGeo: true, wantAgent: true},
	}
	for _, v := range variants {
		b.Run(fmt.Sprintf("enrich=%s/batch=%d", v.name, n), func(b *testing.B) {
			e := &enricher{}
			if v.ua {
				p, err := useragent.New(useragent.Options{CacheSize: useragent.DefaultCacheSize, MaxParsesPerSecond: useragent.DefaultMaxParsesPerSecond})
				if err != nil {
					b.Fatal(err)
				}
				e.ua = p
			}
			if v.geo {
				db, err := geoip.Open(geoip.Options{Path: dbPath, CheckInterval: -1, CacheSize: v.geoCache})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				e.geo = db
			}
			off, on := newEnrichBench(b, body, nil), newEnrichBench(b, body, e)
			checkEnriched(b, on.run(), v.wantGeo, v.wantAgent) // also warms the caches
			checkEnriched(b, off.run(), false, false)
			b.ReportAllocs()
			var offNs, onNs int64
			var ratios []float64
			i := 0
			for b.Loop() {
				first, second := off, on
				if i%2 == 1 {
					first, second = on, off
				}
				t0 := cpuNanos(b)
				first.run()
				t1 := cpuNanos(b)
				second.run()
				t2 := cpuNanos(b)
				offD, onD := t1-t0, t2-t1
				if first == on {
					offD, onD = onD, offD
				}
				offNs, onNs = offNs+offD, onNs+onD
				if offD > 0 {
					ratios = append(ratios, float64(onD)/float64(offD))
				}
				i++
			}
			b.ReportMetric(float64(onNs)/float64(i*n), "cpu-ns/event")
			b.ReportMetric(float64(offNs)/float64(i*n), "off-cpu-ns/event")
			slices.Sort(ratios)
			if len(ratios) > 0 {
				b.ReportMetric(ratios[len(ratios)/2], "x-off")
			}
		})
	}
}

// enrichBench is one receiver path, scanner to batch, over one body.
type enrichBench struct {
	b    *testing.B
	body []byte
	rd   *bytes.Reader
	sc   *jsonframe.Scanner
	bat  *translator.Batch
	last plog.Logs
}

func newEnrichBench(b *testing.B, body []byte, e *enricher) *enrichBench {
	var en translator.Enricher
	if e != nil {
		en = e
	}
	return &enrichBench{
		b: b, body: body, rd: bytes.NewReader(body), sc: jsonframe.NewScanner(jsonpdata.Valid),
		bat: translator.NewBatch(translator.New(translator.BodyEvent, en), nil, "bench", "bench"),
	}
}

func (eb *enrichBench) run() plog.Logs {
	eb.rd.Reset(eb.body)
	eb.bat.Reset(context.Background(), func(_ context.Context, ld plog.Logs) error { eb.last = ld; return nil }, 1)
	eb.sc.Reset(eb.rd)
	if err := eb.bat.ReadAll(eb.sc); err != nil {
		eb.b.Fatal(err)
	}
	return eb.last
}

func checkEnriched(b *testing.B, ld plog.Logs, wantGeo, wantAgent bool) {
	b.Helper()
	geo, agent := 0, 0
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		lrs := rls.At(i).ScopeLogs().At(0).LogRecords()
		for j := range lrs.Len() {
			attrs := lrs.At(j).Attributes()
			if _, ok := attrs.Get(geoip.AttrPostalCode); ok { // only the database sets it
				geo++
			}
			if _, ok := attrs.Get(useragent.AttrName); ok {
				agent++
			}
		}
	}
	if (geo > 0) != wantGeo || (agent > 0) != wantAgent {
		b.Fatalf("records with a postal code: %d, with a user agent name: %d; want geo %v, agent %v", geo, agent, wantGeo, wantAgent)
	}
}

// cpuNanos is the CPU time this process has used, user and system.
func cpuNanos(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
