// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package jsonpdata parses JSON text straight into pdata values, without an
// intermediate tree. It knows JSON (RFC 8259, strictly: what it accepts,
// encoding/json accepts) and pdata, and nothing about what the values mean.
//
// The text is copied into one string per parse and every key and unescaped
// string value is a substring of it, so a value costs one string allocation
// however many fields it has.
//
// Objects are filled through a MapWriter, which appends without the
// existence scan pcommon.Map does on every put, and gives the same map
// pcommon.Map.PutEmpty would have built when JSON repeats a name.
package jsonpdata

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonstr"
)

const (
	// MaxNesting bounds recursion on hostile input; real events nest
	// fewer than ten levels.
	MaxNesting = 64
	// MaxMembers bounds one object's or array's size: a repeated name is
	// confirmed by a scan of the names before it, so a huge object of
	// colliding names would cost quadratic time.
	MaxMembers = 4096
)

var (
	// ErrTooDeep: containers nested deeper than MaxNesting.
	ErrTooDeep = errors.New("JSON nested deeper than " + strconv.Itoa(MaxNesting) + " levels")
	// ErrTooWide: a container with more than MaxMembers members.
	ErrTooWide = errors.New("JSON object has more than " + strconv.Itoa(MaxMembers) + " members")
)

// Kind is the kind of the next value, read from its first byte.
type Kind uint8

const (
	KindInvalid Kind = iota // end of input, or a byte no value starts with
	KindObject
	KindArray
	KindString
	KindNumber
	KindBool
	KindNull
)

// Parser reads one JSON text at a time. It is reused across texts and is
// not safe for concurrent use.
type Parser struct {
	raw       []byte // the text, for word-at-a-time scanning
	src       string // the same text as one string, shared by all keys and values
	pos       int
	depth     int
	validUTF8 bool // the whole text is valid UTF-8: no per-string check needed
	scratch   []byte
	hints     []int
	nextHint  int
	// objects holds one writer per nesting depth, made once and reused:
	// an object is being built at every depth above the current one.
	objects [MaxNesting + 1]*MapWriter
}

// Begin starts parsing raw. hints, which may be nil, are the member counts
// of raw's containers in document order (as jsonframe finds them); they
// only size allocations, so wrong hints cost memory, never correctness.
func (p *Parser) Begin(raw []byte, hints []int) {
	p.raw, p.src = raw, string(raw)
	p.pos, p.depth = 0, 0
	p.validUTF8 = utf8.ValidString(p.src)
	p.hints, p.nextHint = hints, 0
	p.skipSpace()
}

// End checks that nothing but white space follows the value, and drops the
// references to the text.
func (p *Parser) End() error {
	p.skipSpace()
	trailing := p.pos < len(p.src)
	p.raw, p.src, p.hints = nil, "", nil
	if trailing {
		return errors.New("malformed JSON: unexpected data after a JSON value")
	}
	return nil
}

// Next reports the kind of the value at the current position.
func (p *Parser) Next() Kind {
	if p.pos >= len(p.src) {
		return KindInvalid
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return KindObject
	case c == '[':
		return KindArray
	case c == '"':
		return KindString
	case c == 't' || c == 'f':
		return KindBool
	case c == 'n':
		return KindNull
	case c == '-' || (c >= '0' && c <= '9'):
		return KindNumber
	}
	return KindInvalid
}

// Members iterates over an object's members. The caller reads each
// member's value (Value, Object, String) before asking for the next.
type Members struct {
	p     *Parser
	n     int
	ended bool
}

// Object starts reading the object at the current position; capacity is
// its member count as hinted, for sizing the destination.
func (p *Parser) Object() (it Members, capacity int, err error) {
	if p.Next() != KindObject {
		return Members{}, 0, p.syntax("expected an object")
	}
	if p.depth >= MaxNesting {
		return Members{}, 0, ErrTooDeep
	}
	p.depth++
	p.pos++ // '{'
	capacity = p.capacityHint()
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return Members{p: p, ended: true}, capacity, nil
	}
	return Members{p: p}, capacity, nil
}

