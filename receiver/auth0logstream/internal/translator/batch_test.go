// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/dedup"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/fixtures"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/status"
)

// fixtureObserved is the receive time every test request is stamped with.
const fixtureObserved = pcommon.Timestamp(1_705_314_700_000_000_000)

// fixtureResult is what one request produced.
type fixtureResult struct {
	logs  []plog.Logs // one per consume call
	stats Stats
	err   error
}

// fixtureDecode runs one request body through a fresh framer and b.
// consume may be nil to accept everything.
func fixtureDecode(body io.Reader, b *Batch, consume ConsumeFunc) fixtureResult {
	var res fixtureResult
	b.Reset(context.Background(), func(ctx context.Context, l plog.Logs) error {
		if consume != nil {
			if err := consume(ctx, l); err != nil {
				return err
			}
		}
		res.logs = append(res.logs, l)
		return nil
	}, fixtureObserved)
	sc := jsonframe.NewScanner(jsonpdata.Valid)
	sc.Reset(body)
	res.err = b.ReadAll(sc)
	res.stats = b.Stats()
	return res
}

// fixtureDecodeBytes decodes body with a deduplicating builder in event mode.
func fixtureDecodeBytes(body []byte) fixtureResult {
	b := newTestBatch(BodyEvent, dedup.New(1000))
	return fixtureDecode(bytes.NewReader(body), b, nil)
}

// fixtureDecodeNoPanic is fixtureDecodeBytes that fails the test, briefly,
// instead of crashing it.
func fixtureDecodeNoPanic(t testing.TB, body []byte) (res fixtureResult) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("decoding panicked: %v", p)
		}
	}()
	return fixtureDecodeBytes(body)
}

// fixtureRecord is a delivered LogRecord with the resource it came under.
type fixtureRecord struct {
	resource pcommon.Map
	scope    pcommon.InstrumentationScope
	lr       plog.LogRecord
}

func fixtureRecords(logs []plog.Logs) []fixtureRecord {
	var out []fixtureRecord
	for _, l := range logs {
		for i := range l.ResourceLogs().Len() {
			rl := l.ResourceLogs().At(i)
			for j := range rl.ScopeLogs().Len() {
				sl := rl.ScopeLogs().At(j)
				for k := range sl.LogRecords().Len() {
					out = append(out, fixtureRecord{resource: rl.Resource().Attributes(), scope: sl.Scope(), lr: sl.LogRecords().At(k)})
				}
			}
		}
	}
	return out
}

func fixtureAttrStr(m pcommon.Map, key string) (string, bool) {
	v, ok := m.Get(key)
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return "", false
	}
	return v.Str(), true
}

func fixtureRead(t testing.TB, name string) []byte { return fixtures.Read(t, name) }

func fixtureFiles(t testing.TB) []string { return fixtures.Names(t) }

// fixtureCounts is what each fixture must decode into (deduplication on).
var fixtureCounts = map[string]struct {
	events, malformed, duplicates, resources int
}{
	"jsonlines_mixed_types.jsonl": {events: 27, resources: 1},
	"jsonarray_batch.json":        {events: 5, resources: 1},
	"jsonobject_single.json":      {events: 1, resources: 1},
	"jsonobject_pretty.json":      {events: 1, resources: 1},
	"concatenated_objects.json":   {events: 4, resources: 1},
	"bare_test_delivery.json":     {events: 1, resources: 1},
	"field_shapes.jsonl":          {events: 6, resources: 1},
	"unicode.jsonl":               {events: 8, resources: 1},
	"huge_details.jsonl":          {events: 3, resources: 1},
	"unknown_fields_codes.json":   {events: 3, resources: 1},
	"malformed_lines.jsonl":       {events: 4, malformed: 5, resources: 2},
	"multi_tenant.jsonl":          {events: 7, resources: 4},
	"duplicates.jsonl":            {events: 4, duplicates: 2, resources: 1},
}

