// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package useragent

import "testing"

// FuzzParse checks the rules that hold for any string: the answer is the
// same with and without the cache and from one call to the next, "Other"
// and all-zero versions never come out, a version never comes without its
// name, and over-long strings give nothing.
func FuzzParse(f *testing.F) {
	for _, rows := range [][]row{auth0Rows, browserRows, clientRows, garbageRows} {
		for _, r := range rows {
			f.Add(r.in)
		}
	}
	plain, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	cached, err := New(Options{CacheSize: 64})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, c := plain.Parse(s), cached.Parse(s), cached.Parse(s)
		if a != b || b != c {
			t.Fatalf("%q: answers differ: %+v, %+v (cached), %+v (cached again)", s, a, b, c)
		}
		if a.Name == "Other" || a.OSName == "Other" {
			t.Fatalf("%q: Other came out: %+v", s, a)
		}
		if (a.Version != "" && nonZero(a.Version) == "") || (a.OSVersion != "" && nonZero(a.OSVersion) == "") {
			t.Fatalf("%q: an all-zero version came out: %+v", s, a)
		}
		if (a.Name == "" && a.Version != "") || (a.OSName == "" && a.OSVersion != "") {
			t.Fatalf("%q: a version without its name: %+v", s, a)
		}
		if len(s) > MaxLength && a != (Agent{}) {
			t.Fatalf("a %d-byte string was parsed: %+v", len(s), a)
		}
	})
}
