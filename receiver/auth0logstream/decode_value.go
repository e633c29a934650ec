package auth0logstream

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

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
	errDataNotObject = errors.New(`"data" is not a JSON object`)
	errTooDeep       = errors.New("JSON nested deeper than 64 levels")
	errTooWide       = errors.New("JSON object has more than 4096 members")
	errNotAnObject   = errors.New("event is not a JSON object")
	// errTrailingData: a complete value followed by more than white space.
	errTrailingData = errors.New("malformed JSON: unexpected data after a JSON value")
)

// valueReader parses JSON text straight into pdata, without an intermediate
// tree. The text is copied into one string per event and every key and
// unescaped string value is a substring of it, so an event costs one string
// allocation however many fields it has. The body keeps the whole event
// anyway, so sharing one backing array wastes nothing.
//
// The grammar is RFC 8259, strictly: what it accepts, encoding/json accepts.
type valueReader struct {
	raw       []byte // the text being parsed, for word-at-a-time scanning
	src       string
	pos       int
	validUTF8 bool // the whole text is valid UTF-8: no per-string check needed
	scratch   []byte
	sizes     []int // members of every object and array, in document order
	nextSize  int
	open      []int // containers being counted
}

func newValueReader() *valueReader { return &valueReader{} }

// readObject parses raw, which must hold exactly one JSON object, into dst.
func (vr *valueReader) readObject(raw []byte, dst pcommon.Map) error {
	if err := vr.begin(raw); err != nil {
		return err
	}
	defer vr.end()
	if err := vr.object(dst, 1); err != nil {
		return err
	}
	return vr.finish()
}

// begin prepares to parse raw, which must start with an object.
func (vr *valueReader) begin(raw []byte) error {
	vr.raw = raw
	vr.src = string(raw)
	vr.pos = 0
	vr.validUTF8 = utf8.ValidString(vr.src)
	vr.skipSpace()
	if vr.pos >= len(vr.src) || vr.src[vr.pos] != '{' {
		vr.end()
		return errNotAnObject
	}
	vr.countMembers()
	return nil
}

// end drops the references to the event's text.
func (vr *valueReader) end() { vr.src, vr.raw = "", nil }

// finish checks that nothing but white space follows the value.
func (vr *valueReader) finish() error {
	vr.skipSpace()
	if vr.pos < len(vr.src) {
		return errTrailingData
	}
	return nil
}

// envelopeInfo is what readEvent found around the event.
type envelopeInfo struct {
	logID      string
	hasData    bool
	extraCount int // members other than log_id and data
}

// readEvent parses an Auth0 delivery: an envelope {"log_id", "data"} whose
// data object is parsed straight into body, with no intermediate map; or a
// bare event, which is parsed into body whole. Members of the envelope other
// than log_id and data go to extra.
//
// onDataMember, if not nil, is called with each member of data once parsed.
func (vr *valueReader) readEvent(raw []byte, body pcommon.Value, extra pcommon.Map, onDataMember func(string, pcommon.Value)) (envelopeInfo, error) {
	var env envelopeInfo
	if err := vr.begin(raw); err != nil {
		return env, err
	}
	defer vr.end()
	vr.pos++ // '{'
	extra.EnsureCapacity(vr.capacityHint())
	vr.skipSpace()
	if vr.pos < len(vr.src) && vr.src[vr.pos] == '}' {
		vr.pos++
		body.SetEmptyMap()
		return env, vr.finish()
	}
	for {
		if vr.pos >= len(vr.src) || vr.src[vr.pos] != '"' {
			return env, vr.syntax("expected a member name")
		}
		key, err := vr.str()
		if err != nil {
			return env, err
		}
		vr.skipSpace()
		if vr.pos >= len(vr.src) || vr.src[vr.pos] != ':' {
			return env, vr.syntax("expected ':'")
		}
		vr.pos++
		vr.skipSpace()
		switch {
		case key == envelopeDataField && !env.hasData:
			if vr.pos >= len(vr.src) || vr.src[vr.pos] != '{' {
				return env, errDataNotObject
			}
			env.hasData = true
			err = vr.objectWith(body.SetEmptyMap(), 2, onDataMember)
		case key == logIDField && env.logID == "" && vr.pos < len(vr.src) && vr.src[vr.pos] == '"':
			env.logID, err = vr.str()
		default:
			if extra.Len() >= maxMembers {
				return env, errTooWide
			}
			env.extraCount++
			err = vr.value(extra.PutEmpty(key), 1)
		}
		if err != nil {
			return env, err
		}
		if closed, err := vr.afterMember('}'); closed || err != nil {
			if err != nil {
				return env, err
			}
			return env, vr.finish()
		}
	}
}

