// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package useragent

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

type row struct {
	in   string
	want Agent
}

// auth0Rows are Auth0's pre-parsed form, as its events carry it.
var auth0Rows = []row{
	{"Chrome 125.0.0 / Mac OS X 10.15.7", Agent{"Chrome", "125.0.0", "Mac OS X", "10.15.7"}},
	{"Firefox 126.0.0 / Linux 0.0.0", Agent{"Firefox", "126.0.0", "Linux", ""}},
	{"Firefox 125.0.0 / Arch 0.0.0", Agent{"Firefox", "125.0.0", "Arch", ""}},
	{"Other 0.0.0 / Other 0.0.0", Agent{}},
	{"Chrome Mobile 124.0.6367 / Android 14.0.0", Agent{"Chrome Mobile", "124.0.6367", "Android", "14.0.0"}},
	{"Mobile Safari 17.5.0 / iOS 17.5.1", Agent{"Mobile Safari", "17.5.0", "iOS", "17.5.1"}},
	{"Edge 125.0.2535 / Windows 10.0.0", Agent{"Edge", "125.0.2535", "Windows", "10.0.0"}},
	{"Chrome Mobile iOS 125.0.6422 / iOS 17.4.0", Agent{"Chrome Mobile iOS", "125.0.6422", "iOS", "17.4.0"}},
	{"Other 0.0.0 / Windows 10.0.0", Agent{"", "", "Windows", "10.0.0"}},
	{"Node.js 0.0.0 / Other 0.0.0", Agent{"Node.js", "", "", ""}},
	// Not the pre-parsed form (two separators): the raw parser reads what
	// it can, here only the OS.
	{"Chrome 125.0.0 / Mac OS X 10.15.7 / extra 1.0", Agent{"", "", "Mac OS X", "10.15.7"}},
}

// browserRows are raw User-Agent headers of current browsers.
var browserRows = []row{
	// Windows
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
		Agent{"Chrome", "125.0.0", "Windows", "10"}},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
		Agent{"Firefox", "126.0", "Windows", "10"}},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67",
		Agent{"Edge", "125.0.2535", "Windows", "10"}},
	{"Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
		Agent{"Chrome", "109.0.0", "Windows", "7"}},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 OPR/110.0.0.0",
		Agent{"Opera", "110.0.0", "Windows", "10"}},
	// macOS
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
		Agent{"Chrome", "125.0.0", "Mac OS X", "10.15.7"}},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		Agent{"Safari", "17.5", "Mac OS X", "10.15.7"}},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:126.0) Gecko/20100101 Firefox/126.0",
		Agent{"Firefox", "126.0", "Mac OS X", "10.15"}},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67",
		Agent{"Edge", "125.0.2535", "Mac OS X", "10.15.7"}},
	// Linux and ChromeOS
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
		Agent{"Chrome", "125.0.0", "Linux", ""}},
	{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
		Agent{"Firefox", "126.0", "Ubuntu", ""}},
	{"Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
		Agent{"Firefox", "126.0", "Linux", ""}},
	{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
		Agent{"Chrome", "125.0.0", "Chrome OS", "14541.0.0"}},
	// iOS and iPadOS
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		Agent{"Mobile Safari", "17.5", "iOS", "17.5"}},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/125.0.6422.80 Mobile/15E148 Safari/604.1",
		Agent{"Chrome Mobile iOS", "125.0.6422", "iOS", "17.5"}},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/126.0 Mobile/15E148 Safari/605.1.15",
		Agent{"Firefox iOS", "126.0", "iOS", "17.5"}},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/125.2535.60 Mobile/15E148 Safari/605.1.15",
		Agent{"Edge Mobile", "125.2535.60", "iOS", "17.5"}},
	{"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		Agent{"Mobile Safari", "17.5", "iOS", "17.5"}},
	// Android
	{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
		Agent{"Chrome Mobile", "125.0.0", "Android", "10"}},
	{"Mozilla/5.0 (Android 14; Mobile; rv:126.0) Gecko/126.0 Firefox/126.0",
		Agent{"Firefox Mobile", "126.0", "Android", "14"}},
	{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36 EdgA/125.0.2535.51",
		Agent{"Edge Mobile", "125.0.2535", "Android", "10"}},
	{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
		Agent{"Samsung Internet", "25.0", "Android", "14"}},
	{"Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36",
		Agent{"Chrome Mobile", "116.0.0", "Android", "13"}},
	{"Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.64 Mobile Safari/537.36",
		Agent{"Chrome Mobile WebView", "122.0.6261", "Android", "14"}},
}

