package auth0logstream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// The framing layer splits a request body into JSON values without trusting
// Content-Type, which is a free string in Auth0's stream settings. It reads
// the body once, as a stream, and hands over one value at a time, so memory
// grows with the largest event rather than with the body.
//
//   - A body starting with '[' is a JSON Array; its elements are the events.
//   - Otherwise the body is read line by line (JSON Lines). A line may hold
//     several concatenated values. A malformed line does not spoil the batch.
//   - A value spread over several lines (a pretty-printed JSON Object) is
//     detected from the first line and read as a stream.

var (
	errEmptyBody    = errors.New("request body is empty")
	errInvalidValue = errors.New("malformed JSON: not a valid JSON value")
	utf8BOM         = []byte{0xEF, 0xBB, 0xBF}
)

// valueSink receives the values found in a body. raw is only valid during
// the call. A returned error stops the framing and is passed through, except
// errTrailingData from value, which asks the framer to split raw.
type valueSink interface {
	value(raw []byte) error
	malformed(raw []byte, reason error) error
}

// readError is a failure of the body stream itself (size limit, timeout,
// broken compression), as opposed to a problem with its content.
type readError struct{ err error }

func (e *readError) Error() string { return "reading request body: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// fatalSyntaxError is malformed JSON after which no more events can be
// found (inside an array or a multi-line value), so the request must fail.
type fatalSyntaxError struct{ err error }

func (e *fatalSyntaxError) Error() string { return e.err.Error() }
func (e *fatalSyntaxError) Unwrap() error { return e.err }

const readBufferSize = 64 << 10

type framer struct {
	sink    valueSink
	br      *bufio.Reader
	capture []byte
	pieces  [][]byte // values of one line holding several
}

func newFramer() *framer {
	return &framer{br: bufio.NewReaderSize(nil, readBufferSize)}
}

// frame reads body to its end and feeds every value to sink.
func (f *framer) frame(body io.Reader, sink valueSink) error {
	f.sink = sink
	f.br.Reset(body)
	defer func() {
		f.sink = nil
		f.br.Reset(nil)
		if cap(f.capture) > readBufferSize {
			f.capture = nil // do not keep one huge event's buffer in the pool
		}
	}()

	if b, _ := f.br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = f.br.Discard(len(utf8BOM))
	}
	first, err := f.skipSpace()
	if err == io.EOF {
		return errEmptyBody
	}
	if err != nil {
		return err
	}
	if first == '[' || f.firstLineSpansLines() {
		return f.stream()
	}
	return f.lines()
}

// skipSpace consumes white space and returns the next byte, unread.
func (f *framer) skipSpace() (byte, error) {
	for {
		c, err := f.br.ReadByte()
		if err != nil {
			return 0, f.wrapRead(err)
		}
		if !isSpace(c) {
			_ = f.br.UnreadByte()
			return c, nil
		}
	}
}

func (f *framer) wrapRead(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	return &readError{err}
}

