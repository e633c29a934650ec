// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

// hostileBearerToken is the token of a second receiver, for senders that
// must type "Bearer " themselves.
const hostileBearerToken = "Bearer xyz-hostile-test"

// hostileOmit as a case's auth sends no Authorization header at all.
const hostileOmit = "\x00omit"

// hostileBody produces a request body and its length on demand, so that
// gigabyte-sized inputs are generated while sent rather than held.
type hostileBody func() (io.Reader, int64)

func hostileText(s string) hostileBody {
	return func() (io.Reader, int64) { return strings.NewReader(s), int64(len(s)) }
}

func hostileLines(lines ...string) hostileBody {
	return hostileText(strings.Join(lines, "\n") + "\n")
}

// hostileRepeat yields chunk n times without ever holding more than chunk.
type hostileRepeat struct {
	chunk []byte
	left  int64 // bytes still to produce
	pos   int
}

func newHostileRepeat(chunk []byte, n int64) *hostileRepeat {
	return &hostileRepeat{chunk: chunk, left: int64(len(chunk)) * n}
}

func (r *hostileRepeat) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:], r.chunk[r.pos:])
		if int64(c) > r.left {
			c = int(r.left)
		}
		n += c
		r.left -= int64(c)
		r.pos = (r.pos + c) % len(r.chunk)
	}
	return n, nil
}

// hostileGzipBomb is about 10 MB of gzip that inflates to 10 GiB of zeros:
// 10,240 gzip members of 1 MiB each. Concatenated members are one valid gzip
// stream (RFC 1952), and building one member once keeps the sender cheap.
func hostileGzipBomb() hostileBody {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	_ = zw.Close()
	member := buf.Bytes()
	const members = 10 << 10
	return func() (io.Reader, int64) {
		return newHostileRepeat(member, members), int64(len(member)) * members
	}
}

// hostileZstdBomb is the same for zstd: 10 GiB of zeros in 1 MiB frames.
func hostileZstdBomb() hostileBody {
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	frame := enc.EncodeAll(make([]byte, 1<<20), nil)
	_ = enc.Close()
	const frames = 10 << 10
	return func() (io.Reader, int64) {
		return newHostileRepeat(frame, frames), int64(len(frame)) * frames
	}
}

