// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// piiFields are the fields Auth0's PII obfuscation can mask at the source.
var piiFields = []string{"user_name", "email", "phone_number", "name", "given_name", "family_name", "address"}

const masked = `"***"`

var maskedBytes = []byte(masked)

func isPIIName(name []byte) bool {
	for _, f := range piiFields {
		if equalFoldASCII(name, f) {
			return true
		}
	}
	return false
}

// equalFoldASCII is strings.EqualFold for an ASCII s, without allocating.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// sample writes a display-safe copy of raw into dst (reusing its memory):
// at most MaxScanBytes of raw are read and at most MaxSampleBytes written,
// as valid UTF-8 without control characters other than tab and newline.
// With mask, PII values are replaced (see maskJSON); loose adds the
// state-free rule for text that may not be JSON. It reports whether the
// sample is shorter than raw would have been.
func sample(dst, raw []byte, mask, loose bool) ([]byte, bool) {
	if cap(dst) < MaxSampleBytes {
		dst = make([]byte, 0, MaxSampleBytes)
	}
	in, cut := raw, false
	if len(in) > MaxScanBytes {
		in, cut = in[:MaxScanBytes], true
	}
	w := sampleWriter{b: dst[:0]}
	if mask {
		maskJSON(&w, in)
	} else {
		w.write(in)
	}
	out := w.b
	if mask && loose {
		if m := maskLoose(out); m != nil {
			w2 := sampleWriter{b: out[:0]}
			w2.write(m)
			out, w.truncated = w2.b, w.truncated || w2.truncated
		}
	}
	return out, cut || w.truncated
}

// sampleWriter appends to b up to MaxSampleBytes, replacing invalid UTF-8
// and control characters (which a terminal browser might interpret) with
// U+FFFD, and stops at a rune boundary when full.
type sampleWriter struct {
	b         []byte
	truncated bool
}

func (w *sampleWriter) write(p []byte) {
	for len(p) > 0 && !w.truncated {
		// The usual case: a run of printable ASCII, appended at once, found
		// eight bytes at a time.
		i := 0
		for i+8 <= len(p) && printable8(binary.LittleEndian.Uint64(p[i:])) {
			i += 8
		}
		for i < len(p) {
			if c := p[i]; (c < 0x20 && c != '\t' && c != '\n') || c >= 0x7f {
				break
			}
			i++
		}
		if i > 0 {
			if room := MaxSampleBytes - len(w.b); i > room {
				w.b = append(w.b, p[:room]...)
				w.truncated = true
				return
			}
			w.b = append(w.b, p[:i]...)
			p = p[i:]
			continue
		}
		r, size := utf8.DecodeRune(p)
		piece := p[:size]
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			piece = replacementChar
		}
		if len(w.b)+len(piece) > MaxSampleBytes {
			w.truncated = true
			return
		}
		w.b = append(w.b, piece...)
		p = p[size:]
	}
}

var replacementChar = []byte("\uFFFD")

// printable8 reports whether all eight bytes of x are printable ASCII
// (0x20 to 0x7e). It may report false for a printable word (a borrow), never
// true for one that is not.
func printable8(x uint64) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x20*lsb) &^ x // a byte under 0x20 sets its top bit
	above := (x + lsb) | x       // a byte of 0x7f or more sets its top bit
	return (below|above)&msb == 0
}

// maskJSON copies in to w, replacing the value of every object member whose
// key is a PII field, at any depth, with "***". It scans lexically (strings
// and nesting), so it is exact for valid JSON and still does its best on
// text cut short by the scan window: a PII value that runs past the end of
// in is masked to the end.
func maskJSON(w *sampleWriter, in []byte) {
	last := 0
	for i := 0; i < len(in) && !w.truncated; {
		q := bytes.IndexByte(in[i:], '"')
		if q < 0 {
			break
		}
		i += q
		end := skipString(in, i)
		j := skipSpaces(in, end)
		if j < len(in) && in[j] == ':' && isPIIKey(in[i:end]) {
			k := skipSpaces(in, j+1)
			w.write(in[last:k])
			w.write(maskedBytes)
			i = skipValue(in, k)
			last = i
			continue
		}
		i = end
	}
	w.write(in[last:])
}