// Next returns the next member's name, positioned at its value, or ok false
// after the closing brace. This is the one place the grammar of object
// members is written.
func (it *Members) Next() (key string, ok bool, err error) {
	p := it.p
	if it.ended {
		return "", false, nil
	}
	if it.n > 0 {
		closed, err := p.afterMember('}')
		if err != nil {
			return "", false, err
		}
		if closed {
			it.ended = true
			p.depth--
			return "", false, nil
		}
	}
	if it.n >= MaxMembers {
		return "", false, ErrTooWide
	}
	it.n++
	if p.pos >= len(p.src) || p.src[p.pos] != '"' {
		return "", false, p.syntax("expected a member name")
	}
	if key, err = p.str(); err != nil {
		return "", false, err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != ':' {
		return "", false, p.syntax("expected ':'")
	}
	p.pos++
	p.skipSpace()
	return key, true, nil
}

// ReadObject reads the object at the current position into m, which must
// be empty. onMember, if not nil, sees each member once its value is complete.
func (p *Parser) ReadObject(m pcommon.Map, onMember func(string, pcommon.Value)) error {
	it, capacity, err := p.Object()
	if err != nil {
		return err
	}
	if it.ended {
		return nil // {}: Object has already closed it, and left its depth
	}
	w := p.objects[p.depth]
	if w == nil {
		w = &MapWriter{}
		p.objects[p.depth] = w
	}
	w.Start(m, capacity)
	defer w.Finish()
	for {
		key, ok, err := it.Next()
		if err != nil || !ok {
			return err
		}
		v := w.PutEmpty(key)
		if err := p.Value(v); err != nil {
			return err
		}
		if onMember != nil {
			onMember(key, v)
		}
	}
}

// Value reads the value at the current position into dst. null leaves dst
// empty: nothing is invented for it.
func (p *Parser) Value(dst pcommon.Value) error {
	switch p.Next() {
	case KindString:
		s, err := p.str()
		if err != nil {
			return err
		}
		dst.SetStr(s)
	case KindObject:
		return p.ReadObject(dst.SetEmptyMap(), nil)
	case KindArray:
		return p.array(dst.SetEmptySlice())
	case KindBool:
		if strings.HasPrefix(p.src[p.pos:], "true") {
			p.pos += 4
			dst.SetBool(true)
		} else if strings.HasPrefix(p.src[p.pos:], "false") {
			p.pos += 5
			dst.SetBool(false)
		} else {
			return p.syntax("invalid literal")
		}
	case KindNull:
		if !strings.HasPrefix(p.src[p.pos:], "null") {
			return p.syntax("invalid literal")
		}
		p.pos += 4
	case KindNumber:
		return p.number(dst)
	default:
		return p.syntax("expected a value")
	}
	return nil
}

// String reads the string at the current position.
func (p *Parser) String() (string, error) {
	if p.Next() != KindString {
		return "", p.syntax("expected a string")
	}
	return p.str()
}

func (p *Parser) array(s pcommon.Slice) error {
	if p.depth >= MaxNesting {
		return ErrTooDeep
	}
	p.depth++
	p.pos++ // '['
	s.EnsureCapacity(p.capacityHint())
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return nil
	}
	for {
		if s.Len() >= MaxMembers {
			return ErrTooWide
		}
		if err := p.Value(s.AppendEmpty()); err != nil {
			return err
		}
		closed, err := p.afterMember(']')
		if err != nil {
			return err
		}
		if closed {
			p.depth--
			return nil
		}
	}
}

// afterMember consumes what follows a member or element: a comma, or the
// closing bracket, which ends the container.
func (p *Parser) afterMember(closing byte) (closed bool, err error) {
	p.skipSpace()
	if p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
			return false, nil
		case closing:
			p.pos++
			return true, nil
		}
	}
	return false, p.syntax("expected ',' or '" + string(closing) + "'")
}

// capacityHint returns the hinted size of the container being opened.
func (p *Parser) capacityHint() int {
	if p.nextHint >= len(p.hints) {
		return 0
	}
	n := p.hints[p.nextHint]
	p.nextHint++
	return min(n, MaxMembers)
}

func (p *Parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\n', '\r', '\t':
			p.pos++
		default:
			return
		}
	}
}

func (p *Parser) syntax(what string) error {
	if p.pos >= len(p.src) {
		return errors.New("malformed JSON: unexpected end of input, " + what)
	}
	return errors.New("malformed JSON: " + what + " at byte " + strconv.Itoa(p.pos) +
		", found " + jsonstr.QuoteByte(p.src[p.pos]))
}

// Valid reports whether raw is exactly one well-formed JSON value, by the
// same grammar the parser reads (limits included).
func Valid(raw []byte) bool {
	var p Parser
	p.Begin(raw, nil)
	if err := p.Value(pcommon.NewValueEmpty()); err != nil {
		return false
	}
	return p.End() == nil
}