func TestDecodeFixtureCounts(t *testing.T) {
	names := fixtureFiles(t)
	require.Len(t, names, len(fixtureCounts), "every fixture needs an entry in fixtureCounts")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want, ok := fixtureCounts[name]
			require.True(t, ok, "no expected counts for %s", name)
			res := fixtureDecodeBytes(fixtureRead(t, name))
			require.NoError(t, res.err)
			assert.Equal(t, want.events, res.stats.Events, "events")
			assert.Equal(t, want.malformed, res.stats.Malformed, "malformed")
			assert.Equal(t, want.duplicates, res.stats.Duplicates, "duplicates")
			records := fixtureRecords(res.logs)
			assert.Len(t, records, want.events-want.duplicates+want.malformed)
			assert.Equal(t, len(records), res.stats.Accepted)
			resources := 0
			for _, l := range res.logs {
				resources += l.ResourceLogs().Len()
			}
			assert.Equal(t, want.resources, resources, "ResourceLogs")
		})
	}
}

// fixtureOracle decodes a well-formed body with encoding/json, independently
// of the receiver: the events it holds, keyed by log_id, as the map the
// default body mode must produce.
func fixtureOracle(t *testing.T, body []byte) map[string]map[string]any {
	t.Helper()
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var objects []map[string]any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				objects = append(objects, e.(map[string]any))
			}
		case map[string]any:
			objects = append(objects, v)
		default:
			t.Fatalf("oracle: unexpected top-level %T", v)
		}
	}
	out := make(map[string]map[string]any)
	for _, o := range objects {
		event := o
		if data, ok := o["data"].(map[string]any); ok {
			event = data
			// Unknown envelope members are kept in the event.
			for k, v := range o {
				if _, clash := event[k]; !clash && k != "data" && k != "log_id" {
					event[k] = v
				}
			}
		}
		id, _ := o["log_id"].(string)
		if id == "" {
			id, _ = event["log_id"].(string)
		}
		converted := fixtureOracleValue(event).(map[string]any)
		if _, dup := out[id]; dup {
			continue
		}
		out[id] = converted
	}
	return out
}

// fixtureOracleValue turns encoding/json's values into what pcommon's AsRaw gives.
func fixtureOracleValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		s := v.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = fixtureOracleValue(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = fixtureOracleValue(e)
		}
		return v
	default:
		return v
	}
}

// Every field of every well-formed fixture survives into the body with its
// JSON type, as an independent decoder reads it.
func TestDecodeFixturesMatchOracle(t *testing.T) {
	for _, name := range fixtureFiles(t) {
		if name == "malformed_lines.jsonl" {
			continue // encoding/json stops at the first bad line
		}
		t.Run(name, func(t *testing.T) {
			body := fixtureRead(t, name)
			want := fixtureOracle(t, body)
			res := fixtureDecodeBytes(body)
			require.NoError(t, res.err)
			got := make(map[string]map[string]any)
			for _, r := range fixtureRecords(res.logs) {
				id, _ := fixtureAttrStr(r.lr.Attributes(), attrLogRecordUID)
				require.Equal(t, pcommon.ValueTypeMap, r.lr.Body().Type(), "record %s", id)
				_, dup := got[id]
				require.False(t, dup, "log_id %q delivered twice", id)
				got[id] = r.lr.Body().Map().AsRaw()
			}
			require.Equal(t, len(want), len(got))
			for id, w := range want {
				assert.Equal(t, w, got[id], "log_id %q", id)
			}
		})
	}
}

