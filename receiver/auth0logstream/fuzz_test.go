package auth0logstream

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/plog"
)

// fixtureHostileSeeds are inputs aimed at the framing's and decoder's edges.
var fixtureHostileSeeds = []string{
	"",
	"\uFEFF",
	"[]",
	"[",
	"{",
	"{\n",
	"[{}",
	"{}",
	"{}{}",
	"{}}\n{}",
	"{\"log_id\":\"1\",\"data\":{\"type\":\"s\"}}\x00",
	"null\n42\n\"x\"\n",
	strings.Repeat("[", 200) + strings.Repeat("]", 200),
	`{"d":` + strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 101),
	"{\"a\":\"\xff\xfe\"}\n{\"b\"\xff}",
	`{"n":1e999,"m":-1e-999,"i":99999999999999999999999,"z":-0}`,
	`{"log_id":"1","data":"x"}`,
	`{"log_id":"1","data":{"type":"s","scope":["a",1,null],"details":{"session_id":{"x":1}},"location_info":{"latitude":"NaN","longitude":"Inf"}}}`,
	`{"log_id":"1","log_id":"2","data":{"type":"s","type":"f"}}`,
	`{"data":{"log_id":"1"},"data":{"log_id":"2"}}`,
	"{\"s\":\"\\ud800\\udc00\\ud800\"}",
	"\r\n\r\n{\"type\":\"s\"}\r\n\r\n",
}

// fixtureMaxSeed keeps huge fixtures out of the fuzz corpus: mutating
// hundreds of KB stalls the fuzzer, and the unit tests cover them.
const fixtureMaxSeed = 64 << 10

// fixtureSeedBodies returns the payload fixtures and the hostile seeds.
func fixtureSeedBodies(tb testing.TB) [][]byte {
	tb.Helper()
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, e := range entries {
		if info, err := e.Info(); err != nil || e.IsDir() || info.Size() > fixtureMaxSeed {
			continue
		}
		b, err := os.ReadFile(filepath.Join(fixtureDir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	for _, s := range fixtureHostileSeeds {
		out = append(out, []byte(s))
	}
	return out
}

// fixtureSeedObjects splits the seed bodies into single JSON objects, as
// the translator receives them.
func fixtureSeedObjects(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, body := range fixtureSeedBodies(tb) {
		dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, utf8BOM)))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				break
			}
			var elems []json.RawMessage
			if json.Unmarshal(raw, &elems) == nil {
				for _, e := range elems {
					out = append(out, e)
				}
				continue
			}
			out = append(out, raw)
		}
	}
	return append(out, []byte(`{}`), []byte(`{"type":"`+strings.Repeat("z", 65)+`"}`), []byte("{\"type\":\"s\xff\"}"))
}

func FuzzDecode(f *testing.F) {
	for _, b := range fixtureSeedBodies(f) {
		f.Add(b)
	}
	// The framer is reused, as the receiver pools it; a fresh builder keeps
	// the deduplication memory of one input from affecting the next.
	framer := newFramer()
	f.Fuzz(func(t *testing.T, body []byte) {
		builder := newLogsBuilder(newTranslator(BodyEvent), newDedupSet(64), "fuzz")
		var delivered []plog.Logs
		builder.reset(context.Background(), func(_ context.Context, l plog.Logs) error {
			delivered = append(delivered, l)
			return nil
		}, fixtureObserved)
		err := framer.frame(bytes.NewReader(body), builder)
		if err == nil {
			err = builder.finish()
		}
		stats := builder.stats

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
		if records != stats.accepted {
			t.Fatalf("delivered %d records, stats say %d accepted", records, stats.accepted)
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
		if want := stats.events - stats.duplicates + stats.malformed; records != want {
			t.Fatalf("delivered %d records, want events %d - duplicates %d + malformed %d",
				records, stats.events, stats.duplicates, stats.malformed)
		}
		if stats.events == 0 {
			t.Fatal("a body without events was accepted")
		}
		// Reading the same body in tiny pieces gives the same counts.
		again := fixtureDecode(&fixtureTinyReader{b: body},
			newLogsBuilder(newTranslator(BodyEvent), newDedupSet(64), "fuzz"), nil)
		if again.err() != nil || again.stats != stats {
			t.Fatalf("chunked read differs: %+v (%v) vs %+v", again.stats, again.err(), stats)
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
	if _, malformed := lr.Attributes().Get(attrParseError); malformed {
		return
	}
	if !strings.HasPrefix(lr.EventName(), eventNamePrefix) || len(lr.EventName()) > len(eventNamePrefix)+maxTypeCodeLen {
		t.Fatalf("event name %q", lr.EventName())
	}
}

func FuzzTranslate(f *testing.F) {
	for _, b := range fixtureSeedObjects(f) {
		f.Add(b, uint8(0))
	}
	f.Add([]byte(`{"log_id":"1","data":{"type":"f","description":"d"}}`), uint8(1))
	f.Add([]byte(`{"log_id":"1","data":{"type":"f","description":"d"}}`), uint8(2))
	modes := []BodyMode{BodyEvent, BodyDescription, BodyRaw}
	translators := []*translator{newTranslator(BodyEvent), newTranslator(BodyDescription), newTranslator(BodyRaw)}
	f.Fuzz(func(t *testing.T, raw []byte, mode uint8) {
		tr := translators[int(mode)%len(modes)]
		lr := plog.NewLogRecord()
		info, err := tr.translate(raw, lr)
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
		for _, s := range []string{info.logID, info.tenant, info.environment} {
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
