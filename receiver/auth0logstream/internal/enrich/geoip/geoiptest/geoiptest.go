// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package geoiptest writes small MaxMind DB files for tests, in the layouts
// of MaxMind's GeoLite2 City and Country editions and DB-IP's City Lite.
// The distribution cannot ship a real database, so every test builds its own.
package geoiptest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Edition is the layout of the records written.
type Edition string

const (
	// City is MaxMind's GeoLite2-City layout: continent, country,
	// subdivisions with ISO codes, city, postal code and location.
	City Edition = "GeoLite2-City"
	// Country is MaxMind's GeoLite2-Country layout: continent and country.
	Country Edition = "GeoLite2-Country"
	// DBIPCity is DB-IP's free City Lite layout: like City but with
	// subdivision names only (no ISO code) and no postal code.
	DBIPCity Edition = "DBIP-City-Lite"
)

// Network is one network and where it is.
type Network struct {
	CIDR        string
	Continent   string // e.g. EU
	Country     string // ISO 3166-1 alpha-2, e.g. GB
	Subdivision string // ISO 3166-2 subdivision code without the country, e.g. ENG
	City        string // English name
	Postal      string
	Lat, Lon    float64
}

// Options change how the file is written.
type Options struct {
	// IPv4Only writes an IPv4 database (ip_version 4).
	IPv4Only bool
	// IncludeReserved allows private and other reserved networks, to show
	// that the reader skips them even when a file has records for them.
	IncludeReserved bool
	// BuildEpoch is the file's build time, in Unix seconds.
	BuildEpoch int64
}

// Build returns the bytes of a database with the given networks.
func Build(edition Edition, nets []Network, opts Options) ([]byte, error) {
	ipVersion := 6
	if opts.IPv4Only {
		ipVersion = 4
	}
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            string(edition),
		Description:             map[string]string{"en": "test database"},
		Languages:               []string{"en"},
		IPVersion:               ipVersion,
		RecordSize:              28,
		IncludeReservedNetworks: opts.IncludeReserved,
		BuildEpoch:              opts.BuildEpoch,
	})
	if err != nil {
		return nil, err
	}
	for _, n := range nets {
		_, network, err := net.ParseCIDR(n.CIDR)
		if err != nil {
			return nil, err
		}
		if err := w.Insert(network, n.record(edition)); err != nil {
			return nil, fmt.Errorf("insert %s: %w", n.CIDR, err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(en)}
}

func (n Network) record(edition Edition) mmdbtype.Map {
	rec := mmdbtype.Map{}
	if n.Continent != "" {
		rec["continent"] = mmdbtype.Map{"code": mmdbtype.String(n.Continent), "geoname_id": mmdbtype.Uint32(6255148),
			"names": names("Continent " + n.Continent)}
	}
	if n.Country != "" {
		country := mmdbtype.Map{"iso_code": mmdbtype.String(n.Country), "geoname_id": mmdbtype.Uint32(2635167),
			"names": names("Country " + n.Country)}
		rec["country"] = country
		rec["registered_country"] = country
	}
	if edition == Country {
		return rec
	}
	if n.Subdivision != "" {
		sub := mmdbtype.Map{"names": names("Subdivision " + n.Subdivision)}
		if edition == City {
			sub["iso_code"] = mmdbtype.String(n.Subdivision)
			sub["geoname_id"] = mmdbtype.Uint32(6269131)
		}
		rec["subdivisions"] = mmdbtype.Slice{sub}
	}
	if n.City != "" {
		rec["city"] = mmdbtype.Map{"geoname_id": mmdbtype.Uint32(2643743), "names": names(n.City)}
	}
	if n.Postal != "" && edition == City {
		rec["postal"] = mmdbtype.Map{"code": mmdbtype.String(n.Postal)}
	}
	if n.Lat != 0 || n.Lon != 0 {
		rec["location"] = mmdbtype.Map{
			"latitude":        mmdbtype.Float64(n.Lat),
			"longitude":       mmdbtype.Float64(n.Lon),
			"accuracy_radius": mmdbtype.Uint16(50),
			"time_zone":       mmdbtype.String("Europe/London"),
		}
	}
	return rec
}

// Write builds a database and puts it at path the way geoipupdate does:
// written to a temporary file in the same directory, then renamed over path,
// so a reader of the old file never sees a half-written one.
func Write(tb testing.TB, path string, edition Edition, nets []Network, opts Options) {
	tb.Helper()
	data, err := Build(edition, nets, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".geoiptest-*")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tmp.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		tb.Fatal(err)
	}
}

// Sample is a small set of networks covering the shapes tests need: IPv4
// and IPv6 records with every field, one without a city, and one private
// network (written only with IncludeReserved).
var Sample = []Network{
	{CIDR: "81.2.69.0/24", Continent: "EU", Country: "GB", Subdivision: "ENG", City: "London", Postal: "EC1A", Lat: 51.5142, Lon: -0.0931},
	{CIDR: "89.160.20.0/24", Continent: "EU", Country: "SE", Subdivision: "E", City: "Linköping", Postal: "58246", Lat: 58.4167, Lon: 15.6167},
	{CIDR: "2001:218::/32", Continent: "AS", Country: "JP", Subdivision: "13", City: "Tokyo", Postal: "100-0001", Lat: 35.6893, Lon: 139.6899},
	{CIDR: "2a02:cf40::/29", Continent: "EU", Country: "NO"},
	{CIDR: "8.8.8.0/24", Continent: "NA", Country: "US", Lat: 37.751, Lon: -97.822},
	{CIDR: "2001:4860::/32", Continent: "NA", Country: "US", Lat: 37.751, Lon: -97.822},
}

// Private is a private network with a record, for files built with
// IncludeReserved.
var Private = Network{CIDR: "10.0.0.0/8", Continent: "EU", Country: "DE", City: "Private City", Lat: 1, Lon: 1}