// The framing must not depend on how the body arrives: Auth0's requests come
// over the network in arbitrary pieces, and gzip readers return small chunks.
func TestDecodeSameResultForAnyChunking(t *testing.T) {
	readers := map[string]func(io.Reader) io.Reader{
		"one-byte":   iotest.OneByteReader,
		"half":       iotest.HalfReader,
		"data-err":   iotest.DataErrReader,
		"unbuffered": func(r io.Reader) io.Reader { return struct{ io.Reader }{r} },
	}
	var m plog.JSONMarshaler
	for _, name := range fixtureFiles(t) {
		body := fixtureRead(t, name)
		ref := fixtureDecodeBytes(body)
		require.NoError(t, ref.err, name)
		var want [][]byte
		for _, l := range ref.logs {
			b, err := m.MarshalLogs(l)
			require.NoError(t, err)
			want = append(want, b)
		}
		for rname, wrap := range readers {
			t.Run(name+"/"+rname, func(t *testing.T) {
				b := newTestBatch(BodyEvent, dedup.New(1000))
				res := fixtureDecode(wrap(bytes.NewReader(body)), b, nil)
				require.NoError(t, res.err)
				assert.Equal(t, ref.stats, res.stats)
				require.Len(t, res.logs, len(want))
				for i, l := range res.logs {
					got, err := m.MarshalLogs(l)
					require.NoError(t, err)
					assert.JSONEq(t, string(want[i]), string(got))
				}
			})
		}
	}
}

func fixtureEnvelope(id, code string) string {
	return `{"log_id":"` + id + `","data":{"date":"2024-01-15T10:30:00.123Z","type":"` + code +
		`","log_id":"` + id + `","tenant_name":"acme-prod","description":"event ` + id + `"}}`
}

// Small bodies that exercise each framing rule.
func TestDecodeFraming(t *testing.T) {
	a, b, c := fixtureEnvelope("1", "s"), fixtureEnvelope("2", "fp"), fixtureEnvelope("3", "w")
	tests := []struct {
		name      string
		body      string
		events    int
		malformed int
		wantErr   func(error) bool
	}{
		{name: "one line", body: a, events: 1},
		{name: "lines LF", body: a + "\n" + b + "\n" + c + "\n", events: 3},
		{name: "lines CRLF", body: a + "\r\n" + b + "\r\n" + c + "\r\n", events: 3},
		{name: "lines no final newline", body: a + "\n" + b, events: 2},
		{name: "blank lines", body: "\n\n" + a + "\n\n\r\n  \t \n" + b + "\n\n", events: 2},
		{name: "CR only at the end", body: a + "\r", events: 1},
		{name: "BOM then lines", body: "\uFEFF" + a + "\n" + b, events: 2},
		{name: "BOM then array", body: "\uFEFF[" + a + "," + b + "]", events: 2},
		{name: "array", body: "[" + a + "," + b + "," + c + "]", events: 3},
		{name: "array with white space", body: " \n[\n " + a + " ,\r\n" + b + "\n]\n", events: 2},
		{name: "array of one", body: "[" + a + "]", events: 1},
		{name: "two arrays in a row", body: "[" + a + "][" + b + "]", events: 2},
		{name: "array line inside JSON Lines", body: a + "\n[" + b + "," + c + "]\n", events: 3},
		{name: "concatenated", body: a + b + c, events: 3},
		{name: "concatenated with spaces", body: a + "  " + b + "\t" + c, events: 3},
		{name: "pretty object", body: "{\n  \"log_id\": \"1\",\n  \"data\": {\n    \"type\": \"s\"\n  }\n}\n", events: 1},
		{name: "pretty objects concatenated", body: "{\n \"log_id\": \"1\",\n \"data\": {\"type\": \"s\"}\n}\n{\n \"log_id\": \"2\",\n \"data\": {\"type\": \"f\"}\n}", events: 2},
		{name: "bare event", body: `{"date":"2024-01-15T10:30:00.123Z","type":"s","description":"test"}`, events: 1},
		{name: "malformed line between good ones", body: a + "\n{\"log_id\":\"2\",\"da\n" + c, events: 2, malformed: 1},
		{name: "non-object lines", body: a + "\n42\n\"text\"\ntrue\nnull\n" + b, events: 2, malformed: 4},
		{name: "non-object array elements", body: "[" + a + ",1,\"x\",null,[]," + b + "]", events: 2, malformed: 4},
		{name: "nested array element", body: "[[" + a + "]]", malformed: 1, wantErr: fixtureIsNoEvents},
		{name: "data not an object", body: a + "\n" + `{"log_id":"9","data":"oops"}` + "\n" + `{"log_id":"10","data":null}`, events: 1, malformed: 2},
		{name: "empty", body: "", wantErr: fixtureIsEmpty},
		{name: "white space only", body: " \r\n\t\n  ", wantErr: fixtureIsEmpty},
		{name: "BOM only", body: "\uFEFF", wantErr: fixtureIsEmpty},
		{name: "empty array", body: "[]", wantErr: fixtureIsNoEvents},
		{name: "empty array spaced", body: " [ \n ] ", wantErr: fixtureIsNoEvents},
		{name: "only garbage", body: "hello world\n", malformed: 1, wantErr: fixtureIsNoEvents},
		{name: "truncated array", body: "[" + a + "," + b[:30], events: 1, wantErr: fixtureIsFatal},
		{name: "array without closing bracket", body: "[" + a + "," + b, events: 2, wantErr: fixtureIsFatal},
		{name: "truncated pretty object", body: "{\n  \"log_id\": \"1\",\n  \"data\": {\n", wantErr: fixtureIsFatal},
		// JSON forbids raw control characters in strings; the escaped form is fine.
		{name: "raw NUL inside a string", body: a + "\n" + `{"log_id":"2","data":{"description":"a` + "\x00" + `b"}}`, events: 1, malformed: 1},
		{name: "escaped NUL inside a string", body: `{"log_id":"1","data":{"type":"s","description":"a\u0000b"}}`, events: 1},
		{name: "NUL line between good lines", body: a + "\n\x00\n" + b, events: 2, malformed: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := fixtureDecodeBytes([]byte(tt.body))
			if tt.wantErr != nil {
				require.Error(t, res.err)
				assert.True(t, tt.wantErr(res.err), "unexpected error type %T: %v", res.err, res.err)
				assert.Empty(t, res.logs, "nothing may be consumed from a refused body")
			} else {
				require.NoError(t, res.err)
			}
			assert.Equal(t, tt.events, res.stats.Events, "events")
			if tt.wantErr == nil {
				// A refused body delivers nothing, so its malformed count is moot.
				assert.Equal(t, tt.malformed, res.stats.Malformed, "malformed")
				assert.Len(t, fixtureRecords(res.logs), tt.events+tt.malformed)
			}
		})
	}
}

