package auth0logstream

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	jsoniter "github.com/json-iterator/go"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

const (
	// maxNesting bounds recursion on hostile input; real Auth0 events nest
	// fewer than ten levels.
	maxNesting = 64
	// maxMembers bounds one object's size: pcommon.Map checks for duplicate
	// keys on insert, so a huge object would cost quadratic time.
	maxMembers = 4096
)

var (
	errTooDeep     = errors.New("JSON nested deeper than 64 levels")
	errTooWide     = errors.New("JSON object has more than 4096 members")
	errNotAnObject = errors.New("event is not a JSON object")
)

// jsonConfig is frozen once; iterators borrowed from it are cheap to reset.
var jsonConfig = jsoniter.Config{}.Froze()

// valueReader turns JSON text straight into pdata values, without an
// intermediate generic tree, so each byte is parsed once.
type valueReader struct {
	iter *jsoniter.Iterator
	err  error
}

func newValueReader() *valueReader {
	return &valueReader{iter: jsoniter.NewIterator(jsonConfig)}
}

// readObject parses raw, which must hold one JSON object, into dst.
func (vr *valueReader) readObject(raw []byte, dst pcommon.Map) error {
	vr.iter.ResetBytes(raw)
	vr.iter.Error = nil
	vr.err = nil
	if vr.iter.WhatIsNext() != jsoniter.ObjectValue {
		return errNotAnObject
	}
	vr.object(dst, 1)
	if vr.failed() {
		return vr.error()
	}
	// The framing hands over one value at a time, so anything after it is a bug
	// in the caller or a truncated capture; refuse rather than guess.
	if vr.iter.WhatIsNext() != jsoniter.InvalidValue || vr.iter.Error != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

func (vr *valueReader) error() error {
	if vr.err != nil {
		return vr.err
	}
	if vr.iter.Error != nil {
		return syntaxError(vr.iter.Error)
	}
	return nil
}

func (vr *valueReader) failed() bool { return vr.err != nil || vr.iter.Error != nil }

func (vr *valueReader) value(dst pcommon.Value, depth int) {
	iter := vr.iter
	switch iter.WhatIsNext() {
	case jsoniter.StringValue:
		dst.SetStr(validUTF8(iter.ReadString()))
	case jsoniter.NumberValue:
		vr.number(dst)
	case jsoniter.BoolValue:
		dst.SetBool(iter.ReadBool())
	case jsoniter.NilValue:
		// null stays an empty value: nothing is invented for it.
		iter.ReadNil()
	case jsoniter.ObjectValue:
		vr.object(dst.SetEmptyMap(), depth+1)
	case jsoniter.ArrayValue:
		vr.array(dst.SetEmptySlice(), depth+1)
	default:
		iter.ReportError("read value", "invalid JSON value")
	}
}

func (vr *valueReader) object(m pcommon.Map, depth int) {
	if depth > maxNesting {
		vr.err = errTooDeep
		return
	}
	vr.iter.ReadMapCB(func(iter *jsoniter.Iterator, key string) bool {
		if m.Len() >= maxMembers {
			vr.err = errTooWide
			return false
		}
		vr.value(m.PutEmpty(validUTF8(key)), depth)
		return !vr.failed()
	})
}

func (vr *valueReader) array(s pcommon.Slice, depth int) {
	if depth > maxNesting {
		vr.err = errTooDeep
		return
	}
	vr.iter.ReadArrayCB(func(*jsoniter.Iterator) bool {
		vr.value(s.AppendEmpty(), depth)
		return !vr.failed()
	})
}

// number keeps integers as Int and everything else as Double, matching
// what a JSON reader of the original event would see.
func (vr *valueReader) number(dst pcommon.Value) {
	num := string(vr.iter.ReadNumber())
	if vr.iter.Error != nil {
		return
	}
	if !strings.ContainsAny(num, ".eE") {
		if i, err := strconv.ParseInt(num, 10, 64); err == nil {
			dst.SetInt(i)
			return
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		vr.err = errors.New("invalid JSON number " + strconv.Quote(truncate(num, 32)))
		return
	}
	dst.SetDouble(f)
}

// validUTF8 replaces invalid sequences: OTLP strings must be valid UTF-8,
// or the exporter's protobuf encoding fails far from the cause.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// syntaxError shortens jsoniter's messages, which quote up to 100 bytes of
// the input: the reason goes to the sender and to logs, the input does not.
func syntaxError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, ", error found in"); i >= 0 {
		msg = msg[:i]
	}
	// jsoniter reports the end of input as the NUL byte it returns there.
	if msg == "EOF" || msg == "unexpected EOF" || strings.HasSuffix(msg, "found \x00") {
		msg = "unexpected end of JSON input"
	}
	// The offending byte is quoted in the message; keep the reason valid,
	// printable UTF-8 whatever the input was.
	msg = strings.ReplaceAll(validUTF8(msg), "\x00", `\x00`)
	return errors.New("malformed JSON: " + msg)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
