// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/fixtures"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
)

// The benchmarks compare this receiver's decode+translate with the
// Collector's own paths over the very same records: pdata's OTLP/JSON and
// OTLP/protobuf unmarshalers, and a floor that builds the records from
// already-decoded Go values. `make bench` prints the ratios.

var benchBatchSizes = []int{1, 100, 1000}

// benchFormat is a Content Format, named as Auth0 names them.
type benchFormat string

const (
	benchJSONLines  benchFormat = "JSONLINES"
	benchJSONArray  benchFormat = "JSONARRAY"
	benchJSONObject benchFormat = "JSONOBJECT"
)

var benchFormats = []benchFormat{benchJSONLines, benchJSONArray, benchJSONObject}

// benchEvents returns the first n events of the shared corpus.
func benchEvents(tb testing.TB, n int) [][]byte { return fixtures.BenchCorpus(tb, n) }

// benchEncode frames events as Auth0 sends them in format.
func benchEncode(format benchFormat, events [][]byte) []byte {
	switch format {
	case benchJSONArray:
		return append(append([]byte("["), bytes.Join(events, []byte(","))...), ']')
	default: // JSON Lines; JSON Object is one event per request
		return bytes.Join(events, []byte("\n"))
	}
}

// decodeOnce runs the receiver's path over body and returns what it built.
func decodeOnce(tb testing.TB, body []byte) plog.Logs {
	tb.Helper()
	out := plog.NewLogs()
	b := NewBatch(New(BodyEvent, nil), nil, testScope, "bench")
	b.Reset(context.Background(), func(_ context.Context, ld plog.Logs) error {
		ld.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
		return nil
	}, 1)
	sc := jsonframe.NewScanner(jsonpdata.Valid)
	sc.Reset(bytes.NewReader(body))
	if err := b.ReadAll(sc); err != nil {
		tb.Fatal(err)
	}
	return out
}

func reportPerEvent(b *testing.B, events int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
}

func BenchmarkAuth0Decode(b *testing.B) {
	for _, format := range benchFormats {
		for _, n := range benchBatchSizes {
			if format == benchJSONObject && n != 1 {
				continue // one envelope per request by definition
			}
			body := benchEncode(format, benchEvents(b, n))
			b.Run(fmt.Sprintf("format=%s/batch=%d", format, n), func(b *testing.B) {
				sc := jsonframe.NewScanner(jsonpdata.Valid)
				bld := NewBatch(New(BodyEvent, nil), nil, testScope, "bench")
				consume := func(context.Context, plog.Logs) error { return nil }
				rd := bytes.NewReader(body)
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					rd.Reset(body)
					bld.Reset(context.Background(), consume, 1)
					sc.Reset(rd)
					if err := bld.ReadAll(sc); err != nil {
						b.Fatal(err)
					}
				}
				reportPerEvent(b, n)
			})
		}
	}
}