// firstLineSpansLines reports whether the body is pretty-printed JSON: its
// first line opens a value that it does not close, and the next line does
// not start a new record. Every JSON Lines record starts with '{', so a
// truncated first record followed by good ones is still read as JSON Lines.
func (f *framer) firstLineSpansLines() bool {
	ahead, _ := f.br.Peek(readBufferSize)
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

// lines handles JSON Lines: each line is delivered on its own.
func (f *framer) lines() error {
	for {
		line, err := f.readLine()
		if err != nil && err != io.EOF {
			return &readError{err}
		}
		if ferr := f.line(bytes.TrimSpace(line)); ferr != nil {
			return ferr
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine returns the next line. The slice is only valid until the next read.
func (f *framer) readLine() ([]byte, error) {
	chunk, err := f.br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return chunk, err
	}
	// A line longer than the buffer: collect it. The body size limit bounds it.
	f.capture = append(f.capture[:0], chunk...)
	for err == bufio.ErrBufferFull {
		chunk, err = f.br.ReadSlice('\n')
		f.capture = append(f.capture, chunk...)
	}
	return f.capture, err
}

func (f *framer) line(line []byte) error {
	if len(line) == 0 {
		return nil
	}
	if line[0] == '{' {
		// The common case, parsed in one pass. Several values on the line
		// come back as errTrailingData and are split.
		if err := f.sink.value(line); !errors.Is(err, errTrailingData) {
			return err
		}
	}
	return f.splitLine(line)
}

// splitLine handles a line holding several values, or one that is not an
// object. The line is one record of the stream: either every value in it is
// well-formed JSON and each is delivered, or the whole line becomes one
// malformed record. A top-level array on a line is a batch of events.
func (f *framer) splitLine(line []byte) error {
	f.pieces = f.pieces[:0]
	for rest := trimSpaceLeft(line); len(rest) > 0; rest = trimSpaceLeft(rest) {
		var s boundaryScanner
		n, done := s.scan(rest)
		if !done && !s.scalar() {
			return f.sink.malformed(line, errors.New("malformed JSON: unexpected end of input"))
		}
		if !json.Valid(rest[:n]) {
			return f.sink.malformed(line, errInvalidValue)
		}
		f.pieces = append(f.pieces, rest[:n])
		rest = rest[n:]
	}
	for _, piece := range f.pieces {
		var err error
		if piece[0] == '[' {
			err = f.arrayInMemory(piece)
		} else {
			err = f.element(piece)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// arrayInMemory delivers the elements of a well-formed array.
func (f *framer) arrayInMemory(arr []byte) error {
	rest := arr[1 : len(arr)-1]
	for {
		rest = trimSpaceLeft(rest)
		if len(rest) == 0 {
			return nil
		}
		var s boundaryScanner
		n, _ := s.scan(rest)
		if err := f.element(rest[:n]); err != nil {
			return err
		}
		rest = trimSpaceLeft(rest[n:])
		if len(rest) > 0 && rest[0] == ',' {
			rest = rest[1:]
		}
	}
}

// element delivers one value whose boundaries are known.
func (f *framer) element(raw []byte) error {
	if raw[0] != '{' {
		return f.sink.malformed(raw, errNotAnObject)
	}
	err := f.sink.value(raw)
	if errors.Is(err, errTrailingData) {
		return f.sink.malformed(raw, err)
	}
	return err
}

// stream reads a sequence of values that do not follow line structure: a
// JSON Array, or pretty-printed objects. Inside an array, a malformed
// element costs only itself; broken structure is fatal, since there is no
// safe point to resume from.
func (f *framer) stream() error {
	for {
		c, err := f.skipSpace()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if c != '[' {
			if err := f.streamElement(); err != nil {
				return err
			}
			continue
		}
		_, _ = f.br.Discard(1)
		if err := f.streamArray(); err != nil {
			return err
		}
	}
}

func (f *framer) streamArray() error {
	c, err := f.skipSpace()
	if err != nil {
		return f.fatalAtEnd(err)
	}
	if c == ']' {
		_, _ = f.br.Discard(1)
		return nil
	}
	for {
		if err := f.streamElement(); err != nil {
			return err
		}
		c, err := f.skipSpace()
		if err != nil {
			return f.fatalAtEnd(err)
		}
		_, _ = f.br.Discard(1)
		switch c {
		case ',':
			if _, err := f.skipSpace(); err != nil {
				return f.fatalAtEnd(err)
			}
		case ']':
			return nil
		default:
			return &fatalSyntaxError{errors.New("malformed JSON: expected ',' or ']' between array elements, found " + quoteByte(c))}
		}
	}
}

// streamElement reads one value from the stream and delivers it.
func (f *framer) streamElement() error {
	var s boundaryScanner
	chunk, err := f.br.Peek(1)
	if err != nil {
		return f.fatalAtEnd(err)
	}
	chunk, _ = f.br.Peek(f.br.Buffered())
	n, done := s.scan(chunk)
	if done {
		// The usual case: the whole value is in the read buffer. Deliver it
		// from there, before anything reads on and overwrites it.
		err := f.checkedElement(&s, chunk[:n])
		_, _ = f.br.Discard(n)
		return err
	}
	// The value runs past the buffer: collect it.
	f.capture = append(f.capture[:0], chunk[:n]...)
	_, _ = f.br.Discard(n)
	for !done {
		if _, err := f.br.Peek(1); err != nil {
			if err == io.EOF && s.scalar() {
				break // a bare number or literal ends the body
			}
			return f.fatalAtEnd(err)
		}
		chunk, _ = f.br.Peek(f.br.Buffered())
		n, done = s.scan(chunk)
		f.capture = append(f.capture, chunk[:n]...)
		_, _ = f.br.Discard(n)
	}
	return f.checkedElement(&s, f.capture)
}

// checkedElement delivers a value read from the stream. Bracket counting
// finds the end of an object or array reliably; a scalar that is not valid
// JSON means the structure itself is broken, which is fatal.
func (f *framer) checkedElement(s *boundaryScanner, raw []byte) error {
	if len(raw) == 0 {
		return &fatalSyntaxError{errors.New("malformed JSON: expected a value")}
	}
	if s.kind != 'c' && !json.Valid(raw) {
		return &fatalSyntaxError{errInvalidValue}
	}
	return f.element(raw)
}

func (f *framer) fatalAtEnd(err error) error {
	if err == io.EOF {
		return &fatalSyntaxError{errors.New("malformed JSON: unexpected end of input")}
	}
	var re *readError
	if errors.As(err, &re) {
		return err
	}
	return &readError{err}
}

// boundaryScanner finds where a JSON value ends without validating it (the
// parser does that), tracking only strings and nesting. It can be fed the
// value in several chunks.
type boundaryScanner struct {
	started bool
	kind    byte // 'c' container, '"' string, 's' scalar
	depth   int
	inStr   bool
	escaped bool
}

func (s *boundaryScanner) scalar() bool { return s.kind == 's' }

// scan consumes b and returns how many bytes belong to the value and
// whether the value is complete.
func (s *boundaryScanner) scan(b []byte) (int, bool) {
	i := 0
	if !s.started && len(b) > 0 {
		s.started = true
		switch b[0] {
		case '{', '[':
			s.kind, s.depth = 'c', 1
		case '"':
			s.kind, s.inStr = '"', true
		default:
			s.kind = 's'
		}
		i = 1
	}
	for ; i < len(b); i++ {
		c := b[i]
		if s.inStr {
			// Jump to the next quote or backslash: strings are most of an event.
			if !s.escaped {
				j := indexQuoteOrBackslash(b[i:])
				if j < 0 {
					return len(b), false
				}
				i += j
				c = b[i]
			}
			switch {
			case s.escaped:
				s.escaped = false
			case c == '\\':
				s.escaped = true
			case c == '"':
				s.inStr = false
				if s.kind == '"' {
					return i + 1, true
				}
			}
			continue
		}
		switch s.kind {
		case 's':
			switch c {
			case ' ', '\t', '\r', '\n', ',', ']', '}', '[', '{', '"':
				return i, true
			}
		case 'c':
			switch c {
			case '"':
				s.inStr = true
			case '{', '[':
				s.depth++
			case '}', ']':
				s.depth--
				if s.depth == 0 {
					return i + 1, true
				}
			}
		}
	}
	return len(b), false
}

func indexQuoteOrBackslash(b []byte) int {
	q := bytes.IndexByte(b, '"')
	if q < 0 {
		q = len(b)
	}
	if bs := bytes.IndexByte(b[:q], '\\'); bs >= 0 {
		return bs
	}
	if q == len(b) {
		return -1
	}
	return q
}

func trimSpaceLeft(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}
