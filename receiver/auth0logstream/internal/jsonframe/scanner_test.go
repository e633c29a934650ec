// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonframe

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanned is what a Scanner made of one body.
type scanned struct {
	values    []string
	malformed []string
	format    Format
	err       error
}

func scanAll(t testing.TB, body io.Reader) scanned {
	t.Helper()
	sc := NewScanner(json.Valid)
	sc.Reset(body)
	var out scanned
	for i := 0; sc.Next(); i++ {
		require.Less(t, i, 10_000, "runaway scanner")
		tok := sc.Token()
		if tok.Malformed != nil {
			out.malformed = append(out.malformed, string(tok.Raw))
		} else {
			out.values = append(out.values, string(tok.Raw))
		}
	}
	out.format, out.err = sc.Format(), sc.Err()
	return out
}

func TestScannerFraming(t *testing.T) {
	a, b := `{"id":1,"s":"x\"}"}`, `{"id":2,"n":[1,{"k":null}]}`
	tests := []struct {
		name      string
		body      string
		values    []string
		malformed []string
		format    Format
		err       func(error) bool
	}{
		{name: "lines", body: a + "\n" + b + "\n", values: []string{a, b}, format: FormatLines},
		{name: "CRLF and blank lines", body: "\r\n" + a + "\r\n\r\n" + b, values: []string{a, b}, format: FormatLines},
		{name: "BOM", body: "\uFEFF" + a, values: []string{a}, format: FormatLines},
		{name: "array", body: "[" + a + " , " + b + "]", values: []string{a, b}, format: FormatArray},
		{name: "arrays in a row", body: "[" + a + "][" + b + "]", values: []string{a, b}, format: FormatArray},
		{name: "empty array", body: " [ ] ", format: FormatArray},
		{name: "concatenated on a line", body: a + b, values: []string{a, b}, format: FormatLines},
		{name: "array on a line", body: a + "\n[" + b + "," + a + "]\n", values: []string{a, b, a}, format: FormatLines},
		{name: "scalars are values", body: "42\n\"s\"\nnull", values: []string{"42", `"s"`, "null"}, format: FormatLines},
		{name: "pretty", body: "{\n \"id\": 1,\n \"d\": {\"x\": 2}\n}\n", values: []string{"{\n \"id\": 1,\n \"d\": {\"x\": 2}\n}"}, format: FormatStream},
		{name: "malformed line", body: a + "\n{\"id\":\n" + b, values: []string{a, b}, malformed: []string{`{"id":`}, format: FormatLines},
		{name: "one bad value spoils its line", body: a + " {oops}\n" + b, values: []string{b}, malformed: []string{a + " {oops}"}, format: FormatLines},
		{name: "empty", body: " \n\t", err: func(err error) bool { return errors.Is(err, ErrEmptyBody) }},
		{name: "truncated array", body: "[" + a + ",", values: []string{a}, format: FormatArray, err: isSyntax},
		{name: "bad separator", body: "[" + a + ";" + b + "]", values: []string{a}, format: FormatArray, err: isSyntax},
		{name: "bad scalar in a stream", body: "[tru]", format: FormatArray, err: isSyntax},
		{name: "truncated pretty", body: "{\n \"id\": 1,\n", format: FormatStream, err: isSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanAll(t, strings.NewReader(tt.body))
			assert.Equal(t, tt.values, got.values)
			assert.Equal(t, tt.malformed, got.malformed)
			assert.Equal(t, tt.format, got.format)
			if tt.err == nil {
				assert.NoError(t, got.err)
			} else {
				assert.True(t, tt.err(got.err), "error %T %v", got.err, got.err)
			}
		})
	}
}

func isSyntax(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se)
}