func fixtureIsEmpty(err error) bool { return errors.Is(err, jsonframe.ErrEmptyBody) }

func fixtureIsNoEvents(err error) bool {
	var e *status.NoEventsError
	return errors.As(err, &e)
}

func fixtureIsFatal(err error) bool {
	var e *jsonframe.SyntaxError
	return errors.As(err, &e)
}

// A malformed line is kept: WARN, its text as the body, the reason as an attribute.
func TestDecodeMalformedLineBecomesRecord(t *testing.T) {
	body := fixtureRead(t, "malformed_lines.jsonl")
	lines := strings.Split(strings.TrimRight(string(body), "\n"), "\n")
	res := fixtureDecodeBytes(body)
	require.NoError(t, res.err)
	var bad []fixtureRecord
	for _, r := range fixtureRecords(res.logs) {
		if _, ok := r.lr.Attributes().Get(AttrParseError); ok {
			bad = append(bad, r)
		}
	}
	want := []string{lines[1], lines[3], lines[4], lines[6], lines[7]}
	require.Len(t, bad, len(want))
	for i, r := range bad {
		assert.Equal(t, pcommon.ValueTypeStr, r.lr.Body().Type())
		assert.Equal(t, want[i], r.lr.Body().Str())
		assert.Equal(t, plog.SeverityNumberWarn, r.lr.SeverityNumber())
		assert.Equal(t, "WARN", r.lr.SeverityText())
		assert.Equal(t, fixtureObserved, r.lr.ObservedTimestamp())
		reason, _ := fixtureAttrStr(r.lr.Attributes(), AttrParseError)
		assert.NotEmpty(t, reason)
		// The reason must not echo the input back (it goes to logs and the sender).
		assert.NotContains(t, reason, "Bad Gateway")
		svc, _ := fixtureAttrStr(r.resource, attrServiceName)
		assert.Equal(t, "auth0", svc)
	}
}

