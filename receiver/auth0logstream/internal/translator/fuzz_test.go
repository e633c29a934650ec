// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/catalog"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/dedup"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/fixtures"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
)

func FuzzDecode(f *testing.F) {
	for _, b := range fixtures.SeedBodies(f) {
		f.Add(b)
	}
	// The framer is reused, as the receiver pools it; a fresh builder keeps
	// the deduplication memory of one input from affecting the next.
	sc := jsonframe.NewScanner(jsonpdata.Valid)
	f.Fuzz(func(t *testing.T, body []byte) {
		builder := newTestBatch(BodyEvent, dedup.New(64))
		var delivered []plog.Logs
		builder.Reset(context.Background(), func(_ context.Context, l plog.Logs) error {
			delivered = append(delivered, l)
			return nil
		}, fixtureObserved)
		sc.Reset(bytes.NewReader(body))
		err := builder.ReadAll(sc)
		stats := builder.Stats()

		records := 0
		for _, l := range delivered {
			records += l.LogRecordCount()
			fixtureAssertValidUTF8(t, l)
			for _, r := range fixtureRecords([]plog.Logs{l}) {
				fixtureCheckRecord(t, r.lr)
				if r.lr.ObservedTimestamp() != fixtureObserved {
					t.Fatal("ObservedTimestamp not set")
				}
			}
		}
		if records != stats.Accepted {
			t.Fatalf("delivered %d records, stats say %d accepted", records, stats.Accepted)
		}
		if err != nil {
			if !fixtureIsEmpty(err) && !fixtureIsNoEvents(err) && !fixtureIsFatal(err) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error text is not valid UTF-8: %q", err.Error())
			}
			return
		}
		if want := stats.Events - stats.Duplicates + stats.Malformed; records != want {
			t.Fatalf("delivered %d records, want events %d - duplicates %d + malformed %d",
				records, stats.Events, stats.Duplicates, stats.Malformed)
		}
		if stats.Events == 0 {
			t.Fatal("a body without events was accepted")
		}
		// Reading the same body in tiny pieces gives the same counts.
		again := fixtureDecode(&fixtureTinyReader{b: body},
			newTestBatch(BodyEvent, dedup.New(64)), nil)
		if again.err != nil || again.stats != stats {
			t.Fatalf("chunked read differs: %+v (%v) vs %+v", again.stats, again.err, stats)
		}
	})
}

// fixtureTinyReader returns at most three bytes per Read.
type fixtureTinyReader struct{ b []byte }

func (r *fixtureTinyReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 3)], r.b)
	r.b = r.b[n:]
	return n, nil
}

// fixtureCheckRecord asserts what holds for every record, good or malformed.
func fixtureCheckRecord(t *testing.T, lr plog.LogRecord) {
	t.Helper()
	switch lr.SeverityNumber() {
	case plog.SeverityNumberInfo, plog.SeverityNumberWarn, plog.SeverityNumberError:
	default:
		t.Fatalf("severity %d outside {9,13,17}", lr.SeverityNumber())
	}
	if _, malformed := lr.Attributes().Get(AttrParseError); malformed {
		return
	}
	if !strings.HasPrefix(lr.EventName(), catalog.EventNamePrefix) || len(lr.EventName()) > len(catalog.EventNamePrefix)+64 {
		t.Fatalf("event name %q", lr.EventName())
	}
}

func FuzzTranslate(f *testing.F) {
	for _, b := range fixtures.SeedObjects(f) {
		f.Add(b, uint8(0))
	}
	f.Add([]byte(`{"log_id":"1","data":{"type":"f","description":"d"}}`), uint8(1))
	f.Add([]byte(`{"log_id":"1","data":{"type":"f","description":"d"}}`), uint8(2))
	modes := []BodyMode{BodyEvent, BodyDescription, BodyRaw}
	translators := []*Translator{New(BodyEvent, nil), New(BodyDescription, nil), New(BodyRaw, nil)}
	f.Fuzz(func(t *testing.T, raw []byte, mode uint8) {
		tr := translators[int(mode)%len(modes)]
		lr := plog.NewLogRecord()
		info, err := tr.Translate(raw, nil, lr)
		if err != nil {
			return
		}
		fixtureCheckRecord(t, lr)
		switch lr.SeverityText() {
		case "INFO", "WARN", "ERROR":
		default:
			t.Fatalf("severity text %q", lr.SeverityText())
		}
		logs := plog.NewLogs()
		lr.CopyTo(logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
		fixtureAssertValidUTF8(t, logs)
		for _, s := range []string{info.LogID, info.Tenant, info.Environment} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in event info: %q", s)
			}
		}
		// What the translator accepts, OTLP must be able to carry.
		if _, err := (&plog.ProtoMarshaler{}).MarshalLogs(logs); err != nil {
			t.Fatalf("record does not marshal: %v", err)
		}
	})
}
