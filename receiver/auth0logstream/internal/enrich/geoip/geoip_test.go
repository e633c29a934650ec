// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package geoip

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip/geoiptest"
)

func writeDB(t *testing.T, edition geoiptest.Edition, nets []geoiptest.Network, opts geoiptest.Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.mmdb")
	geoiptest.Write(t, path, edition, nets, opts)
	return path
}

func openDB(t *testing.T, path string, cacheSize int) *DB {
	t.Helper()
	db, err := Open(Options{Path: path, CheckInterval: -1, CacheSize: cacheSize})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func lookup(db *DB, addr string) map[string]any {
	attrs := pcommon.NewMap()
	db.Lookup(addr, attrs)
	return attrs.AsRaw()
}

func TestLookupCityEdition(t *testing.T) {
	for _, cache := range []int{0, 16} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			db := openDB(t, writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{}), cache)
			assert.Equal(t, "GeoLite2-City", db.DatabaseType())
			london := map[string]any{
				AttrContinentCode: "EU", AttrCountryISO: "GB", AttrRegionISO: "GB-ENG",
				AttrLocalityName: "London", AttrPostalCode: "EC1A", AttrLocationLat: 51.5142, AttrLocationLon: -0.0931,
			}
			tokyo := map[string]any{
				AttrContinentCode: "AS", AttrCountryISO: "JP", AttrRegionISO: "JP-13",
				AttrLocalityName: "Tokyo", AttrPostalCode: "100-0001", AttrLocationLat: 35.6893, AttrLocationLon: 139.6899,
			}
			cases := map[string]map[string]any{
				"81.2.69.142":             london,
				"81.2.69.1":               london,
				"::ffff:81.2.69.142":      london, // IPv4-mapped IPv6
				"2001:218:1:2::3":         tokyo,
				"2001:0218:0000::1":       tokyo, // non-canonical spelling
				"89.160.20.128":           {AttrContinentCode: "EU", AttrCountryISO: "SE", AttrRegionISO: "SE-E", AttrLocalityName: "Linköping", AttrPostalCode: "58246", AttrLocationLat: 58.4167, AttrLocationLon: 15.6167},
				"2a02:cf40:0:1::5":        {AttrContinentCode: "EU", AttrCountryISO: "NO"}, // a record with no city or location
				"8.8.8.8":                 {AttrContinentCode: "NA", AttrCountryISO: "US", AttrLocationLat: 37.751, AttrLocationLon: -97.822},
				"1.1.1.1":                 {}, // public, but not in the file
				"2606:4700::1111":         {},
				"10.1.2.3":                {}, // private
				"192.168.0.10":            {},
				"172.16.5.4":              {},
				"fd00::1":                 {}, // unique local
				"127.0.0.1":               {}, // loopback
				"::1":                     {},
				"169.254.1.1":             {}, // link-local
				"fe80::1":                 {},
				"fe80::1%eth0":            {},
				"0.0.0.0":                 {}, // unspecified
				"::":                      {},
				"224.0.0.1":               {}, // multicast
				"ff02::1":                 {},
				"255.255.255.255":         {}, // broadcast
				"":                        {}, // unparsable
				"not an address":          {},
				"81.2.69.142:443":         {},
				"81.2.69":                 {},
				"999.2.69.142":            {},
				" 81.2.69.142":            {},
				"2001:218:::1":            {},
				strings.Repeat("1", 4096): {},
			}
			for addr, want := range cases {
				for round := range 2 { // the second answer may come from the cache
					assert.Equal(t, want, lookup(db, addr), "address %q, round %d", addr, round)
				}
			}
		})
	}
}

func TestLookupCountryEdition(t *testing.T) {
	db := openDB(t, writeDB(t, geoiptest.Country, geoiptest.Sample, geoiptest.Options{}), 0)
	assert.Equal(t, map[string]any{AttrContinentCode: "EU", AttrCountryISO: "GB"}, lookup(db, "81.2.69.142"))
	assert.Equal(t, map[string]any{AttrContinentCode: "AS", AttrCountryISO: "JP"}, lookup(db, "2001:218::1"))
}

func TestLookupDBIPCityLite(t *testing.T) {
	// DB-IP's lite files have subdivision names but no codes, and no postal
	// codes: those attributes stay out rather than being guessed.
	db := openDB(t, writeDB(t, geoiptest.DBIPCity, geoiptest.Sample, geoiptest.Options{}), 0)
	assert.Equal(t, map[string]any{
		AttrContinentCode: "EU", AttrCountryISO: "GB", AttrLocalityName: "London",
		AttrLocationLat: 51.5142, AttrLocationLon: -0.0931,
	}, lookup(db, "81.2.69.142"))
}

