// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package useragent sets user_agent.name, user_agent.version,
// user_agent.os.name and user_agent.os.version from user_agent.original.
//
// Auth0 sends user agents in two forms. Most events carry its own pre-parsed
// summary, "Chrome 125.0.0 / Mac OS X 10.15.7", made with the uap-core rules;
// it is split without a regular expression. Other events carry the raw
// header, which is parsed with uap-go (the uap-core rules, as Elastic's
// parser uses). Client libraries that uap-core does not know, such as
// node.js/14.19.1 or deploy-cli/7.12.1, are read as a leading product/version
// token. "Other" and all-zero versions mean unknown and are left out.
//
// Parsing a raw string runs hundreds of regular expressions (about half a
// millisecond, measured by BenchmarkParse), so answers are kept in a bounded
// LRU cache keyed by the string: streams repeat the same few agents. A flood
// of distinct raw strings (a botnet's credential stuffing, each request with
// its own agent) would still cost half a millisecond an event, so full
// parses are also limited per second; past the limit a raw string gets only
// what the cheap readers find, and is not cached, so it is parsed in full
// when it comes back within the limit.
package useragent

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/ua-parser/uap-go/uaparser"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Attribute names, from the OpenTelemetry semantic conventions.
const (
	AttrOriginal  = "user_agent.original"
	AttrName      = "user_agent.name"
	AttrVersion   = "user_agent.version"
	AttrOSName    = "user_agent.os.name"
	AttrOSVersion = "user_agent.os.version"
)

const (
	// DefaultCacheSize is the number of distinct agent strings remembered.
	DefaultCacheSize = 4096
	// MaxCacheSize bounds the cache's memory (a few hundred bytes an entry).
	MaxCacheSize = 1 << 20
	// DefaultMaxParsesPerSecond bounds the full parses of uncached raw
	// strings: at about 0.5 ms each, 100 a second is at most 5% of a core.
	DefaultMaxParsesPerSecond = 100
	// MaxLength is the longest string parsed; longer ones get no attributes.
	// Real agents are a few hundred bytes; the bound caps the regex work a
	// hostile value can cause and keeps it out of the cache.
	MaxLength = 1024
)

// Agent is what a user-agent string says; empty fields are unknown.
type Agent struct {
	Name, Version, OSName, OSVersion string
}

// Options configure a Parser.
type Options struct {
	// CacheSize is how many answers are remembered (0: none).
	CacheSize int
	// MaxParsesPerSecond bounds full parses of raw strings that are not in
	// the cache; 0 means no limit.
	MaxParsesPerSecond int
}

// Parser parses user-agent strings. It is safe for concurrent use.
type Parser struct {
	cache *lru.Cache[string, Agent] // nil: no cache
	limit int64
	now   func() time.Time

	// The current one-second window of the parse limit and the full parses
	// started in it.
	window atomic.Int64
	used   atomic.Int64
}

// uap compiles the uap-core rules once per process (about a thousand
// regular expressions) however many receivers use them.
var uap = sync.OnceValues(func() (*uaparser.Parser, error) {
	// uap-go keeps an ARC cache of its own, which cannot be turned off;
	// the smallest one keeps it from holding a second copy of ours.
	return uaparser.New(uaparser.WithCacheSize(1))
})

// New returns a parser.
func New(opts Options) (*Parser, error) {
	if opts.CacheSize < 0 || opts.CacheSize > MaxCacheSize {
		return nil, fmt.Errorf("user agent cache size %d is outside 0..%d", opts.CacheSize, MaxCacheSize)
	}
	if opts.MaxParsesPerSecond < 0 {
		return nil, fmt.Errorf("user agent max parses per second %d is negative", opts.MaxParsesPerSecond)
	}
	if _, err := uap(); err != nil {
		return nil, fmt.Errorf("user agent rules: %w", err)
	}
	p := &Parser{limit: int64(opts.MaxParsesPerSecond), now: time.Now}
	if opts.CacheSize > 0 {
		p.cache, _ = lru.New[string, Agent](opts.CacheSize)
	}
	return p, nil
}

// allowParse takes one full parse from the current second's allowance.
func (p *Parser) allowParse() bool {
	if p.limit == 0 {
		return true
	}
	sec := p.now().Unix()
	if w := p.window.Load(); w != sec && p.window.CompareAndSwap(w, sec) {
		p.used.Store(0)
	}
	return p.used.Add(1) <= p.limit
}

// Enrich sets the parsed attributes from attrs' user_agent.original. It sets
// only what is known and leaves attrs alone when there is nothing to parse.
func (p *Parser) Enrich(attrs pcommon.Map) {
	v, ok := attrs.Get(AttrOriginal)
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return
	}
	a := p.Parse(v.Str())
	putNonEmpty(attrs, AttrName, a.Name)
	putNonEmpty(attrs, AttrVersion, a.Version)
	putNonEmpty(attrs, AttrOSName, a.OSName)
	putNonEmpty(attrs, AttrOSVersion, a.OSVersion)
}