// The reason says what is wrong with the line, without echoing it.
func TestDecodeParseErrorReason(t *testing.T) {
	good := fixtureEnvelope("1", "s")
	tests := []struct{ line, want string }{
		{line: "null", want: "not a JSON object"},
		{line: `"text"`, want: "not a JSON object"},
		{line: "true", want: "not a JSON object"},
		{line: "42", want: "not a JSON object"},
		{line: "-1.5e3", want: "not a JSON object"},
		{line: `{"log_id":"1","data":{"type":"s"`, want: "malformed JSON"},
		{line: `{"log_id":"1","data":"x"}`, want: `"data" is not a JSON object`},
		{line: "<html>"}, // any reason will do
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			res := fixtureDecodeBytes([]byte(good + "\n" + tt.line + "\n"))
			require.NoError(t, res.err)
			var reasons []string
			for _, r := range fixtureRecords(res.logs) {
				if reason, ok := fixtureAttrStr(r.lr.Attributes(), AttrParseError); ok {
					reasons = append(reasons, reason)
				}
			}
			require.Len(t, reasons, 1)
			assert.NotEmpty(t, reasons[0])
			assert.Contains(t, reasons[0], tt.want)
		})
	}
}

// A CRLF line keeps no trailing CR in its malformed body.
func TestDecodeMalformedCRLFLine(t *testing.T) {
	res := fixtureDecodeBytes([]byte(fixtureEnvelope("1", "s") + "\r\n{oops}\r\n"))
	require.NoError(t, res.err)
	records := fixtureRecords(res.logs)
	require.Len(t, records, 2)
	var bodies []string
	for _, r := range records {
		if r.lr.Body().Type() == pcommon.ValueTypeStr {
			bodies = append(bodies, r.lr.Body().Str())
		}
	}
	assert.Equal(t, []string{"{oops}"}, bodies)
}

// A line that holds whole values followed by stray bytes (a doubled closing
// brace, a trailing NUL, text, a broken value) must not crash the request nor
// cost the next line. Either the line is one malformed record holding it all
// (issue 2's rule), or its good values are delivered and the rest is one
// malformed record; either way every byte is accounted for.
func TestDecodeTrailingBytesAfterValue(t *testing.T) {
	value := fixtureEnvelope("1", "s")
	next := fixtureEnvelope("9", "s")
	for name, tail := range map[string]string{
		"extra brace":   "}",
		"trailing NUL":  "\x00",
		"trailing text": " garbage",
		"stray bracket": "]",
		"broken value":  fixtureEnvelope("2", "fp") + `{"x"}`,
	} {
		t.Run(name, func(t *testing.T) {
			line := value + tail
			res := fixtureDecodeNoPanic(t, []byte(line+"\n"+next+"\n"))
			require.NoError(t, res.err)
			require.Equal(t, 1, res.stats.Malformed, "malformed")
			var bad string
			ids := map[string]bool{}
			for _, r := range fixtureRecords(res.logs) {
				if _, ok := r.lr.Attributes().Get(AttrParseError); ok {
					bad = r.lr.Body().Str()
					continue
				}
				id, _ := fixtureAttrStr(r.lr.Attributes(), attrLogRecordUID)
				ids[id] = true
			}
			assert.True(t, ids["9"], "the next line's event was lost")
			if ids["1"] {
				assert.NotContains(t, bad, `"log_id":"1"`, "a delivered value is also in the malformed record")
			} else {
				assert.Equal(t, strings.TrimSpace(line), bad, "the malformed record must hold the whole line")
			}
		})
	}
}