// hostileNested is one event whose data holds depth nested arrays.
func hostileNested(id string, depth int) string {
	return `{"log_id":"` + id + `","data":{"type":"f","deep":` +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}}`
}

// hostileNestedObjects nests objects instead, which take another parser path.
func hostileNestedObjects(id string, depth int) string {
	return `{"log_id":"` + id + `","data":{"type":"f","deep":` +
		strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth) + `}}`
}

// hostileHead builds a request line and headers. auth "" means the valid
// token; hostileOmit means no Authorization header.
func hostileHead(method, path, auth string, contentLength int64, headers []string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path)
	if auth != hostileOmit {
		fmt.Fprintf(&sb, "Authorization: %s\r\n", auth)
	}
	chunked := false
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&sb, "%s: %s\r\n", headers[i], headers[i+1])
		chunked = chunked || strings.EqualFold(headers[i], "Transfer-Encoding")
	}
	if contentLength >= 0 && !chunked {
		fmt.Fprintf(&sb, "Content-Length: %d\r\n", contentLength)
	}
	sb.WriteString("\r\n")
	return sb.String()
}

// hostileHeapWatch samples the heap while a request runs and reports the
// largest growth over the starting point. The GC runs at 10% growth
// meanwhile, so that HeapAlloc follows the live heap instead of garbage
// waiting for a collection paced by whatever the test process held before.
func hostileHeapWatch() (stop func() uint64) {
	oldPercent := debug.SetGCPercent(10)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
					peak.Store(m.HeapAlloc - base)
				}
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		debug.SetGCPercent(oldPercent)
		return peak.Load()
	}
}

type hostileCase struct {
	name    string
	bearer  bool   // send to the receiver whose token starts with "Bearer "
	method  string // default POST
	path    string // default the receiver's path
	auth    string // default the valid token; hostileOmit for none
	headers []string
	body    hostileBody

	status int
	reason string // substring of the JSON error, or of the plain body when plain
	plain  bool   // answered by net/http itself, which writes plain text
	// For 200: the counts of the JSON answer. accepted includes malformed
	// records, which are delivered as WARN records holding the raw text.
	accepted, malformed int
	check               func(t *testing.T, logs []plog.Logs)
	heapBound           bool // assert the heap stayed bounded (bombs)
	// partial: a body too large for one chunk may have had earlier chunks
	// accepted; the reason must say how many, and that many were delivered.
	partial bool
}

func hostileCases() []hostileCase {
	bigString := strings.Repeat("x", 6<<20)
	escapes := strings.Repeat(`\u0000\n\"`, 300_000) // ~4.8 MB of escapes
	const overSize = defaultMaxBodySize + 1<<20
	gzipBomb, zstdBomb := hostileGzipBomb(), hostileZstdBomb()
	gz := func(s string) hostileBody {
		return func() (io.Reader, int64) {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write([]byte(s))
			_ = zw.Close()
			return bytes.NewReader(buf.Bytes()), int64(buf.Len())
		}
	}
	good := func(id string) hostileBody { return hostileLines(envelope(id, "f")) }

	return []hostileCase{
		// Not JSON at all.
		{name: "XML", body: hostileText(`<?xml version="1.0"?><log id="1"/>`), status: 400, reason: "no Auth0 event"},
		{name: "form encoded", body: hostileText("log_id=1&type=f"), status: 400, reason: "no Auth0 event"},
		{name: "binary noise", body: hostileText("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), status: 400, reason: "no Auth0 event"},
		{name: "JSON scalars only", body: hostileLines(`1`, `"s"`, `null`, `true`), status: 400, reason: "event is not a JSON object"},
		{name: "array of scalars", body: hostileText(`[1,"two",null]`), status: 400, reason: "event is not a JSON object"},

		// Truncated JSON.
		{name: "truncated line", body: hostileText(`{"log_id":"t1","data":{"type":"f"`), status: 400, reason: "malformed JSON"},
		{name: "truncated line mid-string", body: hostileText(`{"log_id":"t2","data":{"type":"f`), status: 400, reason: "malformed JSON"},
		{name: "truncated line after comma", body: hostileText(`{"log_id":"t3","data":{"type":"f",`), status: 400, reason: "malformed JSON"},
		{name: "truncated array after comma", body: hostileText(`[` + envelope("t6", "f") + `,`), status: 400, reason: "malformed JSON"},
		{name: "truncated pretty object", body: hostileText("{\n  \"log_id\": \"t7\",\n  \"data\": {\n    \"type\": \"f\"\n"), status: 400, reason: "malformed JSON"},
		{name: "truncated line among good ones", body: hostileLines(envelope("t8", "f"), `{"log_id":"t9","data":{"ty`, envelope("t10", "s")),
			status: 200, accepted: 3, malformed: 1},

		// Encoding oddities.
		{name: "BOM then JSON Lines", body: hostileText("\xEF\xBB\xBF" + envelope("b1", "f") + "\n" + envelope("b2", "s") + "\n"), status: 200, accepted: 2},
		{name: "BOM then array", body: hostileText("\xEF\xBB\xBF[" + envelope("b3", "f") + "]"), status: 200, accepted: 1},
		{name: "two BOMs", body: hostileText("\xEF\xBB\xBF\xEF\xBB\xBF" + envelope("b4", "f")), status: 400, reason: "malformed JSON"},
		{name: "BOM on a later line", body: hostileLines(envelope("b5", "f"), "\xEF\xBB\xBF"+envelope("b6", "f")), status: 200, accepted: 2, malformed: 1},
		{name: "NUL bytes only", body: hostileText(strings.Repeat("\x00", 1024)), status: 400, reason: "malformed JSON"},
		{name: "NUL byte between values", body: hostileText(envelope("n1", "f") + "\x00" + envelope("n2", "f") + "\n"), status: 400, reason: "malformed JSON"},
		{name: "escaped NUL in a string", body: hostileLines(envelopeWith("n3", `"type":"f","description":"a\u0000b"`)), status: 200, accepted: 1,
			check: func(t *testing.T, logs []plog.Logs) {
				d, _ := hostileOnlyRecord(t, logs).Body().Map().Get("description")
				assert.Equal(t, "a\x00b", d.Str())
			}},
		{name: "invalid UTF-8 in strings", body: hostileLines(envelopeWith("u1", "\"type\":\"f\",\"user_name\":\"a\xff\xfeb\",\"k\xc3\":\"v\"")), status: 200, accepted: 1,
			check: func(t *testing.T, logs []plog.Logs) {
				v, _ := hostileOnlyRecord(t, logs).Attributes().Get("user.name")
				assert.Equal(t, "a\uFFFDb", v.Str(), "a run of invalid bytes becomes one U+FFFD")
			}},
		{name: "invalid UTF-8 outside strings", body: hostileText("\xff\xfe" + envelope("u2", "f")), status: 400, reason: "malformed JSON"},

		// Deep nesting and huge values.
		{name: "10000 nested arrays in a line", body: hostileLines(hostileNested("d1", 10_000)), status: 400, reason: "no Auth0 event"},
		{name: "10000 nested objects in a line", body: hostileLines(hostileNestedObjects("d2", 10_000)), status: 400, reason: "no Auth0 event"},
		{name: "10000 nested arrays as the body", body: hostileText(strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)), status: 400, reason: "event is not a JSON object"},
		{name: "10000 unclosed brackets", body: hostileText(strings.Repeat("[", 10_000)), status: 400, reason: "malformed JSON"},
		{name: "nesting just over the limit among good lines", body: hostileLines(envelope("d3", "f"), hostileNested("d4", 70)), status: 200, accepted: 2, malformed: 1,
			check: func(t *testing.T, logs []plog.Logs) {
				assert.Contains(t, hostileParseErrors(logs), "nested deeper than 64")
			}},
		{name: "6 MB string in one field", body: hostileLines(envelopeWith("h1", `"type":"f","description":"`+bigString+`"`)), status: 200, accepted: 1,
			check: func(t *testing.T, logs []plog.Logs) {
				d, _ := hostileOnlyRecord(t, logs).Body().Map().Get("description")
				assert.Len(t, d.Str(), len(bigString))
			}},
		{name: "5 MB of escapes in one field", body: hostileLines(envelopeWith("h2", `"type":"f","description":"`+escapes+`"`)), status: 200, accepted: 1},
		{name: "6 MB key", body: hostileLines(envelopeWith("h3", `"type":"f","`+bigString+`":1`)), status: 200, accepted: 1},
		{name: "5000 members", body: hostileLines(envelopeWith("h4", `"type":"f"`+hostileMembers(5000))), status: 400, reason: "more than 4096 members"},

		// Wrong types.
		{name: "data is a string", body: hostileLines(`{"log_id":"w1","data":"hello"}`), status: 400, reason: `"data" is not a JSON object`},
		{name: "data is a number", body: hostileLines(`{"log_id":"w2","data":42}`), status: 400, reason: `"data" is not a JSON object`},
		{name: "data is null", body: hostileLines(`{"log_id":"w3","data":null}`), status: 400, reason: `"data" is not a JSON object`},
		{name: "data is a string among good lines", body: hostileLines(envelope("w4", "f"), `{"log_id":"w5","data":"x"}`), status: 200, accepted: 2, malformed: 1},
		{name: "date is a number", body: hostileLines(envelopeWith("w6", `"type":"f","date":1705314600000`)), status: 200, accepted: 1,
			check: func(t *testing.T, logs []plog.Logs) {
				lr := hostileOnlyRecord(t, logs)
				assert.Zero(t, lr.Timestamp(), "a numeric date must not become a timestamp")
				assert.NotZero(t, lr.ObservedTimestamp())
			}},
		{name: "type is an object", body: hostileLines(envelopeWith("w7", `"type":{"code":"f"}`)), status: 200, accepted: 1,
			check: func(t *testing.T, logs []plog.Logs) {
				lr := hostileOnlyRecord(t, logs)
				assert.Equal(t, "auth0.unknown", lr.EventName())
				assert.Equal(t, plog.SeverityNumberWarn, lr.SeverityNumber())
				_, hasType := lr.Attributes().Get("auth0.type")
				assert.False(t, hasType)
			}},
		{name: "scope is a number", body: hostileLines(envelopeWith("w8", `"type":"s","scope":42`)), status: 200, accepted: 1,
			check: func(t *testing.T, logs []plog.Logs) {
				lr := hostileOnlyRecord(t, logs)
				_, hasScope := lr.Attributes().Get("auth0.scope")
				assert.False(t, hasScope)
				s, _ := lr.Body().Map().Get("scope")
				assert.Equal(t, int64(42), s.Int(), "the body keeps the original value")
			}},
		{name: "log_id is a number", body: hostileLines(`{"log_id":7,"data":{"type":"f"}}`), status: 200, accepted: 1},

		// Mixed formats in one body.
		{name: "array line then JSON Lines", body: hostileText("[" + envelope("m1", "f") + "," + envelope("m2", "f") + "]\n" + envelope("m3", "s") + "\n"), status: 200, accepted: 3},
		{name: "JSON Lines then an array line", body: hostileLines(envelope("m4", "f"), "["+envelope("m5", "f")+","+envelope("m6", "f")+"]"), status: 200, accepted: 3},
		{name: "pretty object then JSON Lines", body: hostileText("{\n \"log_id\": \"m7\",\n \"data\": {\"type\": \"f\"}\n}\n" + envelope("m8", "s") + "\n"), status: 200, accepted: 2},
		{name: "JSON Lines then a pretty object", body: hostileText(envelope("m9", "f") + "\n{\n \"log_id\": \"m10\",\n \"data\": {\"type\": \"f\"}\n}\n"),
			status: 200, accepted: 5, malformed: 4},
		{name: "array then garbage", body: hostileText("[" + envelope("m11", "f") + "]\ngarbage\n"), status: 400, reason: "malformed JSON"},
		{name: "concatenated objects and arrays on one line", body: hostileLines(envelope("m12", "f") + "[" + envelope("m13", "f") + "]" + envelope("m14", "f")), status: 200, accepted: 3},

		// Empty bodies.
		{name: "BOM only", body: hostileText("\xEF\xBB\xBF"), status: 400, reason: "request body is empty"},
		{name: "empty JSON array", body: hostileText("[]"), status: 400, reason: "no Auth0 event"},
		{name: "gzip of nothing", headers: []string{"Content-Encoding", "gzip"}, body: gz(""), status: 400, reason: "request body is empty"},

		// Compression and size.
		{name: "gzip bomb 10 MB to 10 GiB", headers: []string{"Content-Encoding", "gzip"}, body: gzipBomb, status: 413, reason: "after decompression", heapBound: true},
		{name: "zstd bomb to 10 GiB", headers: []string{"Content-Encoding", "zstd"}, body: zstdBomb, status: 413, reason: "after decompression", heapBound: true},
		{name: "oversized single line", body: func() (io.Reader, int64) {
			head := `{"log_id":"o1","data":{"type":"f","description":"`
			return io.MultiReader(strings.NewReader(head), newHostileRepeat([]byte("x"), overSize)), int64(len(head)) + overSize
		}, status: 413, reason: "exceeds the limit of 16777216 bytes", heapBound: true},
		// With its length declared, an oversized body is refused before a byte is read.
		{name: "oversized batch of events", body: hostileEventStream(overSize, 8<<10), status: 413, reason: "exceeds the limit"},
		// Sent chunked, its size is only known as it arrives: earlier chunks may be delivered.
		{name: "oversized chunked batch of events", headers: []string{"Transfer-Encoding", "chunked"},
			body: hostileChunkedStream(hostileEventStream(overSize, 8<<10)), status: 413, reason: "exceeds the limit", partial: true},
		{name: "truncated gzip", headers: []string{"Content-Encoding", "gzip"}, body: func() (io.Reader, int64) {
			r, n := gz(envelope("z1", "f") + "\n")()
			b, _ := io.ReadAll(r)
			return bytes.NewReader(b[:n/2]), n / 2
		}, status: 400, reason: "reading request body"},
		{name: "chunked transfer encoding", headers: []string{"Transfer-Encoding", "chunked"}, body: hostileChunked(envelope("z4", "f") + "\n"), status: 200, accepted: 1},
		{name: "unknown transfer encoding", headers: []string{"Transfer-Encoding", "gzip, chunked"}, body: hostileChunked(envelope("z5", "f")), status: 501, plain: true, reason: "Unsupported transfer encoding"},

		// Method, path and headers.
		{name: "DELETE", method: http.MethodDelete, body: hostileText(""), status: 405, reason: "use POST"},
		{name: "made-up method", method: "BREW", body: good("p2"), status: 405, reason: "use POST"},
		{name: "path with trailing slash", path: "/api/logs/", body: good("p4"), status: 404, reason: "no such path"},
		{name: "path in other case", path: "/API/LOGS", body: good("p5"), status: 404, reason: "no such path"},
		{name: "path with dot segments", path: "/api/x/../logs", body: good("p6"), status: 404, reason: "no such path"},
		{name: "query string is ignored", path: "/api/logs?token=1", body: good("p7"), status: 200, accepted: 1},
		{name: "huge header", headers: []string{"X-Padding", strings.Repeat("a", 200<<10)}, body: good("p8"), status: 431, plain: true, reason: "Request Header Fields Too Large"},
		{name: "many headers", headers: hostileManyHeaders(8000), body: good("p9"), status: 431, plain: true, reason: "Request Header Fields Too Large"},
		{name: "control character in header", headers: []string{"X-Bad", "a\x01b"}, body: good("p10"), status: 400, plain: true, reason: "Bad Request"},

		// Tokens.
		{name: "token empty", auth: hostileOmit, headers: []string{"Authorization", ""}, body: good("k2"), status: 401, reason: "does not match"},
		{name: "token with a suffix", auth: testToken + "x", body: good("k5"), status: 401, reason: "does not match"},
		{name: "token twice", headers: []string{"Authorization", testToken}, body: good("k8"), status: 401, reason: "sent more than once"},
		{name: "token padded with spaces", auth: "  " + testToken + "  ", body: good("k9"), status: 200, accepted: 1},
		{name: "Bearer token sent exactly", bearer: true, auth: hostileBearerToken, body: good("k10"), status: 200, accepted: 1},
		{name: "Bearer missing", bearer: true, auth: strings.TrimPrefix(hostileBearerToken, "Bearer "), body: good("k11"), status: 401, reason: "does not match"},
		{name: "bearer in lower case", bearer: true, auth: "b" + hostileBearerToken[1:], body: good("k12"), status: 401, reason: "does not match"},
		{name: "token refused before a bad body", auth: "wrong", headers: []string{"Content-Encoding", "gzip"}, body: gzipBomb, status: 401, reason: "does not match"},
	}
}