func putNonEmpty(attrs pcommon.Map, k, v string) {
	if v != "" {
		attrs.PutStr(k, v)
	}
}

// Parse returns what s says about the agent and its operating system.
func (p *Parser) Parse(s string) Agent {
	if s == "" || len(s) > MaxLength {
		return Agent{}
	}
	// Auth0's own pre-parsed form, most events' user_agent, reads in a few
	// comparisons: cheaper than the cache, whose lookup takes a lock.
	if a, ok := parseAuth0(s); ok {
		return a
	}
	if p.cache != nil {
		if a, ok := p.cache.Get(s); ok {
			return a
		}
		// A copy, and the answer cut from the copy: s may share memory with
		// the whole request body, which the cache must not keep alive.
		s = strings.Clone(s)
	}
	a, complete := p.parse(s)
	if p.cache != nil && complete {
		p.cache.Add(s, a)
	}
	return a
}

// parse reads s, which is not in Auth0's pre-parsed form; complete is false when the parse limit left it to the
// cheap readers only.
func (p *Parser) parse(s string) (a Agent, complete bool) {
	if !p.allowParse() {
		a.Name, a.Version = product(s)
		return a, false
	}
	up, err := uap()
	if err != nil { // New has already succeeded, so this does not happen
		return Agent{}, false
	}
	ua := up.ParseUserAgent(s)
	a.Name, a.Version = known(ua.Family), version(ua.Major, ua.Minor, ua.Patch)
	if a.Name == "" {
		a.Name, a.Version = product(s)
	}
	os := up.ParseOs(s)
	if name := known(os.Family); name != "" {
		a.OSName, a.OSVersion = name, version(os.Major, os.Minor, os.Patch, os.PatchMinor)
	}
	return a, true
}

// parseAuth0 splits Auth0's pre-parsed form, "<name> <version> / <os>
// <version>", e.g. "Chrome 125.0.0 / Mac OS X 10.15.7" or
// "Other 0.0.0 / Other 0.0.0". Names may contain spaces; versions are dotted
// numbers.
func parseAuth0(s string) (Agent, bool) {
	left, right, ok := strings.Cut(s, " / ")
	if !ok || strings.Contains(right, " / ") {
		return Agent{}, false
	}
	name, ver, ok1 := splitNameVersion(left)
	osName, osVer, ok2 := splitNameVersion(right)
	if !ok1 || !ok2 {
		return Agent{}, false
	}
	a := Agent{Name: known(name), OSName: known(osName)}
	if a.Name != "" {
		a.Version = nonZero(ver)
	}
	if a.OSName != "" {
		a.OSVersion = nonZero(osVer)
	}
	return a, true
}

// splitNameVersion splits "Mac OS X 10.15.7" into "Mac OS X" and "10.15.7".
func splitNameVersion(s string) (name, ver string, ok bool) {
	i := strings.LastIndexByte(s, ' ')
	if i <= 0 || !dotted(s[i+1:]) {
		return "", "", false
	}
	name = s[:i]
	if strings.TrimSpace(name) != name || strings.ContainsAny(name, "/;()") {
		return "", "", false
	}
	return name, s[i+1:], true
}

// dotted reports whether s is a version made of numbers and dots, such as
// 125.0.0, starting and ending with a digit.
func dotted(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
		if c == '.' && s[i-1] == '.' {
			return false
		}
	}
	return true
}

// nonZero drops versions that say nothing: 0, 0.0, 0.0.0.
func nonZero(v string) string {
	if strings.Trim(v, "0.") == "" {
		return ""
	}
	return v
}

// known drops the parsers' word for unknown.
func known(name string) string {
	if name == "Other" {
		return ""
	}
	return name
}

// version joins the numeric parts uap-core found, stopping at the first
// missing one, and drops an all-zero result.
func version(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			break
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return nonZero(b.String())
}

// product reads a leading product/version token (RFC 9110 User-Agent
// grammar) for client libraries uap-core does not know: node.js/14.19.1,
// deploy-cli/7.12.1 (node.js/16.15.0). A bare Mozilla/5.0 says nothing
// about the agent and is not taken.
func product(s string) (name, ver string) {
	tok, _, _ := strings.Cut(s, " ")
	name, ver, ok := strings.Cut(tok, "/")
	if !ok || name == "" || !isToken(name) || !dotted(ver) || strings.EqualFold(name, "Mozilla") {
		return "", ""
	}
	// Letters make a name; a token of digits and punctuation is not one.
	if strings.IndexFunc(name, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) < 0 {
		return "", ""
	}
	return name, nonZero(ver)
}

// isToken reports whether s is made of RFC 9110 token characters.
func isToken(s string) bool {
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