// clientRows are HTTP clients and tools that call Auth0's APIs.
var clientRows = []row{
	{"okhttp/4.12.0", Agent{"okhttp", "4.12.0", "", ""}},
	{"Go-http-client/2.0", Agent{"Go-http-client", "2.0", "", ""}},
	{"Go-http-client/1.1", Agent{"Go-http-client", "1.1", "", ""}},
	{"node.js/14.19.1", Agent{"node.js", "14.19.1", "", ""}},
	{"deploy-cli/7.12.1 (node.js/16.15.0)", Agent{"deploy-cli", "7.12.1", "", ""}},
	{"curl/8.4.0", Agent{"curl", "8.4.0", "", ""}},
	{"python-requests/2.31.0", Agent{"Python Requests", "2.31", "", ""}},
	{"axios/1.6.8", Agent{"axios", "1.6.8", "", ""}},
	{"auth0-terraform-provider/1.2.0", Agent{"auth0-terraform-provider", "1.2.0", "", ""}},
	{"my-tool/0.0.0", Agent{"my-tool", "", "", ""}},
}

// garbageRows carry nothing usable.
var garbageRows = []row{
	{"", Agent{}},
	{"-", Agent{}},
	{"null", Agent{}},
	{"Mozilla/5.0", Agent{}},
	{"Mozilla/5.0 (compatible)", Agent{}},
	{"<script>alert(1)</script>", Agent{}},
	{"12345/6.7", Agent{}},
	{"/1.0", Agent{}},
	{"name/", Agent{}},
	{"name/1..2", Agent{}},
	{"\x00\x01\x02", Agent{}},
	{"☃/1.0", Agent{}},
	{" / ", Agent{}},
	{"Chrome 125.0.0 / ", Agent{}},
	{"Chrome / Mac OS X", Agent{}},
	{strings.Repeat("A", MaxLength+1), Agent{}},
	{"Chrome/125.0 " + strings.Repeat("x", MaxLength), Agent{}}, // too long to parse at all
}

func TestParseTable(t *testing.T) {
	groups := map[string][]row{"auth0": auth0Rows, "browser": browserRows, "client": clientRows, "garbage": garbageRows}
	require.GreaterOrEqual(t, len(browserRows), 20)
	for _, cacheSize := range []int{0, 64} {
		p, err := New(Options{CacheSize: cacheSize})
		require.NoError(t, err)
		for name, rows := range groups {
			t.Run(fmt.Sprintf("cache=%d/%s", cacheSize, name), func(t *testing.T) {
				for _, r := range rows {
					for round := range 2 { // the second answer may come from the cache
						assert.Equal(t, r.want, p.Parse(r.in), "%q (round %d)", r.in, round)
					}
				}
			})
		}
	}
}

func TestEnrich(t *testing.T) {
	p, err := New(Options{CacheSize: 16})
	require.NoError(t, err)

	attrs := pcommon.NewMap()
	attrs.PutStr(AttrOriginal, "Firefox 126.0.0 / Linux 0.0.0")
	p.Enrich(attrs)
	assert.Equal(t, map[string]any{
		AttrOriginal: "Firefox 126.0.0 / Linux 0.0.0", AttrName: "Firefox", AttrVersion: "126.0.0", AttrOSName: "Linux",
	}, attrs.AsRaw(), "the unknown OS version is left out")

	attrs = pcommon.NewMap()
	attrs.PutStr(AttrOriginal, "Other 0.0.0 / Other 0.0.0")
	p.Enrich(attrs)
	assert.Equal(t, map[string]any{AttrOriginal: "Other 0.0.0 / Other 0.0.0"}, attrs.AsRaw())

	attrs = pcommon.NewMap()
	attrs.PutInt(AttrOriginal, 7) // not a string: nothing to parse
	p.Enrich(attrs)
	assert.Equal(t, map[string]any{AttrOriginal: int64(7)}, attrs.AsRaw())

	attrs = pcommon.NewMap()
	p.Enrich(attrs)
	assert.Equal(t, 0, attrs.Len())
}