// JSON Arrays: issue 2 leaves open whether a bad element fails the request;
// if it does not, the bad element is one malformed record and the rest arrive.
func TestDecodeGarbageArrayElement(t *testing.T) {
	body := "[" + fixtureEnvelope("1", "s") + ",nope," + fixtureEnvelope("2", "s") + "]"
	res := fixtureDecodeNoPanic(t, []byte(body))
	if res.err != nil {
		assert.True(t, fixtureIsFatal(res.err), "%T: %v", res.err, res.err)
		assert.Empty(t, res.logs)
		return
	}
	assert.Equal(t, 2, res.stats.Events)
	assert.Equal(t, 1, res.stats.Malformed)
}

// Deeply nested JSON costs one event, never the process.
func TestDecodeDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)
	deepObj := strings.Repeat(`{"a":`, 10_000) + "1" + strings.Repeat("}", 10_000)
	good := fixtureEnvelope("1", "s")
	tests := map[string]string{
		"array in details, JSON Lines":  good + "\n" + `{"log_id":"2","data":{"type":"s","details":` + deep + `}}` + "\n" + fixtureEnvelope("3", "s"),
		"objects as a line":             good + "\n" + deepObj + "\n" + fixtureEnvelope("3", "s"),
		"just past the decoder's limit": good + "\n" + `{"log_id":"2","data":{"details":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}}` + "\n" + fixtureEnvelope("3", "s"),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			res := fixtureDecodeBytes([]byte(body))
			require.NoError(t, res.err)
			assert.Equal(t, 2, res.stats.Events)
			assert.Equal(t, 1, res.stats.Malformed)
		})
	}
}

// Deep nesting inside a JSON Array should cost only that element.
func TestDecodeDeepNestingInArray(t *testing.T) {
	deep := strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)
	body := "[" + fixtureEnvelope("1", "s") + `,{"log_id":"2","data":{"details":` + deep + `}},` + fixtureEnvelope("3", "s") + "]"
	res := fixtureDecodeNoPanic(t, []byte(body))
	require.NoError(t, res.err, "the deep element must cost only itself")
	assert.Equal(t, 2, res.stats.Events)
	assert.Equal(t, 1, res.stats.Malformed)
}

// A JSON Lines body whose first line is truncated right after '{', ',', ':'
// or '[' is mistaken for a pretty-printed object.
func TestDecodeTruncatedFirstLine(t *testing.T) {
	body := `{"log_id":"1","data":{` + "\n" + fixtureEnvelope("2", "s") + "\n" + fixtureEnvelope("3", "s") + "\n"
	res := fixtureDecodeBytes([]byte(body))
	require.NoError(t, res.err)
	assert.Equal(t, 2, res.stats.Events)
	assert.Equal(t, 1, res.stats.Malformed)
}