// hostileEventStream yields distinct events of about eventSize bytes until
// at least size bytes; ids have a fixed width so the length is known.
func hostileEventStream(size int64, eventSize int) hostileBody {
	line := func(i int64) string {
		return `{"log_id":"` + fmt.Sprintf("ov-%08d", i) + `","data":{"type":"f","description":"` +
			strings.Repeat("d", eventSize) + `"}}` + "\n"
	}
	lineLen := int64(len(line(0)))
	n := size/lineLen + 1
	return func() (io.Reader, int64) {
		var i int64
		var pending []byte
		return hostileReaderFunc(func(p []byte) (int, error) {
			if len(pending) == 0 {
				if i == n {
					return 0, io.EOF
				}
				pending = []byte(line(i))
				i++
			}
			c := copy(p, pending)
			pending = pending[c:]
			return c, nil
		}), n * lineLen
	}
}

type hostileReaderFunc func(p []byte) (int, error)

func (f hostileReaderFunc) Read(p []byte) (int, error) { return f(p) }

// hostileChunked frames s in two HTTP chunks.
func hostileChunked(s string) hostileBody {
	half := len(s) / 2
	framed := fmt.Sprintf("%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", half, s[:half], len(s)-half, s[half:])
	return func() (io.Reader, int64) { return strings.NewReader(framed), -1 }
}