func TestCacheIsBoundedAndKeepsNoInput(t *testing.T) {
	p, err := New(Options{CacheSize: 8})
	require.NoError(t, err)
	for i := range 100 {
		in := fmt.Sprintf("tool-%d/1.%d", i, i)
		assert.Equal(t, Agent{Name: fmt.Sprintf("tool-%d", i), Version: fmt.Sprintf("1.%d", i)}, p.Parse(in))
	}
	assert.Equal(t, 8, p.cache.Len())
	assert.False(t, p.cache.Contains(strings.Repeat("A", MaxLength+1)))
	p.Parse(strings.Repeat("A", MaxLength+1))
	for _, k := range p.cache.Keys() {
		assert.LessOrEqual(t, len(k), MaxLength, "over-long strings are not cached")
	}

	// The cached key is a copy: a string that shares memory with a request
	// buffer (as a zero-copy decoder makes) does not stay in the cache.
	buf := []byte("reused-buffer/9.9")
	in := unsafe.String(&buf[0], len(buf))
	assert.Equal(t, "reused-buffer", p.Parse(in).Name)
	for i := range buf {
		buf[i] = 'x'
	}
	assert.True(t, p.cache.Contains("reused-buffer/9.9"))
}

func TestNewRejectsBadCacheSize(t *testing.T) {
	_, err := New(Options{CacheSize: -1})
	assert.ErrorContains(t, err, "cache size")
	_, err = New(Options{CacheSize: MaxCacheSize + 1})
	assert.ErrorContains(t, err, "cache size")
	_, err = New(Options{MaxParsesPerSecond: -1})
	assert.ErrorContains(t, err, "max parses per second")
}

func TestParseLimit(t *testing.T) {
	p, err := New(Options{CacheSize: 64, MaxParsesPerSecond: 2})
	require.NoError(t, err)
	now := time.Unix(1_700_000_000, 0)
	p.now = func() time.Time { return now }

	raw := browserRows[:4]
	// Two full parses fit in this second.
	assert.Equal(t, raw[0].want, p.Parse(raw[0].in))
	assert.Equal(t, raw[1].want, p.Parse(raw[1].in))
	// The third raw string only gets the cheap readers: nothing for a
	// browser, and it is not cached.
	assert.Equal(t, Agent{}, p.Parse(raw[2].in))
	assert.False(t, p.cache.Contains(raw[2].in))
	// The cheap readers still work past the limit.
	assert.Equal(t, Agent{"Chrome", "125.0.0", "Mac OS X", "10.15.7"}, p.Parse("Chrome 125.0.0 / Mac OS X 10.15.7"))
	assert.Equal(t, Agent{Name: "deploy-cli", Version: "7.12.1"}, p.Parse("deploy-cli/7.12.1 (node.js/16.15.0)"))
	// Cached answers are not limited.
	assert.Equal(t, raw[0].want, p.Parse(raw[0].in))

	// The next second has a new allowance: the string is parsed in full now.
	now = now.Add(time.Second)
	assert.Equal(t, raw[2].want, p.Parse(raw[2].in))
	assert.True(t, p.cache.Contains(raw[2].in))
}

func TestConcurrentParse(t *testing.T) {
	p, err := New(Options{CacheSize: 4}) // smaller than the table: entries are evicted while others read
	require.NoError(t, err)
	rows := append(append([]row{}, auth0Rows...), browserRows...)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				r := rows[(i*7+g)%len(rows)]
				if got := p.Parse(r.in); got != r.want {
					select {
					case errs <- fmt.Sprintf("%q: got %+v, want %+v", r.in, got, r.want):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// The pre-parsed form is read before the cache, so it takes no cache lock
// and no cache slot; raw strings are cached.
func TestPreParsedFormBypassesTheCache(t *testing.T) {
	p, err := New(Options{CacheSize: 16})
	require.NoError(t, err)
	for _, r := range auth0Rows {
		if strings.Count(r.in, " / ") == 1 { // the pre-parsed form has one separator
			assert.Equal(t, r.want, p.Parse(r.in), r.in)
		}
	}
	assert.Equal(t, 0, p.cache.Len(), "pre-parsed agents are not cached")
	p.Parse(browserRows[0].in)
	assert.Equal(t, 1, p.cache.Len(), "a raw agent is")
}