func TestDecodeTooManyMembers(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"log_id":"2","data":{"type":"s"`)
	for i := range jsonpdata.MaxMembers + 10 {
		sb.WriteString(`,"k` + strconv.Itoa(i) + `":1`)
	}
	sb.WriteString("}}")
	body := fixtureEnvelope("1", "s") + "\n" + sb.String() + "\n" + fixtureEnvelope("3", "s")
	res := fixtureDecodeBytes([]byte(body))
	require.NoError(t, res.err)
	assert.Equal(t, 2, res.stats.Events)
	assert.Equal(t, 1, res.stats.Malformed)
	for _, r := range fixtureRecords(res.logs) {
		if reason, ok := fixtureAttrStr(r.lr.Attributes(), AttrParseError); ok {
			assert.Contains(t, reason, "members")
		}
	}
}

// Invalid UTF-8 anywhere in the input never reaches a record: OTLP strings
// must be valid UTF-8.
func TestDecodeInvalidUTF8IsReplaced(t *testing.T) {
	tests := map[string]string{
		"in a value":             `{"log_id":"1","data":{"type":"s","user_name":"bad` + "\xff\xfe" + `name","description":"ok"}}`,
		"in a key":               `{"log_id":"1","data":{"type":"s","k` + "\xc3" + `":"v"}}`,
		"in log_id":              `{"log_id":"1` + "\xed\xa0\x80" + `","data":{"type":"s"}}`,
		"in a malformed line":    fixtureEnvelope("1", "s") + "\n{\"a\":\"\xff\n",
		"in a syntax error spot": fixtureEnvelope("1", "s") + "\n{\"a\"\xff}\n",
		"line starting badly":    fixtureEnvelope("1", "s") + "\n\xff\xfe{}\n",
		"in the type code":       `{"log_id":"1","data":{"type":"s` + "\xff" + `"}}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			res := fixtureDecodeBytes([]byte(body))
			require.NoError(t, res.err)
			require.NotEmpty(t, res.logs)
			for _, l := range res.logs {
				fixtureAssertValidUTF8(t, l)
			}
		})
	}
	res := fixtureDecodeBytes([]byte(tests["in a value"]))
	r := fixtureRecords(res.logs)[0]
	name, _ := fixtureAttrStr(r.lr.Attributes(), "user.name")
	assert.Equal(t, "bad\uFFFDname", name)
}

// fixtureAssertValidUTF8 checks every string of l.
func fixtureAssertValidUTF8(t testing.TB, l plog.Logs) {
	t.Helper()
	for _, s := range fixtureStrings(l) {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 in a record: %q", s)
		}
	}
}

func fixtureStrings(l plog.Logs) []string {
	var out []string
	var walk func(v pcommon.Value)
	walkMap := func(m pcommon.Map) {
		m.Range(func(k string, v pcommon.Value) bool {
			out = append(out, k)
			walk(v)
			return true
		})
	}
	walk = func(v pcommon.Value) {
		switch v.Type() {
		case pcommon.ValueTypeStr:
			out = append(out, v.Str())
		case pcommon.ValueTypeMap:
			walkMap(v.Map())
		case pcommon.ValueTypeSlice:
			for i := range v.Slice().Len() {
				walk(v.Slice().At(i))
			}
		}
	}
	for _, r := range fixtureRecords([]plog.Logs{l}) {
		walkMap(r.resource)
		out = append(out, r.scope.Name(), r.scope.Version(), r.lr.EventName(), r.lr.SeverityText())
		walkMap(r.lr.Attributes())
		walk(r.lr.Body())
	}
	return out
}

// A failing body stream is a read error, not a syntax error, in either mode.
func TestDecodeReadError(t *testing.T) {
	boom := errors.New("connection reset")
	for name, prefix := range map[string]string{
		"lines":  fixtureEnvelope("1", "s") + "\n" + fixtureEnvelope("2", "s"),
		"array":  "[" + fixtureEnvelope("1", "s") + ",",
		"pretty": "{\n \"log_id\": \"1\",\n",
	} {
		t.Run(name, func(t *testing.T) {
			body := io.MultiReader(strings.NewReader(prefix), iotest.ErrReader(boom))
			b := NewBatch(New(BodyEvent, nil), nil, testScope, "test")
			res := fixtureDecode(body, b, nil)
			var re *jsonframe.ReadError
			require.ErrorAs(t, res.err, &re)
			assert.ErrorIs(t, res.err, boom)
			assert.Empty(t, res.logs)
		})
	}
}