// hostileChunkedStream frames a streamed body with chunked transfer
// encoding on the fly, so its length is never declared.
func hostileChunkedStream(body hostileBody) hostileBody {
	return func() (io.Reader, int64) {
		inner, _ := body()
		buf := make([]byte, 32<<10)
		var pending []byte
		done := false
		return hostileReaderFunc(func(p []byte) (int, error) {
			if len(pending) == 0 {
				if done {
					return 0, io.EOF
				}
				n, err := io.ReadFull(inner, buf)
				if n > 0 {
					pending = fmt.Appendf(nil, "%x\r\n%s\r\n", n, buf[:n])
				}
				if err != nil {
					pending = append(pending, "0\r\n\r\n"...)
					done = true
				}
			}
			c := copy(p, pending)
			pending = pending[c:]
			return c, nil
		}), -1
	}
}

// hostileMembers lists n distinct members: repeated keys would only
// overwrite each other and never reach the member limit.
func hostileMembers(n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, `,"k%d":1`, i)
	}
	return sb.String()
}

func hostileManyHeaders(n int) []string {
	h := make([]string, 0, 2*n)
	for i := range n {
		h = append(h, fmt.Sprintf("X-H%d", i), "v")
	}
	return h
}

func hostileOnlyRecord(t *testing.T, logs []plog.Logs) plog.LogRecord {
	t.Helper()
	require.Len(t, logs, 1)
	require.Equal(t, 1, logs[0].LogRecordCount())
	return logs[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}

// hostileParseErrors joins the auth0.parse_error of every record.
func hostileParseErrors(logs []plog.Logs) string {
	var sb strings.Builder
	for _, l := range logs {
		for i := range l.ResourceLogs().Len() {
			for j := range l.ResourceLogs().At(i).ScopeLogs().Len() {
				lrs := l.ResourceLogs().At(i).ScopeLogs().At(j).LogRecords()
				for k := range lrs.Len() {
					if v, ok := lrs.At(k).Attributes().Get(translator.AttrParseError); ok {
						sb.WriteString(v.Str() + "\n")
					}
				}
			}
		}
	}
	return sb.String()
}

// hostileBaseline waits for background goroutines to settle, then returns
// their number and the live heap.
func hostileBaseline() (int, uint64) {
	runtime.GC()
	runtime.GC() // a second cycle also empties sync.Pool victims
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

// TestBadInput runs every hostile or broken request against one running
// receiver, then checks that it still serves and that goroutines and heap
// are back where they started.
func TestBadInput(t *testing.T) {
	sink := &consumertest.LogsSink{}
	cfg := testConfig(t)
	cfg.ServerConfig.ReadHeaderTimeout = time.Second
	cfg.MaxConnections = 64
	url := startReceiver(t, cfg, sink)
	addr := cfg.ServerConfig.NetAddr.Endpoint

	bearerCfg := testConfig(t)
	bearerCfg.AuthorizationToken = hostileBearerToken
	startReceiver(t, bearerCfg, sink)

	cases := hostileCases()
	require.GreaterOrEqual(t, len(cases), 40)

	// Warm up pools and lazily started goroutines before the baseline.
	require.Equal(t, http.StatusOK, post(t, url, testToken, jsonLines(envelope("warm-up", "f"))).status)
	sink.Reset()
	goroutines, heap := hostileBaseline()

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink.Reset()
			target := addr
			if tc.bearer {
				target = bearerCfg.ServerConfig.NetAddr.Endpoint
			}
			method, path, auth := tc.method, tc.path, tc.auth
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = cfg.Path
			}
			if auth == "" {
				auth = testToken
			}
			body, n := tc.body()
			var watch func() uint64
			if tc.heapBound {
				watch = hostileHeapWatch()
			}
			start := time.Now()
			resp := sendRaw(t, target, hostileHead(method, path, auth, n, tc.headers), body)
			elapsed := time.Since(start)
			if watch != nil {
				grown := watch()
				t.Logf("%s: answered in %v, client wrote %d of %d bytes, heap peak +%d MiB",
					tc.name, elapsed.Round(time.Millisecond), resp.written, n, grown>>20)
				assert.Less(t, grown, uint64(64<<20), "heap grew by %d MiB", grown>>20)
			}

			require.Equal(t, tc.status, resp.status, "body: %.300s", resp.body)
			switch {
			case tc.status == http.StatusOK:
				var got struct{ Accepted, Duplicates, Malformed int }
				require.NoError(t, json.Unmarshal([]byte(resp.body), &got), resp.body)
				assert.Equal(t, tc.accepted, got.Accepted, "accepted")
				assert.Equal(t, tc.malformed, got.Malformed, "malformed")
				assert.Zero(t, got.Duplicates, "duplicates")
				assert.Equal(t, tc.accepted, sink.LogRecordCount(), "records in the pipeline")
			case tc.plain:
				assert.Contains(t, resp.body, tc.reason)
				assert.Zero(t, sink.LogRecordCount())
			default:
				assert.Contains(t, errorReason(t, resp.body), tc.reason)
				assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
				if !tc.partial {
					assert.Zero(t, sink.LogRecordCount(), "nothing may reach the pipeline on %d", tc.status)
					break
				}
				m := regexp.MustCompile(`(\d+) records were accepted before the failure`).FindStringSubmatch(resp.body)
				require.NotNil(t, m, resp.body)
				n, _ := strconv.Atoi(m[1])
				assert.Positive(t, n)
				assert.Equal(t, n, sink.LogRecordCount(), "records in the pipeline")
			}
			if tc.status == http.StatusMethodNotAllowed {
				assert.Equal(t, "POST", resp.header.Get("Allow"))
			}
			if tc.check != nil {
				tc.check(t, sink.AllLogs())
			}
			sink.Reset()
		})
	}

	t.Run("slowloris headers", func(t *testing.T) { hostileSlowloris(t, addr, url, true) })
	t.Run("slowloris body", func(t *testing.T) {
		slowCfg := testConfig(t)
		slowCfg.ServerConfig.ReadTimeout = 2 * time.Second
		slowURL := startReceiver(t, slowCfg, sink)
		hostileSlowloris(t, slowCfg.ServerConfig.NetAddr.Endpoint, slowURL, false)
	})
	t.Run("200 concurrent connections, 64 at a time", func(t *testing.T) { hostileConcurrent(t, 200) })

	// The server still serves.
	sink.Reset()
	final := post(t, url, testToken, jsonLines(envelope("final", "f")))
	require.Equal(t, http.StatusOK, final.status, final.body)
	require.Equal(t, 1, sink.LogRecordCount())
	sink.Reset()

	var nowG int
	var nowHeap uint64
	for deadline := time.Now().Add(5 * time.Second); ; {
		nowG, nowHeap = hostileBaseline()
		if nowG <= goroutines+2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("goroutines %d -> %d, heap %d MiB -> %d MiB", goroutines, nowG, heap>>20, nowHeap>>20)
	assert.LessOrEqual(t, nowG, goroutines+2, "goroutines did not return to their baseline")
	assert.Less(t, int64(nowHeap)-int64(heap), int64(16<<20), "heap did not return near its baseline")
}

