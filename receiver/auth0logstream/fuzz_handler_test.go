// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

// fuzzHandlerMaxBody is small so that compressed inputs reach the 413 path.
const fuzzHandlerMaxBody = 64 << 10

// fuzzHandlerStatuses is the README's status table.
var fuzzHandlerStatuses = map[int]bool{200: true, 400: true, 401: true, 404: true, 405: true, 413: true, 415: true, 431: true, 503: true}

// fuzzHandlerEncodings are picked by the choice byte. "raw" ones label the
// fuzzed bytes with an encoding without encoding them, so the decompressors
// confighttp puts in front of the receiver get arbitrary input too.
var fuzzHandlerEncodings = []struct {
	header  string
	encode  func([]byte) []byte // nil: send the bytes as they are
	refused bool                // the receiver must answer 415
}{
	{header: ""},
	{header: "gzip", encode: fuzzHandlerGzip},
	{header: "deflate", encode: fuzzHandlerZlib},
	{header: "zstd", encode: fuzzHandlerZstd},
	{header: "gzip"},
	{header: "zstd"},
	{header: "deflate"},
	{header: "lz4"},
	{header: "snappy"},
	{header: "br", refused: true},
}

var fuzzHandlerZstdEncoder, _ = zstd.NewWriter(nil)

func fuzzHandlerGzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func fuzzHandlerZlib(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func fuzzHandlerZstd(b []byte) []byte { return fuzzHandlerZstdEncoder.EncodeAll(b, nil) }

// fuzzHandlerChain starts a receiver on a loopback port and returns the
// handler Start built, so the fuzzer drives the production chain (gate,
// confighttp's size limit and decompression, ingest) in-process, without a
// connection per input. records counts what reached the pipeline.
func fuzzHandlerChain(f *testing.F, mode BodyMode, records *atomic.Int64) http.Handler {
	next, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
		records.Add(int64(ld.LogRecordCount()))
		return nil
	})
	require.NoError(f, err)
	cfg := testConfig(f)
	cfg.Body = mode
	cfg.ServerConfig.MaxRequestBodySize = fuzzHandlerMaxBody
	cfg.Deduplication.MaxEntries = 1000
	r, err := newLogsReceiver(cfg, receivertest.NewNopSettings(metadata.Type), next)
	require.NoError(f, err)
	require.NoError(f, r.Start(context.Background(), componenttest.NewNopHost()))
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Shutdown(ctx)
	})
	return r.server.Handler
}

// fuzzHandlerSeeds are the payload fixtures (the small ones: mutating
// hundreds of KB stalls the fuzzer) and inputs aimed at the handler's edges.
func fuzzHandlerSeeds(f *testing.F) [][]byte {
	dir := filepath.Join("testdata", "payloads")
	entries, err := os.ReadDir(dir)
	require.NoError(f, err)
	var seeds [][]byte
	for _, e := range entries {
		if info, err := e.Info(); err != nil || info.Size() > fuzzHandlerMaxBody {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(f, err)
		seeds = append(seeds, b)
	}
	for _, s := range []string{
		"", " \r\n", "\xEF\xBB\xBF", "[]", "[", "{", "{\n", "null", "\x00\x00",
		envelope("s1", "f") + "\n" + `{"log_id":"s2","data":` + "\n" + envelope("s3", "s"),
		"[" + envelope("s4", "f") + "]\n" + envelope("s5", "f"),
		`{"log_id":"s6","data":"x"}`,
		`{"log_id":"s7","data":{"type":{"a":1},"date":1,"scope":2}}`,
		strings.Repeat("[", 1000),
		strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100),
		strings.Repeat("{}\n", 1500), // over a chunk of 1000 records
		"\xff\xfe{\"a\":\"\xff\"}",
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

var fuzzHandlerAcceptedBefore = regexp.MustCompile(`(\d+) records were accepted before the failure`)

// FuzzHandler drives arbitrary bodies, with a Content-Encoding picked by the
// choice byte, through the receiver's whole HTTP handler chain. Whatever the
// input: no panic, a documented status, a JSON reason on every refusal, and
// a 200's "accepted" equal to the records the pipeline got.
func FuzzHandler(f *testing.F) {
	for _, seed := range fuzzHandlerSeeds(f) {
		for _, choice := range []byte{0, 1, 4} {
			f.Add(seed, choice)
		}
	}
	f.Add(fuzzHandlerGzip([]byte(envelope("g1", "f"))), byte(4))
	f.Add(fuzzHandlerZstd([]byte(envelope("z1", "f"))), byte(5))

	modes := []BodyMode{BodyEvent, BodyDescription, BodyRaw}
	var records atomic.Int64
	handlers := make([]http.Handler, len(modes))
	for i, m := range modes {
		handlers[i] = fuzzHandlerChain(f, m, &records)
	}

	f.Fuzz(func(t *testing.T, body []byte, choice byte) {
		enc := fuzzHandlerEncodings[int(choice)%len(fuzzHandlerEncodings)]
		payload := body
		if enc.encode != nil {
			payload = enc.encode(body)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/logs", bytes.NewReader(payload))
		req.Header.Set("Authorization", testToken)
		if enc.header != "" {
			req.Header.Set("Content-Encoding", enc.header)
		}
		rec := httptest.NewRecorder()
		before := records.Load()
		handlers[int(choice)/len(fuzzHandlerEncodings)%len(handlers)].ServeHTTP(rec, req)
		delivered := records.Load() - before

		status := rec.Code
		if !fuzzHandlerStatuses[status] {
			t.Fatalf("undocumented status %d: %s", status, rec.Body)
		}
		if enc.refused != (status == http.StatusUnsupportedMediaType) {
			t.Fatalf("Content-Encoding %q answered %d: %s", enc.header, status, rec.Body)
		}
		if status == http.StatusOK {
			var counts struct{ Accepted, Duplicates, Malformed int64 }
			if err := json.Unmarshal(rec.Body.Bytes(), &counts); err != nil {
				t.Fatalf("200 without counts: %q", rec.Body)
			}
			if counts.Accepted != delivered {
				t.Fatalf("answered accepted=%d but the pipeline got %d records", counts.Accepted, delivered)
			}
			if counts.Malformed > counts.Accepted {
				t.Fatalf("malformed %d > accepted %d", counts.Malformed, counts.Accepted)
			}
			return
		}
		var refusal struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &refusal); err != nil || refusal.Error == "" {
			t.Fatalf("%d without a JSON reason: %q", status, rec.Body)
		}
		// Records are only delivered before a refusal when a later chunk
		// failed, and then the reason must say how many.
		var claimed int64
		if m := fuzzHandlerAcceptedBefore.FindStringSubmatch(refusal.Error); m != nil {
			claimed, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if claimed != delivered {
			t.Fatalf("%d %q, but the pipeline got %d records", status, refusal.Error, delivered)
		}
	})
}