// BenchmarkBaseline measures the Collector's own decoders on the records
// the receiver produced, so both sides build identical pdata.
func BenchmarkBaseline(b *testing.B) {
	for _, n := range benchBatchSizes {
		logs := decodeOnce(b, benchEncode(benchJSONLines, benchEvents(b, n)))
		jsonBody, err := (&plog.JSONMarshaler{}).MarshalLogs(logs)
		if err != nil {
			b.Fatal(err)
		}
		protoBody, err := (&plog.ProtoMarshaler{}).MarshalLogs(logs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("decoder=otlpjson/batch=%d", n), func(b *testing.B) {
			u := &plog.JSONUnmarshaler{}
			b.SetBytes(int64(len(jsonBody)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := u.UnmarshalLogs(jsonBody); err != nil {
					b.Fatal(err)
				}
			}
			reportPerEvent(b, n)
		})
		b.Run(fmt.Sprintf("decoder=otlpproto/batch=%d", n), func(b *testing.B) {
			u := &plog.ProtoUnmarshaler{}
			b.SetBytes(int64(len(protoBody)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := u.UnmarshalLogs(protoBody); err != nil {
					b.Fatal(err)
				}
			}
			reportPerEvent(b, n)
		})
		b.Run(fmt.Sprintf("decoder=floor/batch=%d", n), func(b *testing.B) {
			decoded := make([]map[string]any, n)
			for i, e := range benchEvents(b, n) {
				var env struct {
					LogID string         `json:"log_id"`
					Data  map[string]any `json:"data"`
				}
				if err := json.Unmarshal(e, &env); err != nil {
					b.Fatal(err)
				}
				decoded[i] = env.Data
			}
			tr := New(BodyEvent, nil)
			b.ReportAllocs()
			for b.Loop() {
				buildFromDecoded(tr, decoded)
			}
			reportPerEvent(b, n)
		})
	}
}

// BenchmarkDecoderChoice measures the standard library's decoder as the
// alternative to the receiver's own parser, on the same bodies and records:
// each event decoded into Go maps that are then turned into the same pdata
// records. (jsoniter was measured the same way when the parser was chosen;
// BENCHMARKS.md keeps the figures. It is no dependency of this module.)
func BenchmarkDecoderChoice(b *testing.B) {
	for _, n := range benchBatchSizes {
		events := benchEvents(b, n)
		for _, name := range []string{"stdlib"} {
			unmarshal := json.Unmarshal
			b.Run(fmt.Sprintf("decoder=%s/batch=%d", name, n), func(b *testing.B) {
				tr := New(BodyEvent, nil)
				decoded := make([]map[string]any, n)
				b.ReportAllocs()
				for b.Loop() {
					for i, e := range events {
						var env struct {
							LogID string         `json:"log_id"`
							Data  map[string]any `json:"data"`
						}
						if err := unmarshal(e, &env); err != nil {
							b.Fatal(err)
						}
						decoded[i] = env.Data
					}
					buildFromDecoded(tr, decoded)
				}
				reportPerEvent(b, n)
			})
		}
	}
}

// buildFromDecoded is the floor: the same records built from values that
// are already Go maps, so only pdata construction and mapping are paid.
func buildFromDecoded(tr *Translator, decoded []map[string]any) plog.Logs {
	logs := plog.NewLogs()
	rl := logs.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(attrServiceName, serviceNameAuth0)
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	records.EnsureCapacity(len(decoded))
	for _, data := range decoded {
		lr := records.AppendEmpty()
		body := lr.Body().SetEmptyMap()
		if err := body.FromRaw(data); err != nil {
			panic(err)
		}
		// The same mapping the receiver applies, over a map that already exists.
		tr.mapper.start(lr, tr.attrCapacity)
		tr.mapper.fields(body)
		tr.mapper.finish("")
		tr.sizedAttributes(lr.Attributes().Len())
		lr.SetObservedTimestamp(pcommon.Timestamp(1))
	}
	return logs
}

// TestBenchmarkBaselinesBuildTheSameRecords guards the comparison: the
// baselines must decode to exactly what the receiver built.
func TestBenchmarkBaselinesBuildTheSameRecords(t *testing.T) {
	logs := decodeOnce(t, benchEncode(benchJSONLines, benchEvents(t, 50)))
	jsonBody, err := (&plog.JSONMarshaler{}).MarshalLogs(logs)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(jsonBody)
	if err != nil {
		t.Fatal(err)
	}
	if fromJSON.LogRecordCount() != 50 || !logsEqual(logs, fromJSON) {
		t.Fatal("OTLP/JSON baseline does not hold the same records")
	}
	protoBody, err := (&plog.ProtoMarshaler{}).MarshalLogs(logs)
	if err != nil {
		t.Fatal(err)
	}
	fromProto, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(protoBody)
	if err != nil {
		t.Fatal(err)
	}
	if !logsEqual(logs, fromProto) {
		t.Fatal("OTLP/protobuf baseline does not hold the same records")
	}
}

func logsEqual(a, b plog.Logs) bool {
	ja, _ := (&plog.JSONMarshaler{}).MarshalLogs(a)
	jb, _ := (&plog.JSONMarshaler{}).MarshalLogs(b)
	return bytes.Equal(ja, jb)
}

// BenchmarkHints measures what the scanner's member counts save the parser:
// the same 100 JSON Lines events translated with their hints and without
// (pdata's slices then grow by appending), alternating within every
// iteration so that both halves see the same machine load. The counting
// itself stays in the scanner's boundary pass either way.
func BenchmarkHints(b *testing.B) {
	const n = 100
	events := benchEvents(b, n)
	sc := jsonframe.NewScanner(jsonpdata.Valid)
	var raws [][]byte
	var hints [][]int
	sc.Reset(bytes.NewReader(benchEncode(benchJSONLines, events)))
	for sc.Next() {
		tok := sc.Token()
		raws = append(raws, bytes.Clone(tok.Raw))
		hints = append(hints, append([]int(nil), tok.Hints...))
	}
	if len(raws) != n {
		b.Fatalf("scanned %d events, want %d", len(raws), n)
	}
	tr := New(BodyEvent, nil)
	run := func(withHints bool) {
		logs := plog.NewLogs()
		records := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for i, raw := range raws {
			var h []int
			if withHints {
				h = hints[i]
			}
			if _, err := tr.Translate(raw, h, records.AppendEmpty()); err != nil {
				b.Fatal(err)
			}
		}
	}
	allocsOn := testing.AllocsPerRun(10, func() { run(true) })
	allocsOff := testing.AllocsPerRun(10, func() { run(false) })
	var on, off time.Duration
	i := 0
	for b.Loop() {
		first := i%2 == 0 // swap which goes first
		for _, withHints := range []bool{first, !first} {
			start := time.Now()
			run(withHints)
			if withHints {
				on += time.Since(start)
			} else {
				off += time.Since(start)
			}
		}
		i++
	}
	events64 := float64(b.N * n)
	b.ReportMetric(float64(on.Nanoseconds())/events64, "ns/event-hints")
	b.ReportMetric(float64(off.Nanoseconds())/events64, "ns/event-nohints")
	b.ReportMetric(float64(off)/float64(on), "nohints/hints")
	b.ReportMetric(allocsOn/n, "allocs/event-hints")
	b.ReportMetric(allocsOff/n, "allocs/event-nohints")
}

// BenchmarkArrayVsLines measures the JSON Array path against JSON Lines on
// the same events through the scanner and the batch, alternating within
// every iteration (and swapping which goes first), so that the ratio is
// taken under one machine load.
func BenchmarkArrayVsLines(b *testing.B) {
	for _, n := range []int{100, 1000} {
		events := benchEvents(b, n)
		bodies := map[benchFormat][]byte{
			benchJSONLines: benchEncode(benchJSONLines, events),
			benchJSONArray: benchEncode(benchJSONArray, events),
		}
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			sc := jsonframe.NewScanner(jsonpdata.Valid)
			bld := NewBatch(New(BodyEvent, nil), nil, testScope, "bench")
			records := 0
			consume := func(_ context.Context, ld plog.Logs) error {
				records += ld.LogRecordCount()
				return nil
			}
			rd := bytes.NewReader(nil)
			spent := map[benchFormat]time.Duration{}
			i := 0
			for b.Loop() {
				order := []benchFormat{benchJSONLines, benchJSONArray}
				if i%2 == 1 {
					order[0], order[1] = order[1], order[0]
				}
				for _, f := range order {
					start := time.Now()
					rd.Reset(bodies[f])
					bld.Reset(context.Background(), consume, 1)
					sc.Reset(rd)
					if err := bld.ReadAll(sc); err != nil {
						b.Fatal(err)
					}
					spent[f] += time.Since(start)
				}
				i++
			}
			if records != 2*n*b.N {
				b.Fatalf("consumed %d records, want %d", records, 2*n*b.N)
			}
			perEvent := float64(b.N * n)
			b.ReportMetric(float64(spent[benchJSONLines].Nanoseconds())/perEvent, "ns/event-lines")
			b.ReportMetric(float64(spent[benchJSONArray].Nanoseconds())/perEvent, "ns/event-array")
			b.ReportMetric(float64(spent[benchJSONArray])/float64(spent[benchJSONLines]), "array/lines")
		})
	}
}
