// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

func events(n int) []Event {
	g := New(9, Options{})
	out := make([]Event, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

func logIDOf(t *testing.T, raw []byte) string {
	t.Helper()
	var env struct {
		LogID string `json:"log_id"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("invalid envelope %s: %v", raw, err)
	}
	return env.LogID
}

func TestEncodeJSONLines(t *testing.T) {
	evs := events(5)
	body := Encode(JSONLines, evs)
	if !bytes.HasSuffix(body, []byte("\n")) {
		t.Fatal("JSONLINES body lacks the trailing newline")
	}
	lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
	if len(lines) != len(evs) {
		t.Fatalf("%d lines, want %d", len(lines), len(evs))
	}
	for i, l := range lines {
		if got := logIDOf(t, l); got != evs[i].LogID {
			t.Fatalf("line %d: log_id %s, want %s", i, got, evs[i].LogID)
		}
	}
}

func TestEncodeJSONArray(t *testing.T) {
	for _, n := range []int{1, 7} {
		evs := events(n)
		var arr []json.RawMessage
		if err := json.Unmarshal(Encode(JSONArray, evs), &arr); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if len(arr) != n {
			t.Fatalf("array of %d, want %d", len(arr), n)
		}
		for i, raw := range arr {
			if got := logIDOf(t, raw); got != evs[i].LogID {
				t.Fatalf("element %d: log_id %s, want %s", i, got, evs[i].LogID)
			}
		}
	}
}

func TestEncodeJSONObject(t *testing.T) {
	one := events(1)
	if got := logIDOf(t, Encode(JSONObject, one)); got != one[0].LogID {
		t.Fatalf("single object: log_id %s, want %s", got, one[0].LogID)
	}
	evs := events(4)
	dec := json.NewDecoder(bytes.NewReader(Encode(JSONObject, evs)))
	for i := 0; ; i++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			if i != len(evs) {
				t.Fatalf("decoded %d objects, want %d", i, len(evs))
			}
			break
		}
		if err != nil {
			t.Fatalf("object %d: %v", i, err)
		}
		if i >= len(evs) || logIDOf(t, raw) != evs[i].LogID {
			t.Fatalf("object %d out of place", i)
		}
	}
}

func TestParseFormat(t *testing.T) {
	// Case and surrounding blanks do not matter.
	for _, c := range []struct {
		in   string
		want Format
	}{{"JSONLINES", JSONLines}, {"jsonarray", JSONArray}, {" JsonObject ", JSONObject}} {
		in, want := c.in, c.want
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Fatalf("ParseFormat(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParseFormat(got.String()); back != got {
			t.Fatalf("String() of %v does not parse back", got)
		}
	}
	if _, err := ParseFormat("ndjson"); err == nil {
		t.Fatal("ParseFormat accepted an unknown format")
	}
}
