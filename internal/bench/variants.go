// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

// Variant is one way of sending the events: a receiver and a wire format.
type Variant struct {
	Name        string // as in the tables: auth0logstream, otlp-json, ...
	Label       string // for charts: receiver and format
	Receiver    string // the collector's receiver component
	ContentType string
	Auth0       bool // POSTed to auth0logstream with the token, else to otlp
	encode      func(p *Prepared, from, to int) ([]byte, error)
}

// The variants compared. Auth0 bodies are the generator's own encoding;
// OTLP bodies are the receiver's records for the same events, marshaled by
// pdata as an OTLP exporter would.
var (
	Auth0Lines = Variant{Name: "auth0logstream", Label: "auth0logstream\nJSON Lines", Receiver: "auth0logstream", ContentType: "application/json", Auth0: true,
		encode: func(p *Prepared, from, to int) ([]byte, error) {
			return auth0gen.Encode(auth0gen.JSONLines, p.Events[from:to]), nil
		}}
	// Auth0LinesPlain is Auth0Lines sent to the auth0logstream/plain
	// instance, whose user-agent parsing is off: the pair measures what the
	// default enrichment costs end to end.
	Auth0LinesPlain = Variant{Name: "auth0logstream-plain", Label: "auth0logstream\nJSON Lines, no user agent", Receiver: "auth0logstream/plain", ContentType: "application/json", Auth0: true,
		encode: func(p *Prepared, from, to int) ([]byte, error) {
			return auth0gen.Encode(auth0gen.JSONLines, p.Events[from:to]), nil
		}}
	// Auth0LinesGeo is Auth0Lines sent to the auth0logstream/geo instance:
	// the default user-agent parsing plus GeoIP against a generated City
	// database (WriteGeoDB).
	Auth0LinesGeo = Variant{Name: "auth0logstream-geoip", Label: "auth0logstream\nJSON Lines, user agent + GeoIP", Receiver: "auth0logstream/geo", ContentType: "application/json", Auth0: true,
		encode: func(p *Prepared, from, to int) ([]byte, error) {
			return auth0gen.Encode(auth0gen.JSONLines, p.Events[from:to]), nil
		}}
	Auth0Array = Variant{Name: "auth0logstream-array", Label: "auth0logstream\nJSON Array", Receiver: "auth0logstream", ContentType: "application/json", Auth0: true,
		encode: func(p *Prepared, from, to int) ([]byte, error) {
			return auth0gen.Encode(auth0gen.JSONArray, p.Events[from:to]), nil
		}}
	OTLPJSON = Variant{Name: "otlp-json", Label: "otlp\nOTLP/JSON", Receiver: "otlp", ContentType: "application/json",
		encode: func(p *Prepared, from, to int) ([]byte, error) {
			return (&plog.JSONMarshaler{}).MarshalLogs(p.Records.Slice(from, to))
		}}
	OTLPProto = Variant{Name: "otlp-proto", Label: "otlp\nOTLP/protobuf", Receiver: "otlp", ContentType: "application/x-protobuf",
		encode: func(p *Prepared, from, to int) ([]byte, error) {
			return (&plog.ProtoMarshaler{}).MarshalLogs(p.Records.Slice(from, to))
		}}
)

// Prepared holds a pool of generated events and the LogRecords the
// receiver builds from them, record i being event i.
type Prepared struct {
	Events  []auth0gen.Event
	Records *Records
}

// Requests cuts the pool into requests of batch events each, encoded for
// v. A pool smaller than batch gives one request of the whole pool.
func (p *Prepared) Requests(v Variant, batch int) ([]Request, error) {
	if batch < 1 {
		return nil, fmt.Errorf("batch size %d", batch)
	}
	n := len(p.Events)
	if p.Records.Len() != n {
		return nil, fmt.Errorf("%d records for %d events", p.Records.Len(), n)
	}
	var reqs []Request
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		if to-from < batch && from > 0 {
			break // every request carries the same number of events
		}
		body, err := v.encode(p, from, to)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		reqs = append(reqs, Request{Body: body, Events: to - from})
	}
	return reqs, nil
}

// AvgBytes is the mean body size of reqs.
func AvgBytes(reqs []Request) float64 {
	if len(reqs) == 0 {
		return 0
	}
	var total int
	for _, r := range reqs {
		total += len(r.Body)
	}
	return float64(total) / float64(len(reqs))
}
