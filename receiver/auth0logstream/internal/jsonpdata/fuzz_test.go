// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonpdata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/fixtures"
)

// FuzzParserMatchesStdlib is a differential test of the hand-written parser
// against encoding/json: it accepts exactly the valid JSON objects (up to its
// documented nesting and width limits) and reads the same values from them.
func FuzzParserMatchesStdlib(f *testing.F) {
	for _, obj := range fixtures.SeedObjects(f) {
		if len(obj) <= 64<<10 {
			f.Add(obj)
		}
	}
	for _, s := range []string{
		`{}`, `{"a":-0,"b":1e400,"c":-1.5E-3,"d":9223372036854775808,"e":null,"f":[true,false,{}]}`,
		`{"a":"\ud83d\ude00 \ud800 \u0041\\\/\b\f\n\r\t"}`, `{"a":1,"a":2}`, `{"":""}`,
		`{"a":1,"b":{},"a":{"x":[{"y":1,"y":{}}]},"c":2,"b":3}`, `{"ab":1,"ba":2,"ab":3}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.1}`, `{"a":"\x"}`, `{"a":tru}`, "{\"a\":\"\x01\"}", `{"a" 1}`, `{"a":1,}`,
	} {
		f.Add([]byte(s))
	}
	var p Parser
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := pcommon.NewMap()
		p.Begin(raw, nil)
		err := p.ReadObject(got, nil)
		if endErr := p.End(); err == nil {
			err = endErr
		}
		valid := json.Valid(raw)
		if err == nil && !valid {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
		if err != nil {
			trimmed := bytes.TrimLeft(raw, " \t\r\n")
			limit := errors.Is(err, ErrTooDeep) || errors.Is(err, ErrTooWide)
			if valid && len(trimmed) > 0 && trimmed[0] == '{' && !limit {
				t.Fatalf("rejected valid JSON object %q: %v", raw, err)
			}
			return
		}
		if !utf8.Valid(raw) {
			return // both repair invalid UTF-8, encoding/json byte by byte, the receiver run by run
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if msg := differ(want, got.AsRaw()); msg != "" {
			t.Fatalf("%q: %s", raw, msg)
		}
		if msg := orderDiffers(putEmptyOracle(t, raw), got); msg != "" {
			t.Fatalf("%q: %s", raw, msg)
		}
	})
}

// putEmptyOracle builds raw's map the way pcommon.Map.PutEmpty does, member
// by member from encoding/json's tokens: a repeated name keeps its first
// place and takes its last value. Only the shape is built (scalars as
// strings), for orderDiffers.
func putEmptyOracle(t testing.TB, raw []byte) pcommon.Map {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var read func(v pcommon.Value)
	read = func(v pcommon.Value) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		switch tok {
		case json.Delim('{'):
			m := v.SetEmptyMap()
			for dec.More() {
				name, err := dec.Token()
				if err != nil {
					t.Fatalf("encoding/json: %v", err)
				}
				read(m.PutEmpty(name.(string)))
			}
			_, _ = dec.Token()
		case json.Delim('['):
			s := v.SetEmptySlice()
			for dec.More() {
				read(s.AppendEmpty())
			}
			_, _ = dec.Token()
		default:
			v.SetStr("scalar")
		}
	}
	root := pcommon.NewValueEmpty()
	read(root)
	return root.Map()
}

// orderDiffers compares the member names of want and got, in order, at
// every level; values are differ's job.
func orderDiffers(want, got pcommon.Map) string {
	names := func(m pcommon.Map) (keys []string, values []pcommon.Value) {
		for k, v := range m.All() {
			keys, values = append(keys, k), append(values, v)
		}
		return keys, values
	}
	wk, wv := names(want)
	gk, gv := names(got)
	if !slices.Equal(wk, gk) {
		return fmt.Sprintf("member order %q, want %q", gk, wk)
	}
	for i := range wv {
		if msg := valueOrderDiffers(wv[i], gv[i]); msg != "" {
			return strconv.Quote(wk[i]) + ": " + msg
		}
	}
	return ""
}

func valueOrderDiffers(want, got pcommon.Value) string {
	switch want.Type() {
	case pcommon.ValueTypeMap:
		if got.Type() != pcommon.ValueTypeMap {
			return "object read as " + got.Type().String()
		}
		return orderDiffers(want.Map(), got.Map())
	case pcommon.ValueTypeSlice:
		if got.Type() != pcommon.ValueTypeSlice || got.Slice().Len() != want.Slice().Len() {
			return "array differs"
		}
		for i := range want.Slice().Len() {
			if msg := valueOrderDiffers(want.Slice().At(i), got.Slice().At(i)); msg != "" {
				return strconv.Itoa(i) + ": " + msg
			}
		}
	}
	return ""
}

// differ compares encoding/json's reading (with UseNumber) with pdata's AsRaw.
func differ(want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return "object differs"
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return "missing member " + strconv.Quote(k)
			}
			if msg := differ(wv, gv); msg != "" {
				return strconv.Quote(k) + ": " + msg
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return "array differs"
		}
		for i := range w {
			if msg := differ(w[i], g[i]); msg != "" {
				return strconv.Itoa(i) + ": " + msg
			}
		}
	case json.Number:
		switch g := got.(type) {
		case int64:
			if n, err := strconv.ParseInt(string(w), 10, 64); err != nil || n != g {
				return "integer " + string(w) + " read as " + strconv.FormatInt(g, 10)
			}
		case float64:
			f, _ := strconv.ParseFloat(string(w), 64)
			if f != g && !(math.IsNaN(f) && math.IsNaN(g)) {
				return "number " + string(w) + " read as " + strconv.FormatFloat(g, 'g', -1, 64)
			}
		default:
			return "number read as something else"
		}
	case nil:
		if got != nil {
			return "null read as a value"
		}
	default:
		if want != got {
			return "value differs"
		}
	}
	return ""
}
