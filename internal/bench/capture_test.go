// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

func genEvents(n int) []auth0gen.Event {
	g := auth0gen.New(7, auth0gen.Options{})
	out := make([]auth0gen.Event, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

func uids(ld plog.Logs) []string {
	var out []string
	forEachRecord(ld, func(_, _, _ int, lr plog.LogRecord) {
		v, _ := lr.Attributes().Get("log.record.uid")
		out = append(out, v.Str())
	})
	return out
}

func TestDecodeAndSliceKeepEventOrder(t *testing.T) {
	events := genEvents(1500) // two requests to the in-process receiver
	ld, err := Decode(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	recs := NewRecords(ld)
	if recs.Len() != len(events) {
		t.Fatalf("%d records for %d events", recs.Len(), len(events))
	}
	// 990..1010 crosses from the first request's records into the second's.
	part := recs.Slice(990, 1010)
	got := uids(part)
	if len(got) != 20 {
		t.Fatalf("slice has %d records, want 20", len(got))
	}
	for i, id := range got {
		if id != events[990+i].LogID {
			t.Fatalf("record %d is %s, want %s", i, id, events[990+i].LogID)
		}
	}
	if part.ResourceLogs().Len() != 1 || part.ResourceLogs().At(0).ScopeLogs().Len() != 1 {
		t.Fatalf("equal resources were not merged: %d ResourceLogs", part.ResourceLogs().Len())
	}
	name, _ := part.ResourceLogs().At(0).Resource().Attributes().Get("service.name")
	if name.Str() != "auth0" {
		t.Fatalf("resource service.name = %q", name.Str())
	}
}

// The OTLP bodies must decode to exactly the records the receiver built,
// or the comparison would not be over the same work.
func TestOTLPBodiesHoldTheReceiversRecords(t *testing.T) {
	events := genEvents(30)
	ld, err := Decode(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	p := &Prepared{Events: events, Records: NewRecords(ld)}
	want, err := (&plog.JSONMarshaler{}).MarshalLogs(p.Records.Slice(10, 20))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []Variant{OTLPJSON, OTLPProto} {
		reqs, err := p.Requests(v, 10)
		if err != nil {
			t.Fatal(err)
		}
		var back plog.Logs
		if v.Name == OTLPJSON.Name {
			back, err = (&plog.JSONUnmarshaler{}).UnmarshalLogs(reqs[1].Body)
		} else {
			back, err = (&plog.ProtoUnmarshaler{}).UnmarshalLogs(reqs[1].Body)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, _ := (&plog.JSONMarshaler{}).MarshalLogs(back)
		if string(got) != string(want) {
			t.Errorf("%s: request 1 does not hold records 10..19", v.Name)
		}
	}
}

func TestRequestsCarryEqualBatches(t *testing.T) {
	events := genEvents(30)
	ld, err := Decode(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	p := &Prepared{Events: events, Records: NewRecords(ld)}
	reqs, err := p.Requests(Auth0Lines, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 4 {
		t.Fatalf("%d requests of 7 from 30 events, want 4 (the short tail dropped)", len(reqs))
	}
	for _, r := range reqs {
		if r.Events != 7 {
			t.Fatalf("request with %d events", r.Events)
		}
	}
	whole, err := p.Requests(Auth0Lines, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != 1 || whole[0].Events != 30 {
		t.Fatalf("batch over the pool: %d requests", len(whole))
	}
}