// hostileSlowloris trickles a request one byte per 100 ms: the headers
// (cut off by read_header_timeout, 1 s here) or, after complete headers,
// the body (cut off by read_timeout). A normal client must be served while
// the slow one is still connected.
func hostileSlowloris(t *testing.T, addr, url string, headers bool) {
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	// Without the timeouts the 300-byte trickle would last 30 s; this
	// deadline only bounds the test.
	require.NoError(t, conn.SetDeadline(time.Now().Add(15*time.Second)))

	body := envelope("slow", "f") + strings.Repeat(" ", 300) + "\n"
	head := hostileHead(http.MethodPost, "/api/logs", testToken, int64(len(body)), []string{"X-Padding", strings.Repeat("p", 200)})
	trickled := head
	if !headers {
		trickled = body
		_, err = io.WriteString(conn, head)
		require.NoError(t, err)
	}

	var sent atomic.Int64
	stopTrickle := make(chan struct{})
	trickleDone := make(chan struct{})
	go func() {
		defer close(trickleDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := range len(trickled) {
			select {
			case <-stopTrickle:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte{trickled[i]}); err != nil {
				return
			}
			sent.Add(1)
		}
	}()
	defer func() { close(stopTrickle); <-trickleDone }()

	cutOff := make(chan string, 1)
	start := time.Now()
	go func() {
		b, _ := io.ReadAll(conn) // returns when the server closes or the deadline hits
		cutOff <- string(b)
	}()

	time.Sleep(300 * time.Millisecond)
	normal := post(t, url, testToken, jsonLines(envelope(fmt.Sprintf("beside-slow-%v", headers), "f")))
	assert.Equal(t, http.StatusOK, normal.status, normal.body)
	select {
	case got := <-cutOff:
		t.Fatalf("the slow client was cut off before the normal one was served: %q", got)
	default:
	}

	var answer string
	select {
	case answer = <-cutOff:
	case <-time.After(15 * time.Second):
		t.Fatal("the slow client was never cut off")
	}
	elapsed := time.Since(start)
	t.Logf("slow client cut off after %v having sent %d of %d trickled bytes; answer %q",
		elapsed.Round(time.Millisecond), sent.Load(), len(trickled), answer)
	assert.Less(t, sent.Load(), int64(len(trickled)), "the slow request was never cut off")
	assert.NotContains(t, answer, " 200 ", "a trickled request must not be accepted")
}

// hostileConcurrent opens n connections at once against max_connections
// 64. The pipeline holds every request until 64 are inside it and a moment
// longer, so the test sees the limit reached and not exceeded; the extra
// connections wait in the accept queue, and in the end all are served.
func hostileConcurrent(t *testing.T, n int) {
	const limit = 64
	var inFlight, most, records atomic.Int64
	full := make(chan struct{})
	var fullOnce sync.Once
	next, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		if now >= limit {
			// Hold the full house a moment: without the limit, the waiting
			// connections would come in now and push the count past 64.
			fullOnce.Do(func() { time.AfterFunc(300*time.Millisecond, func() { close(full) }) })
		}
		select {
		case <-full:
		case <-time.After(10 * time.Second): // bounds the test if the limit is never reached
		}
		records.Add(int64(ld.LogRecordCount()))
		return nil
	})
	require.NoError(t, err)
	cfg := testConfig(t)
	cfg.MaxConnections = limit
	url := startReceiver(t, cfg, next)

	var wg sync.WaitGroup
	var ok atomic.Int64
	failures := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest(http.MethodPost, url, jsonLines(envelope(fmt.Sprintf("conc-%d", i), "f")))
			if err != nil {
				failures <- err.Error()
				return
			}
			req.Header.Set("Authorization", testToken)
			resp, err := testClient().Do(req)
			if err != nil {
				failures <- err.Error()
				return
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != http.StatusOK {
				failures <- resp.Status
				return
			}
			ok.Add(1)
		}()
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Errorf("request failed: %s", f)
	}
	t.Logf("%d requests, at most %d in the pipeline at once", n, most.Load())
	assert.Equal(t, int64(n), ok.Load(), "requests answered 200")
	assert.Equal(t, int64(n), records.Load(), "records delivered")
	assert.Equal(t, int64(limit), most.Load(), "connections served at once")
}

