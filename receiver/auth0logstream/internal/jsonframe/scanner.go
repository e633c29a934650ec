// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package jsonframe splits a request body into JSON values without trusting
// Content-Type, which senders set freely. It knows JSON's structure and
// nothing about what the values mean.
//
// A body is read once, as a stream, and handed over one value at a time, so
// memory grows with the largest value rather than with the body:
//
//   - A body starting with '[' is a JSON Array; its elements are the values.
//   - Otherwise the body is read line by line (JSON Lines). A line may hold
//     several concatenated values, or an array of them. A malformed line
//     becomes one Malformed token and does not spoil the rest.
//   - A value spread over several lines (a pretty-printed JSON Object) is
//     detected from the first line and read as a stream of values.
package jsonframe

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonstr"
)

// Format is the framing a body was found to use.
type Format uint8

const (
	FormatUnknown Format = iota
	FormatLines          // one value per line (JSON Lines)
	FormatArray          // a JSON Array of values
	FormatStream         // values that span lines: pretty-printed objects
)

// ErrEmptyBody means the body held nothing but white space.
var ErrEmptyBody = errors.New("request body is empty")

var (
	errInvalidValue = errors.New("malformed JSON: not a valid JSON value")
	errTruncated    = errors.New("malformed JSON: unexpected end of input")
	utf8BOM         = []byte{0xEF, 0xBB, 0xBF}
)

// ReadError is a failure of the body stream itself (size limit, timeout,
// broken compression), as opposed to a problem with its content.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "reading request body: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// SyntaxError is malformed JSON after which no further value can be found
// (inside an array or a multi-line value): there is no safe point to
// resume from, so the body as a whole is unusable.
type SyntaxError struct{ Err error }

func (e *SyntaxError) Error() string { return e.Err.Error() }
func (e *SyntaxError) Unwrap() error { return e.Err }

// Token is one value, or one line that holds no well-formed value.
type Token struct {
	// Raw is the value's text, valid until the next call to Next.
	Raw []byte
	// Hints are the member counts of Raw's containers in document order,
	// or nil; valid until the next call to Next.
	Hints []int
	// Malformed is why Raw, a whole line, is not well-formed JSON; nil for
	// a value.
	Malformed error
}

const readBufferSize = 64 << 10

type state uint8

const (
	stateStart state = iota
	stateLines
	stateStreamTop  // between top-level values of a stream
	stateArrayFirst // after '[': an element or ']'
	stateArrayElem  // after ',': an element
	stateArrayNext  // after an element: ',' or ']'
	stateDone
)

// Scanner reads values from a body. Use it as
//
//	sc.Reset(body)
//	for sc.Next() { use(sc.Token()) }
//	if err := sc.Err(); err != nil { ... }
//
// A Scanner is reused across bodies; it is not safe for concurrent use.
type Scanner struct {
	validate func([]byte) bool
	br       *bufio.Reader
	state    state
	format   Format
	tok      Token
	err      error
	bounds   boundaryScanner
	capture  []byte   // a value or line longer than the read buffer
	pieces   [][]byte // values of one line holding several, not yet handed over
	line     []byte   // the line pieces come from
}

// NewScanner returns a Scanner. validate must accept exactly the
// well-formed JSON values; it decides the rare lines holding several values,
// which are delivered only when every one of them is well-formed, and the
// scalars of a stream, whose end bracket counting cannot check.
func NewScanner(validate func([]byte) bool) *Scanner {
	return &Scanner{validate: validate, br: bufio.NewReaderSize(nil, readBufferSize)}
}

// Reset starts reading body.
func (s *Scanner) Reset(body io.Reader) {
	s.br.Reset(body)
	s.state, s.format, s.err = stateStart, FormatUnknown, nil
	s.tok = Token{}
	s.pieces, s.line = s.pieces[:0], nil
}

// Release drops the references to the last body, so that a pooled Scanner
// does not keep it alive.
func (s *Scanner) Release() {
	s.br.Reset(nil)
	s.tok, s.line = Token{}, nil
	clear(s.pieces)
	s.pieces = s.pieces[:0]
	if cap(s.capture) > readBufferSize {
		s.capture = nil // do not keep one huge value's buffer in a pool
	}
}

// Format is the framing detected, once the first Next has returned.
func (s *Scanner) Format() Format { return s.format }