func TestLookupIPv4OnlyFile(t *testing.T) {
	db := openDB(t, writeDB(t, geoiptest.City, geoiptest.Sample[:2], geoiptest.Options{IPv4Only: true}), 0)
	assert.Equal(t, "GB", lookup(db, "81.2.69.142")[AttrCountryISO])
	assert.Empty(t, lookup(db, "2001:218::1"), "an IPv6 address in an IPv4-only file has no answer")
}

func TestPrivateRecordsAreNotUsed(t *testing.T) {
	// Even a file that has a record for a private network gives no location
	// for it: such an address says nothing about where the user is.
	nets := append([]geoiptest.Network{geoiptest.Private}, geoiptest.Sample...)
	db := openDB(t, writeDB(t, geoiptest.City, nets, geoiptest.Options{IncludeReserved: true}), 16)
	assert.Empty(t, lookup(db, "10.1.2.3"))
	assert.Equal(t, "GB", lookup(db, "81.2.69.142")[AttrCountryISO])
}

func TestExistingGeoWins(t *testing.T) {
	db := openDB(t, writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{}), 16)
	attrs := pcommon.NewMap()
	attrs.PutStr("client.address", "81.2.69.142")
	attrs.PutStr(AttrCountryISO, "FR") // from location_info
	attrs.PutDouble(AttrLocationLat, 48.85)
	db.Lookup("81.2.69.142", attrs)
	assert.Equal(t, map[string]any{"client.address": "81.2.69.142", AttrCountryISO: "FR", AttrLocationLat: 48.85}, attrs.AsRaw(),
		"nothing is added from the file when the event carries its own location")
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{})
	data, err := os.ReadFile(good)
	require.NoError(t, err)

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	// Damage in the search tree, after the 16-byte data-section separator is
	// found by the reader: overwrite the first nodes so every lookup points
	// past the end of the file.
	treeDamaged := append([]byte(nil), data...)
	for i := 0; i < 64 && i < len(treeDamaged); i++ {
		treeDamaged[i] = 0xff
	}
	cases := map[string]struct {
		path string
		want string
	}{
		"missing":       {filepath.Join(dir, "nope.mmdb"), "no such file or directory"},
		"directory":     {dir, "is not a regular file"},
		"empty":         {write("empty.mmdb", nil), "is not a readable MaxMind DB file"},
		"text":          {write("text.mmdb", []byte("this is not a database\n")), "is not a readable MaxMind DB file"},
		"truncated":     {write("truncated.mmdb", data[:len(data)/2]), "is not a readable MaxMind DB file"},
		"tree damaged":  {write("tree.mmdb", treeDamaged), "is corrupt"},
		"metadata only": {write("meta.mmdb", data[len(data)-200:]), "is not a readable MaxMind DB file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			db, err := Open(Options{Path: c.path, CheckInterval: -1})
			if db != nil {
				_ = db.Close()
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.path, "the message names the file")
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err = Open(Options{Path: good, CheckInterval: 10 * time.Millisecond})
	assert.ErrorContains(t, err, "below the minimum")
	_, err = Open(Options{Path: good, CacheSize: -1})
	assert.ErrorContains(t, err, "cache size")
	_, err = Open(Options{})
	assert.ErrorContains(t, err, "no database path")
}

func TestReloadWhenReplaced(t *testing.T) {
	path := writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{BuildEpoch: 1_700_000_000})
	core, logs := observer.New(zap.InfoLevel)
	db, err := Open(Options{Path: path, CheckInterval: -1, CacheSize: 16, Logger: zap.New(core)})
	require.NoError(t, err)
	defer db.Close()
	require.Equal(t, "GB", lookup(db, "81.2.69.142")[AttrCountryISO]) // now cached too

	swapped, err := db.Reload()
	require.NoError(t, err)
	assert.False(t, swapped, "an unchanged file is not reloaded")

	// geoipupdate's way: a new file renamed over the old one. The address
	// moved to another country in the new file.
	moved := []geoiptest.Network{{CIDR: "81.2.69.0/24", Continent: "EU", Country: "IE", City: "Dublin", Lat: 53.35, Lon: -6.26}}
	geoiptest.Write(t, path, geoiptest.Country, moved, geoiptest.Options{BuildEpoch: 1_700_600_000})
	swapped, err = db.Reload()
	require.NoError(t, err)
	require.True(t, swapped)
	assert.Equal(t, "GeoLite2-Country", db.DatabaseType())
	assert.Equal(t, map[string]any{AttrContinentCode: "EU", AttrCountryISO: "IE"}, lookup(db, "81.2.69.142"),
		"the cached answer from the old file is gone with it")
	assert.Empty(t, lookup(db, "2001:218::1"))
	assert.Equal(t, 1, logs.FilterMessage("GeoIP database reloaded").Len())
}

