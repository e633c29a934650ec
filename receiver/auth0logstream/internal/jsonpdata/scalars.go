// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonpdata

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonstr"
)

// str reads a string at p.pos ('"'). Without escapes it is a substring of
// the source: no allocation.
func (p *Parser) str() (string, error) {
	start := p.pos + 1
	i := start
	for i = jsonstr.IndexSpecial(p.raw, i); i < len(p.src); i++ {
		switch c := p.src[i]; {
		case c == '"':
			p.pos = i + 1
			s := p.src[start:i]
			if !p.validUTF8 {
				s = ValidUTF8(s)
			}
			return s, nil
		case c == '\\':
			return p.escapedStr(start, i)
		case c < 0x20:
			p.pos = i
			return "", p.syntax("control character in string")
		}
	}
	p.pos = len(p.src)
	return "", p.syntax("unterminated string")
}

// escapedStr decodes a string with escapes, from start, the first byte after
// the quote; i is the first backslash.
func (p *Parser) escapedStr(start, i int) (string, error) {
	b := p.scratch[:0] // reused across strings; kept in p.scratch when done
	b = append(b, p.src[start:i]...)
	for i < len(p.src) {
		c := p.src[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.scratch = b
			if !p.validUTF8 {
				return strings.ToValidUTF8(string(b), "\uFFFD"), nil
			}
			return string(b), nil
		case c < 0x20:
			p.pos = i
			return "", p.syntax("control character in string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(p.src) {
			break
		}
		switch e := p.src[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n, ok := p.unicodeEscape(i)
			if !ok {
				p.pos = i
				return "", p.syntax("invalid \\u escape")
			}
			b = utf8.AppendRune(b, r)
			i += n
			continue
		default:
			p.pos = i
			return "", p.syntax("invalid escape")
		}
		i += 2
	}
	p.pos = len(p.src)
	return "", p.syntax("unterminated string")
}

// unicodeEscape decodes \uXXXX at i, joining a surrogate pair; a lone
// surrogate becomes U+FFFD, as encoding/json does. It returns the bytes used.
func (p *Parser) unicodeEscape(i int) (rune, int, bool) {
	r, ok := hex4(p.src, i+2)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if i+12 <= len(p.src) && p.src[i+6] == '\\' && p.src[i+7] == 'u' {
		if r2, ok := hex4(p.src, i+8); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12, true
			}
		}
	}
	return utf8.RuneError, 6, true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number keeps integers as Int and everything else as Double, matching
// what a JSON reader of the original text would see.
func (p *Parser) number(dst pcommon.Value) error {
	start := p.pos
	i := start
	if i < len(p.src) && p.src[i] == '-' {
		i++
	}
	intStart := i
	i = p.digits(i)
	if i == intStart || (p.src[intStart] == '0' && i-intStart > 1) {
		p.pos = intStart
		return p.syntax("invalid number")
	}
	isInt := true
	if i < len(p.src) && p.src[i] == '.' {
		isInt = false
		i++
		fracStart := i
		i = p.digits(i)
		if i == fracStart {
			p.pos = i
			return p.syntax("invalid number")
		}
	}
	if i < len(p.src) && (p.src[i] == 'e' || p.src[i] == 'E') {
		isInt = false
		i++
		if i < len(p.src) && (p.src[i] == '+' || p.src[i] == '-') {
			i++
		}
		expStart := i
		i = p.digits(i)
		if i == expStart {
			p.pos = i
			return p.syntax("invalid number")
		}
	}
	p.pos = i
	text := p.src[start:i]
	if isInt {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			dst.SetInt(n)
			return nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return p.syntax("invalid number")
	}
	dst.SetDouble(f)
	return nil
}

// digits returns the index of the first byte at or after i that is not a
// decimal digit.
func (p *Parser) digits(i int) int {
	for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
		i++
	}
	return i
}

// ValidUTF8 replaces invalid sequences: OTLP strings must be valid UTF-8,
// or the exporter's protobuf encoding fails far from the cause.
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