// Token is the value found by the last Next.
func (s *Scanner) Token() Token { return s.tok }

// Err is why Next returned false, or nil at the end of a well-formed body.
// It is ErrEmptyBody, a *ReadError or a *SyntaxError.
func (s *Scanner) Err() error { return s.err }

// Next finds the next value, and reports whether there is one.
func (s *Scanner) Next() bool {
	s.tok = Token{}
	for {
		if len(s.pieces) > 0 {
			s.nextPiece()
			return true
		}
		var found bool
		var err error
		switch s.state {
		case stateStart:
			err = s.start()
		case stateLines:
			found, err = s.nextLine()
		case stateStreamTop, stateArrayFirst, stateArrayElem, stateArrayNext:
			found, err = s.nextInStream()
		case stateDone:
			return false
		}
		if err != nil {
			s.state, s.err = stateDone, err
			return false
		}
		if found {
			return true
		}
	}
}

func (s *Scanner) start() error {
	if b, _ := s.br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = s.br.Discard(len(utf8BOM))
	}
	first, err := s.skipSpace()
	switch {
	case errors.Is(err, io.EOF):
		return ErrEmptyBody
	case err != nil:
		return err
	case first == '[':
		s.state, s.format = stateStreamTop, FormatArray
	case s.firstLineSpansLines():
		s.state, s.format = stateStreamTop, FormatStream
	default:
		s.state, s.format = stateLines, FormatLines
	}
	return nil
}

// skipSpace consumes white space and returns the next byte, unread.
func (s *Scanner) skipSpace() (byte, error) {
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, &ReadError{err}
		}
		if !isSpace(c) {
			_ = s.br.UnreadByte()
			return c, nil
		}
	}
}

// firstLineSpansLines reports whether the body is pretty-printed JSON: its
// first line opens a value that it does not close, and the next line does
// not start a new record. Every JSON Lines record starts with '{', so a
// truncated first record followed by good ones is still read as JSON Lines.
func (s *Scanner) firstLineSpansLines() bool {
	ahead, _ := s.br.Peek(readBufferSize)
	nl := bytes.IndexByte(ahead, '\n')
	if nl < 0 {
		return false // one line, or a first line too long to be pretty-printed
	}
	first := bytes.TrimSpace(ahead[:nl])
	if len(first) == 0 {
		return false
	}
	switch first[len(first)-1] {
	case '{', '[', ',', ':':
	default:
		return false
	}
	next := trimSpaceLeft(ahead[nl+1:])
	return len(next) > 0 && next[0] != '{'
}

// nextLine reads lines until one yields a token.
func (s *Scanner) nextLine() (bool, error) {
	line, err := s.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return false, &ReadError{err}
	}
	if errors.Is(err, io.EOF) {
		s.state = stateDone
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return false, nil
	}
	if line[0] == '{' {
		// The common case: one object filling the line, delimited and
		// counted in one pass.
		s.bounds.reset()
		if n, done := s.bounds.scan(line); done && n == len(line) {
			s.tok = Token{Raw: line, Hints: s.bounds.hints()}
			return true, nil
		}
	}
	s.splitLine(line)
	// A malformed line is a token now; split values are queued for Next.
	return s.tok.Malformed != nil, nil
}

// readLine returns the next line. The slice is only valid until the next read.
func (s *Scanner) readLine() ([]byte, error) {
	chunk, err := s.br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return chunk, err
	}
	// A line longer than the buffer: collect it. The body size limit bounds it.
	s.capture = append(s.capture[:0], chunk...)
	for errors.Is(err, bufio.ErrBufferFull) {
		chunk, err = s.br.ReadSlice('\n')
		s.capture = append(s.capture, chunk...)
	}
	return s.capture, err
}

// splitLine handles a line holding several values, or one that is not an
// object. The line is one record of the stream: either every value in it is
// well-formed JSON and each is delivered, or the whole line becomes one
// Malformed token. A top-level array on a line is a batch of values.
func (s *Scanner) splitLine(line []byte) {
	s.pieces, s.line = s.pieces[:0], line
	for rest := line; len(rest) > 0; rest = trimSpaceLeft(rest) {
		var b boundaryScanner
		n, done := b.scan(rest)
		if !done && !b.scalar() {
			s.malformedLine(errTruncated)
			return
		}
		if !s.validate(rest[:n]) {
			s.malformedLine(errInvalidValue)
			return
		}
		if rest[0] == '[' {
			s.appendElements(rest[:n])
		} else {
			s.pieces = append(s.pieces, rest[:n])
		}
		rest = rest[n:]
	}
}

