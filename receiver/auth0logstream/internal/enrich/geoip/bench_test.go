// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package geoip

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip/geoiptest"
)

// benchNetworks makes a file closer to a real City edition than the test
// sample: tens of thousands of networks (GeoLite2-City has millions, so its
// tree is deeper still; the decode cost per record is the same).
func benchNetworks(r *rand.Rand, n int) ([]geoiptest.Network, []string) {
	nets := make([]geoiptest.Network, 0, n)
	var addrs []string
	seen := map[string]bool{}
	for len(nets) < n {
		var cidr, addr string
		if len(nets)%5 == 0 {
			a := netip.AddrFrom16([16]byte{0x2a, 0x00, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
			cidr, addr = fmt.Sprintf("%s/48", a), a.Next().String()
		} else {
			a := netip.AddrFrom4([4]byte{byte(1 + r.IntN(9)), byte(r.IntN(256)), byte(r.IntN(256)), 0})
			cidr, addr = fmt.Sprintf("%s/24", a), a.Next().String()
		}
		if seen[cidr] {
			continue
		}
		seen[cidr] = true
		i := len(nets)
		nets = append(nets, geoiptest.Network{
			CIDR: cidr, Continent: "EU", Country: "GB", Subdivision: "ENG",
			City: fmt.Sprintf("City %d", i%5000), Postal: fmt.Sprintf("P%d", i%5000),
			Lat: float64(i%90) + 0.5, Lon: float64(i%180) + 0.25,
		})
		addrs = append(addrs, addr)
	}
	return nets, addrs
}

// BenchmarkLookup answers whether the address cache pays: the same lookups
// with and without it, for traffic that repeats a few addresses (a burst of
// failed logins, one office's users) and for traffic where every address
// is new (the cache's worst case: a miss plus an insertion every time).
func BenchmarkLookup(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	nets, addrs := benchNetworks(r, 50_000)
	path := filepath.Join(b.TempDir(), "bench.mmdb")
	geoiptest.Write(b, path, geoiptest.City, nets, geoiptest.Options{})
	traffic := map[string][]string{
		"repeat64": addrs[:64],
		"unique":   addrs,
	}
	for _, tname := range []string{"repeat64", "unique"} {
		for _, cache := range []int{0, DefaultCacheSize} {
			b.Run(fmt.Sprintf("traffic=%s/cache=%d", tname, cache), func(b *testing.B) {
				db, err := Open(Options{Path: path, CheckInterval: -1, CacheSize: cache})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				list := traffic[tname]
				var attrs pcommon.Map
				i := 0
				b.ReportAllocs()
				for b.Loop() {
					// A fresh map as each record has, with room for the
					// answer: growing it is not the lookup's cost.
					attrs = pcommon.NewMap()
					attrs.EnsureCapacity(8)
					db.Lookup(list[i%len(list)], attrs)
					i++
				}
				if attrs.Len() != 7 {
					b.Fatalf("lookup set %d attributes, want 7", attrs.Len())
				}
			})
		}
	}
}

// BenchmarkLookupParallel is the cached path from both cores at once: the
// cache's lock is shared, the database's reader is not locked at all.
func BenchmarkLookupParallel(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	nets, addrs := benchNetworks(r, 50_000)
	path := filepath.Join(b.TempDir(), "bench.mmdb")
	geoiptest.Write(b, path, geoiptest.City, nets, geoiptest.Options{})
	for _, cache := range []int{0, DefaultCacheSize} {
		b.Run(fmt.Sprintf("traffic=repeat64/cache=%d", cache), func(b *testing.B) {
			db, err := Open(Options{Path: path, CheckInterval: -1, CacheSize: cache})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					attrs := pcommon.NewMap()
					attrs.EnsureCapacity(8)
					db.Lookup(addrs[i%64], attrs)
					i++
				}
			})
		})
	}
}