// afterMember consumes what follows a member or element: a comma, or the
// closing bracket, which ends the container.
func (vr *valueReader) afterMember(closing byte) (closed bool, err error) {
	vr.skipSpace()
	if vr.pos < len(vr.src) {
		switch vr.src[vr.pos] {
		case ',':
			vr.pos++
			vr.skipSpace()
			return false, nil
		case closing:
			vr.pos++
			return true, nil
		}
	}
	return false, vr.syntax("expected ',' or '" + string(closing) + "'")
}

// countMembers makes one quick pass over the text, skipping strings, to
// count the members of every object and array. pdata maps and slices are
// then allocated at their exact size instead of growing by doubling, which
// halves the bytes allocated per event. The counts are only capacity hints:
// on malformed input they may be wrong, and the parser still decides.
func (vr *valueReader) countMembers() {
	vr.sizes, vr.open, vr.nextSize = vr.sizes[:0], vr.open[:0], 0
	src := vr.src
	opened := false // the innermost container has not seen a member yet
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\n', '\r', '\t':
			continue
		}
		if opened {
			opened = false
			if c != '}' && c != ']' {
				vr.sizes[vr.open[len(vr.open)-1]] = 1
			}
		}
		switch c {
		case '"':
			i = skipString(src, i+1)
		case '{', '[':
			vr.open = append(vr.open, len(vr.sizes))
			vr.sizes = append(vr.sizes, 0)
			opened = true
		case '}', ']':
			if len(vr.open) > 0 {
				vr.open = vr.open[:len(vr.open)-1]
			}
		case ',':
			if len(vr.open) > 0 {
				vr.sizes[vr.open[len(vr.open)-1]]++
			}
		}
	}
}

// skipString returns the index of the quote closing the string whose
// content starts at i, or len(s)-1 when it is unterminated.
func skipString(s string, i int) int {
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return len(s) - 1
		}
		end := i + j
		// The quote is escaped when an odd number of backslashes precede it.
		bs := 0
		for k := end - 1; k >= i && s[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return end
		}
		i = end + 1
	}
}

// capacityHint returns the counted size of the container being opened.
func (vr *valueReader) capacityHint() int {
	if vr.nextSize >= len(vr.sizes) {
		return 0
	}
	n := vr.sizes[vr.nextSize]
	vr.nextSize++
	return min(n, maxMembers)
}

func (vr *valueReader) skipSpace() {
	for vr.pos < len(vr.src) {
		switch vr.src[vr.pos] {
		case ' ', '\n', '\r', '\t':
			vr.pos++
		default:
			return
		}
	}
}

func (vr *valueReader) syntax(what string) error {
	if vr.pos >= len(vr.src) {
		return errors.New("malformed JSON: unexpected end of input, " + what)
	}
	return errors.New("malformed JSON: " + what + " at byte " + strconv.Itoa(vr.pos) +
		", found " + quoteByte(vr.src[vr.pos]))
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}

