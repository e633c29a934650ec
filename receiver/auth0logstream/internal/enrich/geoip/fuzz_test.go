// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package geoip

import (
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip/geoiptest"
)

// FuzzLookup checks, for any string, that a lookup adds only geo.*
// attributes, adds none for what is not a public address (even though the
// file has a record for a private network), and answers the same from the
// cache as from the file.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"81.2.69.142", "2001:218::1", "10.1.2.3", "::ffff:81.2.69.1", "fe80::1%eth0", "", "x", "1.1.1.1"} {
		f.Add(s)
	}
	path := filepath.Join(f.TempDir(), "fuzz.mmdb")
	geoiptest.Write(f, path, geoiptest.City, append([]geoiptest.Network{geoiptest.Private}, geoiptest.Sample...),
		geoiptest.Options{IncludeReserved: true})
	plain, err := Open(Options{Path: path, CheckInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = plain.Close() })
	cached, err := Open(Options{Path: path, CheckInterval: -1, CacheSize: 32})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = cached.Close() })
	f.Fuzz(func(t *testing.T, addr string) {
		a, b, c := pcommon.NewMap(), pcommon.NewMap(), pcommon.NewMap()
		plain.Lookup(addr, a)
		cached.Lookup(addr, b)
		cached.Lookup(addr, c)
		ra, rb, rc := a.AsRaw(), b.AsRaw(), c.AsRaw()
		if len(ra) != len(rb) || len(rb) != len(rc) {
			t.Fatalf("%q: answers differ: %v, %v (cached), %v (cached again)", addr, ra, rb, rc)
		}
		for k, v := range ra {
			if !strings.HasPrefix(k, "geo.") {
				t.Fatalf("%q: set %s", addr, k)
			}
			if rb[k] != v || rc[k] != v {
				t.Fatalf("%q: %s differs: %v, %v, %v", addr, k, v, rb[k], rc[k])
			}
		}
		if _, public := publicAddr(addr); !public && len(ra) > 0 {
			t.Fatalf("%q is not a public address but got %v", addr, ra)
		}
	})
}
