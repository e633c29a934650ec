// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"
)

func TestGeoDBAnswersEveryGeneratedAddressShape(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.mmdb")
	if err := WriteGeoDB(path); err != nil {
		t.Fatal(err)
	}
	db, err := maxminddb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Metadata.DatabaseType != "GeoIP2-City" {
		t.Fatalf("database type %q", db.Metadata.DatabaseType)
	}
	for _, ip := range []string{"1.2.3.4", "81.2.69.142", "223.255.255.1", "2a02:c7c:1:2:3:4:5:6", "2600:1700::1", "2406:da14::1", "2a01:e0a::1"} {
		var rec struct {
			Country struct {
				ISOCode string `maxminddb:"iso_code"`
			} `maxminddb:"country"`
			City struct {
				Names map[string]string `maxminddb:"names"`
			} `maxminddb:"city"`
		}
		if err := db.Lookup(netip.MustParseAddr(ip)).Decode(&rec); err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
		if rec.Country.ISOCode == "" || rec.City.Names["en"] == "" {
			t.Errorf("%s: no city record: %+v", ip, rec)
		}
	}
	var none struct {
		Country struct {
			ISOCode string `maxminddb:"iso_code"`
		} `maxminddb:"country"`
	}
	if err := db.Lookup(netip.MustParseAddr("240.0.0.1")).Decode(&none); err != nil || none.Country.ISOCode != "" {
		t.Errorf("240.0.0.1 (outside the generated ranges): %+v, %v", none, err)
	}
}