func (vr *valueReader) value(dst pcommon.Value, depth int) error {
	if vr.pos >= len(vr.src) {
		return vr.syntax("expected a value")
	}
	switch c := vr.src[vr.pos]; {
	case c == '"':
		s, err := vr.str()
		if err != nil {
			return err
		}
		dst.SetStr(s)
	case c == '{':
		m := dst.SetEmptyMap()
		return vr.object(m, depth+1)
	case c == '[':
		return vr.array(dst.SetEmptySlice(), depth+1)
	case c == 't':
		if !strings.HasPrefix(vr.src[vr.pos:], "true") {
			return vr.syntax("invalid literal")
		}
		vr.pos += 4
		dst.SetBool(true)
	case c == 'f':
		if !strings.HasPrefix(vr.src[vr.pos:], "false") {
			return vr.syntax("invalid literal")
		}
		vr.pos += 5
		dst.SetBool(false)
	case c == 'n':
		if !strings.HasPrefix(vr.src[vr.pos:], "null") {
			return vr.syntax("invalid literal")
		}
		vr.pos += 4 // null stays an empty value: nothing is invented for it
	case c == '-' || (c >= '0' && c <= '9'):
		return vr.number(dst)
	default:
		return vr.syntax("expected a value")
	}
	return nil
}

func (vr *valueReader) object(m pcommon.Map, depth int) error {
	return vr.objectWith(m, depth, nil)
}

// objectWith parses an object, calling onMember, if not nil, with each
// member once its value is complete.
func (vr *valueReader) objectWith(m pcommon.Map, depth int, onMember func(string, pcommon.Value)) error {
	if depth > maxNesting {
		return errTooDeep
	}
	vr.pos++ // '{'
	m.EnsureCapacity(vr.capacityHint())
	vr.skipSpace()
	if vr.pos < len(vr.src) && vr.src[vr.pos] == '}' {
		vr.pos++
		return nil
	}
	for {
		if vr.pos >= len(vr.src) || vr.src[vr.pos] != '"' {
			return vr.syntax("expected a member name")
		}
		key, err := vr.str()
		if err != nil {
			return err
		}
		vr.skipSpace()
		if vr.pos >= len(vr.src) || vr.src[vr.pos] != ':' {
			return vr.syntax("expected ':'")
		}
		vr.pos++
		vr.skipSpace()
		if m.Len() >= maxMembers {
			return errTooWide
		}
		v := m.PutEmpty(key)
		if err := vr.value(v, depth); err != nil {
			return err
		}
		if onMember != nil {
			onMember(key, v)
		}
		if closed, err := vr.afterMember('}'); closed || err != nil {
			return err
		}
	}
}

func (vr *valueReader) array(s pcommon.Slice, depth int) error {
	if depth > maxNesting {
		return errTooDeep
	}
	vr.pos++ // '['
	s.EnsureCapacity(vr.capacityHint())
	vr.skipSpace()
	if vr.pos < len(vr.src) && vr.src[vr.pos] == ']' {
		vr.pos++
		return nil
	}
	for {
		if s.Len() >= maxMembers {
			return errTooWide
		}
		if err := vr.value(s.AppendEmpty(), depth); err != nil {
			return err
		}
		if closed, err := vr.afterMember(']'); closed || err != nil {
			return err
		}
	}
}