// isPIIKey reports whether the quoted JSON string q names a PII field.
func isPIIKey(q []byte) bool {
	if len(q) < 2 || q[len(q)-1] != '"' {
		return false
	}
	inner := q[1 : len(q)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return isPIIName(inner)
	}
	var s string
	if json.Unmarshal(q, &s) != nil {
		return false
	}
	return isPIIName([]byte(s))
}

// skipString returns the index just past the string starting at in[i]
// (a quote), or len(in) when it is not terminated.
func skipString(in []byte, i int) int {
	for j := i + 1; j < len(in); {
		k := bytes.IndexByte(in[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		backslashes := 0
		for p := q - 1; p > i && in[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
	return len(in)
}

func skipSpaces(in []byte, i int) int {
	for i < len(in) && isSpace(in[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipValue returns the index just past the JSON value starting at in[i],
// or len(in) when it runs to the end.
func skipValue(in []byte, i int) int {
	if i >= len(in) {
		return i
	}
	switch in[i] {
	case '"':
		return skipString(in, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(in); j++ {
			switch in[j] {
			case '"':
				j = skipString(in, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(in)
	}
	for j := i; j < len(in); j++ {
		switch in[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
	}
	return len(in)
}

// maskLoose is the rule for a malformed line, applied after maskJSON: broken
// quoting can make a lexical scan take a key for string content, so it
// looks for every PII field name anywhere in the text, as a whole word in any
// case, followed (after an optional quote, escaped or not) by ':' or '=',
// and masks the value that follows: a quoted string to its closing quote, an
// object or array to its matching bracket, anything else to the next
// delimiter; each to the end of the text if it does not close. It returns
// nil when nothing needed masking.
func maskLoose(t []byte) []byte {
	lower := asciiLower(t) // same offsets as t
	type span struct {
		from, to int
		quoted   bool
	}
	var spans []span
	for _, name := range piiFields {
		for off := 0; off < len(lower); {
			idx := bytes.Index(lower[off:], []byte(name))
			if idx < 0 {
				break
			}
			at := off + idx
			off = at + len(name)
			if at > 0 && isWordByte(lower[at-1]) || off < len(lower) && isWordByte(lower[off]) {
				continue
			}
			p := off
			if p+1 < len(t) && t[p] == '\\' && t[p+1] == '"' {
				p += 2
			} else if p < len(t) && (t[p] == '"' || t[p] == '\'') {
				p++
			}
			p = skipSpaces(t, p)
			if p >= len(t) || (t[p] != ':' && t[p] != '=') {
				continue
			}
			v := skipSpaces(t, p+1)
			end, quoted := looseValueEnd(t, v)
			if end > v && string(t[v:end]) != masked && string(t[v:end]) != "***" {
				spans = append(spans, span{v, end, quoted})
			}
		}
	}
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	out := make([]byte, 0, len(t))
	pos := 0
	for _, s := range spans {
		if s.from < pos {
			continue // inside a value already masked
		}
		out = append(out, t[pos:s.from]...)
		if s.quoted {
			out = append(out, masked...)
		} else {
			out = append(out, "***"...)
		}
		pos = s.to
	}
	return append(out, t[pos:]...)
}

// looseValueEnd finds the end of the value starting at t[v] for maskLoose.
func looseValueEnd(t []byte, v int) (int, bool) {
	if v >= len(t) {
		return v, false
	}
	switch {
	case t[v] == '\\' && v+1 < len(t) && t[v+1] == '"':
		if i := bytes.Index(t[v+2:], []byte(`\"`)); i >= 0 {
			return v + 2 + i + 2, false
		}
		return len(t), false
	case t[v] == '"' || t[v] == '\'':
		q := t[v]
		for j := v + 1; j < len(t); j++ {
			if t[j] == '\\' {
				j++
				continue
			}
			if t[j] == q {
				return j + 1, q == '"'
			}
		}
		return len(t), q == '"'
	case t[v] == '{' || t[v] == '[':
		depth := 0
		for j := v; j < len(t); j++ {
			switch t[j] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, false
				}
			}
		}
		return len(t), false
	}
	for j := v; j < len(t); j++ {
		switch t[j] {
		case ',', '}', ']', '&', ';', ' ', '\t', '\n', '\r':
			return j, false
		}
	}
	return len(t), false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func asciiLower(t []byte) []byte {
	out := make([]byte, len(t))
	for i, c := range t {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