// TestZstdWindowIsBounded sends a 10-byte zstd frame whose header announces
// a 512 MiB window. The zstd decoder confighttp puts in front of the
// receiver allocates the window up front (and pools the decoder with it), so
// each such request costs the server 512 MiB: a few dozen concurrent ones
// exhaust the memory before memory_limiter or any size limit can act. The
// allocation must stay bounded like the decompressed body is. This test
// fails at the time of writing: see the report.
func TestZstdWindowIsBounded(t *testing.T) {
	cfg := testConfig(t)
	startReceiver(t, cfg, consumertest.NewNop())
	// Magic, no content size, window descriptor 0x98 (2^29 bytes), then one
	// last RLE block of one '{'.
	frame := []byte{0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x98, 0x0B, 0x00, 0x00, '{'}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp := sendRaw(t, cfg.ServerConfig.NetAddr.Endpoint,
		hostileHead(http.MethodPost, cfg.Path, testToken, int64(len(frame)), []string{"Content-Encoding", "zstd"}),
		bytes.NewReader(frame))
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc

	assert.Equal(t, http.StatusBadRequest, resp.status, resp.body)
	t.Logf("a %d-byte request made the process allocate %d MiB", len(frame), allocated>>20)
	assert.Less(t, allocated, uint64(64<<20), "allocation caused by a 10-byte zstd request")
}