// Values longer than the read buffer, and bodies arriving in tiny pieces,
// give the same tokens.
func TestScannerIsIndependentOfChunking(t *testing.T) {
	big := `{"big":"` + strings.Repeat("x", 3*readBufferSize) + `","n":[1,2]}`
	small := `{"a":[{"b":1},{"c":"}]"}]}`
	bodies := map[string]string{
		"lines":  small + "\n" + big + "\n" + small,
		"array":  "[" + small + "," + big + "," + small + "]",
		"pretty": "{\n \"a\": 1,\n \"b\": \"" + strings.Repeat("y", 2*readBufferSize) + "\"\n}",
	}
	for name, body := range bodies {
		want := scanAll(t, strings.NewReader(body))
		require.NoError(t, want.err, name)
		for rname, wrap := range map[string]func(io.Reader) io.Reader{
			"one-byte": iotest.OneByteReader, "half": iotest.HalfReader, "data-err": iotest.DataErrReader,
		} {
			got := scanAll(t, wrap(strings.NewReader(body)))
			assert.Equal(t, want, got, name+"/"+rname)
		}
	}
}

func TestScannerReadError(t *testing.T) {
	boom := errors.New("connection reset")
	for name, prefix := range map[string]string{"lines": `{"a":1}` + "\n" + `{"b"`, "array": `[{"a":1},`} {
		got := scanAll(t, io.MultiReader(strings.NewReader(prefix), iotest.ErrReader(boom)))
		var re *ReadError
		require.ErrorAs(t, got.err, &re, name)
		assert.ErrorIs(t, got.err, boom, name)
	}
}

// The member counts are capacity hints: exact for well-formed values, in
// document order, and unaffected by brackets and commas inside strings.
func TestHintsCountMembers(t *testing.T) {
	sc := NewScanner(json.Valid)
	sc.Reset(strings.NewReader(`{"a":[1,2,{"b":"x,y}"}],"c":{},"d":[],"e":"\"{,"}` + "\n"))
	require.True(t, sc.Next())
	// Document order: outer object, a's array, the object in it, c, d.
	assert.Equal(t, []int{4, 3, 1, 0, 0}, sc.Token().Hints)
	require.False(t, sc.Next())
	require.NoError(t, sc.Err())
}

func TestHintsAreBounded(t *testing.T) {
	var body bytes.Buffer
	body.WriteString(`{"a":[`)
	for i := range 3 * maxHintedContainers {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString("[]")
	}
	body.WriteString("]}\n")
	sc := NewScanner(json.Valid)
	sc.Reset(&body)
	require.True(t, sc.Next())
	hints := sc.Token().Hints
	assert.Len(t, hints, maxHintedContainers)
	assert.Equal(t, 1, hints[0])
	assert.Equal(t, 3*maxHintedContainers, hints[1])

	deep := strings.Repeat("[", 10*maxHintedDepth) + strings.Repeat("]", 10*maxHintedDepth)
	sc.Reset(strings.NewReader(deep))
	require.True(t, sc.Next(), "a deep array is a value; the parser refuses it later")
	assert.LessOrEqual(t, len(sc.Token().Hints), maxHintedDepth)
}

func BenchmarkScanner(b *testing.B) {
	event := `{"log_id":"9002","data":{"date":"2024-01-15T10:30:00.123Z","type":"fp","description":"Wrong email or password.","details":{"error":{"message":"Wrong email or password."}},"user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"}}`
	events := make([]string, 100)
	for i := range events {
		events[i] = event
	}
	for name, body := range map[string][]byte{
		"format=lines/batch=100": []byte(strings.Join(events, "\n")),
		"format=array/batch=100": []byte("[" + strings.Join(events, ",") + "]"),
	} {
		b.Run(name, func(b *testing.B) {
			sc := NewScanner(json.Valid)
			rd := bytes.NewReader(body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				sc.Reset(rd)
				n := 0
				for sc.Next() {
					n++
				}
				if n != len(events) || sc.Err() != nil {
					b.Fatalf("%d values, %v", n, sc.Err())
				}
			}
		})
	}
}