// str reads a string at vr.pos ('"'). Without escapes it is a substring of
// the source: no allocation.
func (vr *valueReader) str() (string, error) {
	start := vr.pos + 1
	i := start
	// Eight bytes at a time while none of them is a quote, a backslash or
	// a control character: string contents are most of an event's bytes.
	for ; i+8 <= len(vr.raw); i += 8 {
		if wordHasSpecial(binary.LittleEndian.Uint64(vr.raw[i:])) {
			break
		}
	}
	for ; i < len(vr.src); i++ {
		switch c := vr.src[i]; {
		case c == '"':
			vr.pos = i + 1
			s := vr.src[start:i]
			if !vr.validUTF8 {
				s = validUTF8(s)
			}
			return s, nil
		case c == '\\':
			return vr.escapedStr(start, i)
		case c < 0x20:
			vr.pos = i
			return "", vr.syntax("control character in string")
		}
	}
	vr.pos = len(vr.src)
	return "", vr.syntax("unterminated string")
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// wordHasSpecial reports whether any byte of w is '"', '\\' or below 0x20.
func wordHasSpecial(w uint64) bool {
	quote := w ^ ('"' * lowBits)
	backslash := w ^ ('\\' * lowBits)
	return ((quote-lowBits)&^quote|(backslash-lowBits)&^backslash|(w-0x20*lowBits)&^w)&highBits != 0
}

// escapedStr decodes a string with escapes, from start, the first byte after
// the quote; i is the first backslash.
func (vr *valueReader) escapedStr(start, i int) (string, error) {
	b := append(vr.scratch[:0], vr.src[start:i]...)
	for i < len(vr.src) {
		c := vr.src[i]
		switch {
		case c == '"':
			vr.pos = i + 1
			vr.scratch = b
			if !vr.validUTF8 {
				return strings.ToValidUTF8(string(b), "\uFFFD"), nil
			}
			return string(b), nil
		case c < 0x20:
			vr.pos = i
			return "", vr.syntax("control character in string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(vr.src) {
			break
		}
		switch e := vr.src[i+1]; e {
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
			r, n, ok := vr.unicodeEscape(i)
			if !ok {
				vr.pos = i
				return "", vr.syntax("invalid \\u escape")
			}
			b = utf8.AppendRune(b, r)
			i += n
			continue
		default:
			vr.pos = i
			return "", vr.syntax("invalid escape")
		}
		i += 2
	}
	vr.pos = len(vr.src)
	return "", vr.syntax("unterminated string")
}

// unicodeEscape decodes \uXXXX at i, joining a surrogate pair; a lone
// surrogate becomes U+FFFD, as encoding/json does. It returns the bytes used.
func (vr *valueReader) unicodeEscape(i int) (rune, int, bool) {
	r, ok := hex4(vr.src, i+2)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if i+12 <= len(vr.src) && vr.src[i+6] == '\\' && vr.src[i+7] == 'u' {
		if r2, ok := hex4(vr.src, i+8); ok {
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
// what a JSON reader of the original event would see.
func (vr *valueReader) number(dst pcommon.Value) error {
	start := vr.pos
	i := start
	if i < len(vr.src) && vr.src[i] == '-' {
		i++
	}
	intStart := i
	for i < len(vr.src) && vr.src[i] >= '0' && vr.src[i] <= '9' {
		i++
	}
	if i == intStart || (vr.src[intStart] == '0' && i-intStart > 1) {
		vr.pos = intStart
		return vr.syntax("invalid number")
	}
	isInt := true
	if i < len(vr.src) && vr.src[i] == '.' {
		isInt = false
		i++
		fracStart := i
		for i < len(vr.src) && vr.src[i] >= '0' && vr.src[i] <= '9' {
			i++
		}
		if i == fracStart {
			vr.pos = i
			return vr.syntax("invalid number")
		}
	}
	if i < len(vr.src) && (vr.src[i] == 'e' || vr.src[i] == 'E') {
		isInt = false
		i++
		if i < len(vr.src) && (vr.src[i] == '+' || vr.src[i] == '-') {
			i++
		}
		expStart := i
		for i < len(vr.src) && vr.src[i] >= '0' && vr.src[i] <= '9' {
			i++
		}
		if i == expStart {
			vr.pos = i
			return vr.syntax("invalid number")
		}
	}
	vr.pos = i
	text := vr.src[start:i]
	if isInt {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			dst.SetInt(n)
			return nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return vr.syntax("invalid number")
	}
	dst.SetDouble(f)
	return nil
}

// validUTF8 replaces invalid sequences: OTLP strings must be valid UTF-8,
// or the exporter's protobuf encoding fails far from the cause.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