func TestReloadKeepsOldDatabaseWhenReplacementIsBroken(t *testing.T) {
	path := writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{})
	db := openDB(t, path, 0)

	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte("garbage, not a database"), 0o600))
	require.NoError(t, os.Rename(tmp, path))
	swapped, err := db.Reload()
	assert.False(t, swapped)
	assert.ErrorContains(t, err, "is not a readable MaxMind DB file")
	assert.Equal(t, "GB", lookup(db, "81.2.69.142")[AttrCountryISO], "the previous file still answers")
	// The same broken file is reported once, not at every check.
	swapped, err = db.Reload()
	assert.False(t, swapped)
	assert.NoError(t, err)

	// Removed: the mapped file still answers; reported once.
	require.NoError(t, os.Remove(path))
	_, err = db.Reload()
	assert.ErrorContains(t, err, "no such file")
	_, err = db.Reload()
	assert.NoError(t, err)
	assert.Equal(t, "GB", lookup(db, "81.2.69.142")[AttrCountryISO])

	// A good file again is picked up.
	geoiptest.Write(t, path, geoiptest.Country, geoiptest.Sample, geoiptest.Options{})
	swapped, err = db.Reload()
	require.NoError(t, err)
	assert.True(t, swapped)
	assert.Equal(t, "GeoLite2-Country", db.DatabaseType())
}

func TestWatcherReloads(t *testing.T) {
	path := writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{})
	db, err := Open(Options{Path: path, CheckInterval: MinCheckInterval})
	require.NoError(t, err)
	defer db.Close()
	geoiptest.Write(t, path, geoiptest.Country, geoiptest.Sample, geoiptest.Options{})
	deadline := time.Now().Add(20 * MinCheckInterval)
	for db.DatabaseType() != "GeoLite2-Country" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	assert.Equal(t, "GeoLite2-Country", db.DatabaseType(), "the watcher picked up the new file")
}

// TestLookupsDuringReloads runs lookups while the file is replaced again and
// again: every answer comes whole from one file or the other, and no lookup
// touches an unmapped file (which would crash the test binary).
func TestLookupsDuringReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db.mmdb")
	gb := []geoiptest.Network{{CIDR: "81.2.69.0/24", Continent: "EU", Country: "GB", City: "London", Lat: 51.5, Lon: -0.1}}
	ie := []geoiptest.Network{{CIDR: "81.2.69.0/24", Continent: "EU", Country: "IE", City: "Dublin", Lat: 53.35, Lon: -6.26}}
	geoiptest.Write(t, path, geoiptest.City, gb, geoiptest.Options{})
	db := openDB(t, path, 0)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var lookups atomic.Int64
	errs := make(chan string, 4)
	for range 4 {
		wg.Go(func() {
			for i := 0; i < 200_000 && !stop.Load(); i++ {
				got := lookup(db, "81.2.69.142")
				lookups.Add(1)
				c, city := got[AttrCountryISO], got[AttrLocalityName]
				if !(c == "GB" && city == "London") && !(c == "IE" && city == "Dublin") {
					select {
					case errs <- fmt.Sprintf("mixed or missing answer: %v", got):
					default:
					}
					return
				}
			}
		})
	}
	swaps := 0
	for i := range 30 {
		nets := gb
		if i%2 == 0 {
			nets = ie
		}
		geoiptest.Write(t, path, geoiptest.City, nets, geoiptest.Options{BuildEpoch: int64(1_700_000_000 + i)})
		swapped, err := db.Reload()
		require.NoError(t, err)
		if swapped {
			swaps++
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	assert.Equal(t, 30, swaps)
	assert.Positive(t, lookups.Load())
}

func TestCloseStopsLookups(t *testing.T) {
	path := writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{})
	db, err := Open(Options{Path: path, CheckInterval: time.Hour, CacheSize: 4})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	assert.Empty(t, lookup(db, "81.2.69.142"))
	swapped, err := db.Reload()
	assert.NoError(t, err)
	assert.False(t, swapped)
	assert.NoError(t, db.Close(), "closing twice is harmless")
}

func TestCacheIsBounded(t *testing.T) {
	db := openDB(t, writeDB(t, geoiptest.City, geoiptest.Sample, geoiptest.Options{}), 8)
	for i := range 1000 {
		lookup(db, fmt.Sprintf("81.2.69.%d", i%256))
		lookup(db, fmt.Sprintf("2001:218::%x", i))
	}
	db.mu.RLock()
	n := db.cur.cache.Len()
	db.mu.RUnlock()
	assert.LessOrEqual(t, n, 8)
}
