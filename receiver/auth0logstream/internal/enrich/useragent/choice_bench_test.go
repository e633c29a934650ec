// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package useragent

import (
	"fmt"
	"strings"
	"testing"

	medama "github.com/medama-io/go-useragent"
)

// The parser choice, measured: uap-go (the uap-core rules, behind this
// package's pre-parsed and product/version readers) against
// medama-io/go-useragent (a trie, zero allocations) on the raw rows of the
// table test. Each reports its cost per string with no cache and, as
// "fields-right", the share of the four attributes it gets right, judged
// leniently for medama: its own names count ("MacOS" for "Mac OS X",
// "Chrome" for "Chrome Mobile", ...) and a longer version with the right
// prefix counts.
//
//	go test -run '^$' -bench ParserChoice ./receiver/auth0logstream/internal/enrich/useragent

func rawRows() []row {
	return append(append([]row{}, browserRows...), clientRows...)
}

// family folds uap-core's names onto medama's, so naming is not judged.
func family(s string) string {
	s = strings.ToLower(s)
	for _, f := range []struct{ from, to string }{
		{"mobile safari", "safari"}, {"chrome mobile webview", "chrome"}, {"chrome mobile ios", "chrome"},
		{"chrome mobile", "chrome"}, {"firefox mobile", "firefox"}, {"firefox ios", "firefox"},
		{"edge mobile", "edge"}, {"samsung internet", "samsung browser"}, {"mac os x", "macos"},
		{"chrome os", "chromeos"}, {"ubuntu", "linux"},
	} {
		if s == f.from {
			return f.to
		}
	}
	return s
}

func fieldsRight(got, want Agent, lenient bool) int {
	n := 0
	eqName := func(a, b string) bool {
		if lenient {
			return family(a) == family(b)
		}
		return a == b
	}
	eqVersion := func(g, w string) bool {
		if lenient && w != "" {
			return strings.HasPrefix(g, w)
		}
		return g == w
	}
	if eqName(got.Name, want.Name) {
		n++
	}
	if eqVersion(got.Version, want.Version) {
		n++
	}
	if eqName(got.OSName, want.OSName) {
		n++
	}
	if eqVersion(got.OSVersion, want.OSVersion) {
		n++
	}
	return n
}

func BenchmarkParserChoice(b *testing.B) {
	rows := rawRows()
	uapParser, err := New(Options{CacheSize: 0})
	if err != nil {
		b.Fatal(err)
	}
	md := medama.NewParser()
	parsers := []struct {
		name    string
		lenient bool
		parse   func(string) Agent
	}{
		{"uap", false, uapParser.Parse},
		{"medama", true, func(s string) Agent {
			ua := md.Parse(s)
			// medama has no OS version at all.
			return Agent{Name: string(ua.Browser()), Version: ua.BrowserVersion(), OSName: string(ua.OS())}
		}},
	}
	for _, p := range parsers {
		b.Run(fmt.Sprintf("parser=%s", p.name), func(b *testing.B) {
			right := 0
			for _, r := range rows {
				right += fieldsRight(p.parse(r.in), r.want, p.lenient)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p.parse(rows[i%len(rows)].in)
				i++
			}
			b.ReportMetric(float64(right)/float64(4*len(rows)), "fields-right")
		})
	}
}

// BenchmarkParse is the cost the receiver pays per record: a cached answer
// for a repeated string, and a miss for a string never seen.
func BenchmarkParse(b *testing.B) {
	rows := append(append([]row{}, auth0Rows...), browserRows...)
	b.Run("cache=hit", func(b *testing.B) {
		p, _ := New(Options{CacheSize: DefaultCacheSize})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p.Parse(rows[i%len(rows)].in)
			i++
		}
	})
	b.Run("cache=off/form=auth0", func(b *testing.B) {
		p, _ := New(Options{CacheSize: 0})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p.Parse(auth0Rows[i%len(auth0Rows)].in)
			i++
		}
	})
	b.Run("cache=off/form=raw", func(b *testing.B) {
		p, _ := New(Options{CacheSize: 0})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p.Parse(browserRows[i%len(browserRows)].in)
			i++
		}
	})
	b.Run("cache=miss/form=raw", func(b *testing.B) {
		// Every string new: the cache's worst case, a miss and an eviction.
		p, _ := New(Options{CacheSize: 64})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p.Parse(browserRows[i%len(browserRows)].in + fmt.Sprintf(" x/%d", i))
			i++
		}
	})
}