// A body larger than one consume chunk is handed over in bounded pieces,
// grouped per tenant within each piece, and nothing is lost.
func TestDecodeLargeBodyIsChunked(t *testing.T) {
	const n = 2*MaxRecordsPerConsume + 123
	var sb strings.Builder
	for i := range n {
		sb.WriteString(fixtureEnvelope("id-"+strconv.Itoa(i), "s"))
		sb.WriteString("\n")
	}
	res := fixtureDecodeBytes([]byte(sb.String()))
	require.NoError(t, res.err)
	require.Len(t, res.logs, 3)
	seen := map[string]bool{}
	for i, l := range res.logs {
		if i < 2 {
			assert.Equal(t, MaxRecordsPerConsume, l.LogRecordCount())
		}
		for _, r := range fixtureRecords([]plog.Logs{l}) {
			id, _ := fixtureAttrStr(r.lr.Attributes(), attrLogRecordUID)
			assert.False(t, seen[id])
			seen[id] = true
		}
	}
	assert.Len(t, seen, n)
	assert.Equal(t, n, res.stats.Accepted)
}

// newTestBatch is a batch with the scope name tests expect.
func newTestBatch(mode BodyMode, d *dedup.Set) *Batch {
	return NewBatch(New(mode, nil), d, testScope, "test")
}

const testScope = "github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream"

// While one delivery holds a log_id (claimed, not yet accepted), another
// with the same event fails with a retryable error instead of emitting it
// again or dropping it, since the first may still fail; once the first is
// given up, the event is delivered.
func TestEventInFlightElsewhereIsRetried(t *testing.T) {
	d := dedup.New(10)
	ev := []byte(fixtureEnvelope("42", "f"))
	noop := func(context.Context, plog.Logs) error { return nil }
	first := newTestBatch(BodyEvent, d)
	first.Reset(context.Background(), noop, 0)
	require.NoError(t, first.Add(ev, nil)) // claimed, not yet flushed

	second := newTestBatch(BodyEvent, d)
	second.Reset(context.Background(), noop, 0)
	err := second.Add(ev, nil)
	var inFlight *status.InFlightError
	require.ErrorAs(t, err, &inFlight)
	assert.True(t, status.Retryable(err))
	second.Release()

	first.Release() // the first delivery failed: its claim is given up
	second.Reset(context.Background(), noop, 0)
	require.NoError(t, second.Add(ev, nil))
	require.NoError(t, second.Finish())
	assert.Equal(t, 0, second.Stats().Duplicates)
	assert.Equal(t, 1, second.Stats().Accepted)

	third := newTestBatch(BodyEvent, d)
	third.Reset(context.Background(), noop, 0)
	require.NoError(t, third.Add(ev, nil))
	assert.Equal(t, 1, third.Stats().Duplicates, "delivered: now a duplicate")
	third.Release()
}

// countingEnricher counts the events it enriches.
type countingEnricher struct{ n int }

func (c *countingEnricher) Enrich(attrs pcommon.Map) {
	c.n++
	attrs.PutStr("enriched", "yes")
}

// Enrichment, the costly half of a translation, runs only for events that
// reach the pipeline: not for duplicates within a request or across them.
func TestDuplicatesAreNotEnriched(t *testing.T) {
	enrich := &countingEnricher{}
	var delivered []plog.Logs
	b := NewBatch(New(BodyEvent, enrich), dedup.New(10), testScope, "test")
	b.Reset(context.Background(), func(_ context.Context, ld plog.Logs) error {
		delivered = append(delivered, ld)
		return nil
	}, 0)
	ev := []byte(fixtureEnvelope("7", "f"))
	for range 3 {
		require.NoError(t, b.Add(ev, nil))
	}
	require.NoError(t, b.Add([]byte(fixtureEnvelope("8", "s")), nil))
	require.NoError(t, b.Finish())
	assert.Equal(t, 2, b.Stats().Duplicates)
	assert.Equal(t, 2, enrich.n, "one enrichment per delivered event")
	require.Len(t, delivered, 1)
	require.Equal(t, 2, delivered[0].LogRecordCount())
	lrs := delivered[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := range lrs.Len() {
		v, ok := lrs.At(i).Attributes().Get("enriched")
		assert.True(t, ok && v.Str() == "yes", "record %d was enriched", i)
	}
	b.Release()
}
