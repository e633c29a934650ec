package auth0logstream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	jsoniter "github.com/json-iterator/go"
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
	errTrailingData = errors.New("malformed JSON: unexpected character after a JSON value")
	utf8BOM         = []byte{0xEF, 0xBB, 0xBF}
)

// valueSink receives the values found in a body. raw is only valid during
// the call. A returned error stops the framing and is passed through.
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
	src     errRecorder
	line    []byte
	capture []byte
	iter    *jsoniter.Iterator // splits lines and array values held in memory
	values  [][]byte           // values of one line holding several
}

func newFramer() *framer {
	return &framer{
		br:   bufio.NewReaderSize(nil, readBufferSize),
		iter: jsoniter.NewIterator(jsonConfig),
		// jsoniter's capture needs a non-nil buffer to append to.
		capture: make([]byte, 0, 4096),
	}
}

// errRecorder remembers the body's read error, which jsoniter would
// otherwise mix up with syntax errors.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// frame reads body to its end and feeds every value to sink.
func (f *framer) frame(body io.Reader, sink valueSink) error {
	f.sink = sink
	f.src = errRecorder{r: body}
	f.br.Reset(&f.src)
	defer func() {
		f.sink = nil
		f.src = errRecorder{}
		f.br.Reset(nil)
	}()

	if b, _ := f.br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = f.br.Discard(len(utf8BOM))
	}
	first, err := f.skipSpace()
	if err != nil {
		return err
	}
	if first == '[' {
		return f.stream(f.br)
	}
	line, err := f.readLine()
	if err != nil && err != io.EOF {
		return &readError{err}
	}
	if spansLines(line) {
		return f.stream(io.MultiReader(bytes.NewReader(bytes.Clone(line)), f.br))
	}
	for {
		if serr := f.frameLine(line); serr != nil {
			return serr
		}
		if err == io.EOF {
			return nil
		}
		line, err = f.readLine()
		if err != nil && err != io.EOF {
			return &readError{err}
		}
	}
}

// skipSpace returns the first byte that is not white space, unread.
func (f *framer) skipSpace() (byte, error) {
	for {
		c, err := f.br.ReadByte()
		if err == io.EOF {
			return 0, errEmptyBody
		}
		if err != nil {
			return 0, &readError{err}
		}
		if !isSpace(c) {
			_ = f.br.UnreadByte()
			return c, nil
		}
	}
}

// readLine returns the next line without its line break. The slice is only
// valid until the next read.
func (f *framer) readLine() ([]byte, error) {
	chunk, err := f.br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return chunk, err
	}
	// A line longer than the buffer: collect it. The body size limit bounds it.
	f.line = append(f.line[:0], chunk...)
	for err == bufio.ErrBufferFull {
		chunk, err = f.br.ReadSlice('\n')
		f.line = append(f.line, chunk...)
	}
	return f.line, err
}

// spansLines reports whether a body's first line opens a value that it does
// not close, as pretty-printed JSON does. A truncated JSON Lines record rarely
// ends like this, and if it does, only a malformed body is refused as a whole.
func spansLines(line []byte) bool {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return false
	}
	switch line[len(line)-1] {
	case '{', '[', ',', ':':
		return true
	}
	return false
}

// frameLine handles one JSON Lines record. A line is all good or, as a whole,
// malformed: it is never half delivered.
func (f *framer) frameLine(line []byte) error {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	it := f.iter
	it.ResetBytes(line)
	it.Error = nil
	it.Skip()
	// io.EOF here only means the value ran to the end of the line, as a bare
	// number does; whether it is complete is decided when it is parsed.
	if it.Error != nil && it.Error != io.EOF {
		return f.sink.malformed(line, syntaxError(it.Error))
	}
	if it.WhatIsNext() == jsoniter.InvalidValue && it.Error == io.EOF {
		return f.inMemoryValue(line)
	}

	// Several values on one line: split them all before delivering any.
	it.ResetBytes(line)
	it.Error = nil
	f.values = f.values[:0]
	f.capture = f.capture[:0]
	for it.WhatIsNext() != jsoniter.InvalidValue {
		start := len(f.capture)
		f.capture = it.SkipAndAppendBytes(f.capture)
		if it.Error != nil && it.Error != io.EOF {
			return f.sink.malformed(line, syntaxError(it.Error))
		}
		f.values = append(f.values, f.capture[start:])
	}
	if it.Error != io.EOF {
		if it.Error == nil {
			return f.sink.malformed(line, errTrailingData)
		}
		return f.sink.malformed(line, syntaxError(it.Error))
	}
	for _, v := range f.values {
		if err := f.inMemoryValue(v); err != nil {
			return err
		}
	}
	return nil
}

// inMemoryValue delivers a value that is already known to be well formed.
// An array found inside JSON Lines is taken as a batch of events.
func (f *framer) inMemoryValue(raw []byte) error {
	raw = trimSpaceLeft(raw)
	if raw[0] != '[' {
		return f.element(raw)
	}
	it := jsoniter.ParseBytes(jsonConfig, raw)
	buf := make([]byte, 0, 1024)
	for it.ReadArray() {
		buf = it.SkipAndAppendBytes(buf[:0])
		if it.Error != nil {
			return f.sink.malformed(raw, syntaxError(it.Error))
		}
		if err := f.element(buf); err != nil {
			return err
		}
	}
	if it.Error != nil && it.Error != io.EOF {
		return f.sink.malformed(raw, syntaxError(it.Error))
	}
	return nil
}

func (f *framer) element(raw []byte) error {
	// jsoniter's capture starts before the white space that precedes a value.
	raw = trimSpaceLeft(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return f.sink.malformed(raw, errNotAnObject)
	}
	return f.sink.value(raw)
}

// stream reads a sequence of values from r without line structure. After a
// syntax error there is no safe point to resume from, so it is fatal.
func (f *framer) stream(r io.Reader) error {
	it := jsoniter.Parse(jsonConfig, r, readBufferSize)
	for {
		switch it.WhatIsNext() {
		case jsoniter.InvalidValue:
			if it.Error == io.EOF {
				return nil
			}
			return f.streamError(it)
		case jsoniter.ArrayValue:
			for it.ReadArray() {
				if err := f.streamValue(it); err != nil {
					return err
				}
			}
			if it.Error != nil && it.Error != io.EOF {
				return f.streamError(it)
			}
		default:
			if err := f.streamValue(it); err != nil {
				return err
			}
		}
	}
}

func (f *framer) streamValue(it *jsoniter.Iterator) error {
	f.capture = it.SkipAndAppendBytes(f.capture[:0])
	if it.Error != nil && it.Error != io.EOF {
		return f.streamError(it)
	}
	if len(f.capture) == 0 {
		return f.streamError(it)
	}
	return f.element(f.capture)
}

func (f *framer) streamError(it *jsoniter.Iterator) error {
	if f.src.err != nil {
		return &readError{f.src.err}
	}
	if it.Error == nil || it.Error == io.EOF {
		return &fatalSyntaxError{fmt.Errorf("malformed JSON: unexpected character")}
	}
	return &fatalSyntaxError{syntaxError(it.Error)}
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