func (s *Scanner) malformedLine(reason error) {
	s.pieces = s.pieces[:0]
	s.tok = Token{Raw: s.line, Malformed: reason}
}

// appendElements queues the elements of a well-formed array.
func (s *Scanner) appendElements(arr []byte) {
	rest := arr[1 : len(arr)-1]
	for {
		rest = trimSpaceLeft(rest)
		if len(rest) == 0 {
			return
		}
		var b boundaryScanner
		n, _ := b.scan(rest)
		s.pieces = append(s.pieces, rest[:n])
		rest = trimSpaceLeft(rest[n:])
		if len(rest) > 0 && rest[0] == ',' {
			rest = rest[1:]
		}
	}
}

// nextPiece hands over the next queued value of a split line.
func (s *Scanner) nextPiece() {
	s.tok = Token{Raw: s.pieces[0]}
	s.pieces[0] = nil
	s.pieces = s.pieces[1:]
}

// nextInStream steps through a sequence of values that do not follow line
// structure: top-level values, and the elements of arrays among them.
// Inside an array a malformed element costs only itself (the consumer's
// parser rejects it); broken structure is fatal.
func (s *Scanner) nextInStream() (bool, error) {
	c, err := s.skipSpace()
	if errors.Is(err, io.EOF) {
		if s.state == stateStreamTop {
			s.state = stateDone
			return false, nil
		}
		return false, &SyntaxError{errTruncated}
	}
	if err != nil {
		return false, err
	}
	switch s.state {
	case stateStreamTop:
		if c == '[' {
			_, _ = s.br.Discard(1)
			s.state = stateArrayFirst
			return false, nil
		}
		return s.streamValue()
	case stateArrayFirst:
		if c == ']' {
			_, _ = s.br.Discard(1)
			s.state = stateStreamTop
			return false, nil
		}
		s.state = stateArrayNext
		return s.streamValue()
	case stateArrayElem:
		s.state = stateArrayNext
		return s.streamValue()
	default: // stateArrayNext
		_, _ = s.br.Discard(1)
		switch c {
		case ',':
			s.state = stateArrayElem
		case ']':
			s.state = stateStreamTop
		default:
			return false, &SyntaxError{errors.New("malformed JSON: expected ',' or ']' between array elements, found " + jsonstr.QuoteByte(c))}
		}
		return false, nil
	}
}

// streamValue reads one value from the stream.
func (s *Scanner) streamValue() (bool, error) {
	s.bounds.reset()
	chunk, _ := s.br.Peek(s.br.Buffered())
	n, done := s.bounds.scan(chunk)
	if done {
		// The usual case: the whole value is in the read buffer. Discarding
		// it does not read on, so the slice stays valid until the next call.
		_, _ = s.br.Discard(n)
		return s.streamToken(chunk[:n])
	}
	// The value runs past the buffer: collect it.
	s.capture = append(s.capture[:0], chunk[:n]...)
	_, _ = s.br.Discard(n)
	for !done {
		if _, err := s.br.Peek(1); err != nil {
			if err == io.EOF && s.bounds.scalar() {
				break // a bare number or literal ends the body
			}
			if err == io.EOF {
				return false, &SyntaxError{errTruncated}
			}
			return false, &ReadError{err}
		}
		chunk, _ = s.br.Peek(s.br.Buffered())
		n, done = s.bounds.scan(chunk)
		s.capture = append(s.capture, chunk[:n]...)
		_, _ = s.br.Discard(n)
	}
	return s.streamToken(s.capture)
}

// streamToken checks a value read from the stream. Bracket counting finds
// the end of an object or array reliably; a scalar that is not valid JSON
// means the structure itself is broken, which is fatal.
func (s *Scanner) streamToken(raw []byte) (bool, error) {
	if len(raw) == 0 {
		return false, &SyntaxError{errors.New("malformed JSON: expected a value")}
	}
	if s.bounds.kind != kindContainer && !s.validate(raw) {
		return false, &SyntaxError{errInvalidValue}
	}
	s.tok = Token{Raw: raw, Hints: s.bounds.hints()}
	return true, nil
}
