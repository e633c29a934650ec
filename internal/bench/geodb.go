// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// geoCity is one record the generated database answers with.
type geoCity struct {
	continent, country, region, city, postal string
	lat, lon                                 float64
}

var geoCities = []geoCity{
	{"EU", "GB", "ENG", "London", "EC1A", 51.5142, -0.0931},
	{"NA", "US", "CA", "San Francisco", "94107", 37.7697, -122.3933},
	{"EU", "DE", "BE", "Berlin", "10115", 52.5321, 13.3849},
	{"AS", "JP", "13", "Tokyo", "100-0001", 35.6893, 139.6899},
	{"SA", "BR", "SP", "São Paulo", "01000", -23.5475, -46.6361},
	{"OC", "AU", "NSW", "Sydney", "2000", -33.8678, 151.2073},
}

// WriteGeoDB writes a City-edition .mmdb at path in which every IPv4 /8
// from 1 to 223 (all the generator's IPv4 addresses) and the /8s of its
// IPv6 prefixes have a full city record, so every GeoIP lookup of the
// benchmark finds one, as with a real City database. The file goes to a
// temporary name first and is renamed over path.
func WriteGeoDB(path string) error {
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "GeoIP2-City",
		Description:  map[string]string{"en": "otelcol-auth0 bench database"},
		Languages:    []string{"en"},
		RecordSize:   28,
		// The receiver itself skips private and loopback addresses; the
		// database may cover them.
		IncludeReservedNetworks: true,
	})
	if err != nil {
		return err
	}
	var cidrs []string
	for a := 1; a <= 223; a++ {
		cidrs = append(cidrs, fmt.Sprintf("%d.0.0.0/8", a))
	}
	cidrs = append(cidrs, "2001::/16", "2400::/8", "2600::/8", "2a00::/8")
	for i, c := range cidrs {
		_, network, err := net.ParseCIDR(c)
		if err != nil {
			return err
		}
		if err := w.Insert(network, geoCities[i%len(geoCities)].record()); err != nil {
			return fmt.Errorf("insert %s: %w", c, err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".geodb-*")
	if err != nil {
		return err
	}
	if _, err := w.WriteTo(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (g geoCity) record() mmdbtype.Map {
	en := func(s string) mmdbtype.Map { return mmdbtype.Map{"en": mmdbtype.String(s)} }
	country := mmdbtype.Map{"iso_code": mmdbtype.String(g.country), "names": en(g.country)}
	return mmdbtype.Map{
		"continent":          mmdbtype.Map{"code": mmdbtype.String(g.continent), "names": en(g.continent)},
		"country":            country,
		"registered_country": country,
		"subdivisions":       mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(g.region), "names": en(g.region)}},
		"city":               mmdbtype.Map{"names": en(g.city)},
		"postal":             mmdbtype.Map{"code": mmdbtype.String(g.postal)},
		"location": mmdbtype.Map{
			"latitude": mmdbtype.Float64(g.lat), "longitude": mmdbtype.Float64(g.lon),
			"accuracy_radius": mmdbtype.Uint16(50),
		},
	}
}
