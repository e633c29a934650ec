// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newReq(method, target string, headers ...string) *http.Request {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return req
}

func commit(in *Inspector, status int, path string) {
	rec := in.Begin(newReq(http.MethodPost, path))
	rec.Answer(status, "reason for "+path)
	in.Commit(rec)
}

func TestRingKeepsNewestFirstAndDropsOldest(t *testing.T) {
	in := New(Settings{MaxRequests: 3})
	for i := 1; i <= 5; i++ {
		commit(in, 200+i, fmt.Sprintf("/p%d", i))
	}
	views, total := in.Snapshot()
	require.Len(t, views, 3)
	assert.Equal(t, uint64(5), total)
	var paths []string
	for _, v := range views {
		paths = append(paths, v.Path)
	}
	assert.Equal(t, []string{"/p5", "/p4", "/p3"}, paths)
	assert.Equal(t, []uint64{5, 4, 3}, []uint64{views[0].ID, views[1].ID, views[2].ID})
	assert.Equal(t, 205, views[0].Status)
	assert.Equal(t, "reason for /p5", views[0].Reason)
}

func TestDefaultCapacity(t *testing.T) {
	in := New(Settings{})
	assert.Equal(t, DefaultMaxRequests, in.Capacity())
	for range DefaultMaxRequests + 7 {
		commit(in, 200, "/x")
	}
	views, total := in.Snapshot()
	assert.Len(t, views, DefaultMaxRequests)
	assert.Equal(t, uint64(DefaultMaxRequests+7), total)
}

func TestNilInspectorAndRecordDoNothing(t *testing.T) {
	var in *Inspector
	rec := in.Begin(newReq(http.MethodPost, "/api/logs"))
	assert.Nil(t, rec)
	// None of these may panic on nil.
	rec.Authorization([]string{"x"}, false)
	rec.Header("X-A", true, true)
	rec.Authenticated()
	rec.Event([]byte(`{}`))
	rec.Malformed([]byte(`x`), "bad")
	rec.Format(FormatJSONLines)
	rec.Counts(1, 2, 3, 4)
	rec.Answer(200, "")
	in.Commit(rec)
	views, total := in.Snapshot()
	assert.Empty(t, views)
	assert.Zero(t, total)
	assert.False(t, rec.WantsEvent())
}

func TestBeginRecordsRequestLine(t *testing.T) {
	in := New(Settings{})
	req := newReq("BREW", "/api/logs%2Fx?token=abc", "Content-Type", "application/x-ndjson", "Content-Encoding", "gzip")
	req.RemoteAddr = "192.0.2.7:5555"
	req.ContentLength = 1234
	rec := in.Begin(req)
	in.Commit(rec)
	views, _ := in.Snapshot()
	v := views[0]
	assert.Equal(t, "other", v.Method, "unknown methods are not recorded as sent")
	assert.Equal(t, "/api/logs%2Fx", v.Path)
	assert.Equal(t, len("token=abc"), v.QueryBytes)
	assert.Equal(t, "192.0.2.7:5555", v.Remote)
	assert.Equal(t, "application/x-ndjson", v.ContentType)
	assert.Equal(t, "gzip", v.ContentEncoding)
	assert.Equal(t, int64(1234), v.ContentLength)
	assert.False(t, v.Authorization.Present)
	assert.False(t, v.Authorization.Checked)
	assert.Nil(t, v.Sample)
}

func TestAuthorizationSummary(t *testing.T) {
	const secret = "the-secret-value-1234"
	tests := []struct {
		name    string
		values  []string
		matched bool
		want    AuthSummary
		text    string
	}{
		{name: "missing", want: AuthSummary{Checked: true}, text: "missing"},
		{name: "matched", values: []string{secret}, matched: true, want: AuthSummary{Checked: true, Present: true, Count: 1, Matched: true}, text: "matched"},
		{name: "wrong", values: []string{secret + "x"}, want: AuthSummary{Checked: true, Present: true, Count: 1, Length: len(secret) + 1}, text: `did not match: 22 bytes, no "Bearer " prefix`},
		{name: "bearer", values: []string{"Bearer " + secret}, want: AuthSummary{Checked: true, Present: true, Count: 1, Length: len(secret) + 7, BearerPrefix: true}, text: `did not match: 28 bytes, starts with "Bearer "`},
		{name: "bearer lower case", values: []string{"bearer " + secret}, want: AuthSummary{Checked: true, Present: true, Count: 1, Length: len(secret) + 7, BearerPrefix: true}, text: `starts with "Bearer "`},
		{name: "two headers", values: []string{secret, secret}, want: AuthSummary{Checked: true, Present: true, Count: 2, Length: len(secret)}, text: "2 Authorization headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := New(Settings{})
			req := newReq(http.MethodPost, "/api/logs")
			for _, v := range tt.values {
				req.Header.Add("Authorization", v)
			}
			rec := in.Begin(req)
			rec.Authorization(req.Header["Authorization"], tt.matched)
			rec.Header("X-Stream-Secret", true, false)
			in.Commit(rec)
			views, _ := in.Snapshot()
			v := views[0]
			assert.Equal(t, tt.want, v.Authorization)
			assert.Contains(t, v.AuthText(), tt.text)
			assert.Equal(t, []HeaderCheck{{Name: "X-Stream-Secret", Present: true}}, v.RequiredHeaders)
			assert.NotContains(t, fmt.Sprintf("%+v", v), secret)
		})
	}
}

func TestRequiredHeadersAreBounded(t *testing.T) {
	in := New(Settings{})
	rec := in.Begin(newReq(http.MethodPost, "/"))
	for range MaxHeaderChecks + 3 {
		rec.Header(strings.Repeat("h", 200), true, true)
	}
	in.Commit(rec)
	views, _ := in.Snapshot()
	require.Len(t, views[0].RequiredHeaders, MaxHeaderChecks)
	assert.Equal(t, 3, views[0].RequiredHeadersOmitted)
	assert.Len(t, views[0].RequiredHeaders[0].Name, MaxHeaderNameBytes)
}

func TestSamplesOnlyForAuthenticatedRequests(t *testing.T) {
	in := New(Settings{MaskPII: true})
	rec := in.Begin(newReq(http.MethodPost, "/api/logs"))
	rec.Event([]byte(`{"log_id":"1"}`))
	rec.Malformed([]byte(`{oops`), "bad")
	in.Commit(rec)

	rec = in.Begin(newReq(http.MethodPost, "/api/logs"))
	rec.Authenticated()
	rec.Event([]byte(`{"log_id":"2"}`))
	rec.Event([]byte(`{"log_id":"3"}`))
	rec.Malformed([]byte(`{oops`), "malformed JSON: x")
	rec.Malformed([]byte(`{second`), "other")
	in.Commit(rec)

	views, _ := in.Snapshot()
	require.Len(t, views, 2)
	assert.Nil(t, views[1].Sample, "no sample of an unauthenticated request")
	s := views[0].Sample
	require.NotNil(t, s)
	assert.Equal(t, `{"log_id":"2"}`, s.FirstEvent)
	assert.Equal(t, `{oops`, s.FirstMalformed)
	assert.Equal(t, "malformed JSON: x", s.MalformedReason)
	assert.True(t, s.PIIMasked)
}

func TestSampleBuffersAreNotShared(t *testing.T) {
	// The ring and the pooled Records swap sample buffers; a later request
	// must never overwrite what an earlier record shows.
	in := New(Settings{MaxRequests: 2})
	for i := range 6 {
		rec := in.Begin(newReq(http.MethodPost, "/"))
		rec.Authenticated()
		rec.Event([]byte(fmt.Sprintf(`{"log_id":"%d"}`, i)))
		in.Commit(rec)
		views, _ := in.Snapshot()
		for j, v := range views {
			assert.Equal(t, fmt.Sprintf(`{"log_id":"%d"}`, i-j), v.Sample.FirstEvent)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	in := New(Settings{MaxRequests: 8, MaskPII: true})
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec := in.Begin(newReq(http.MethodPost, fmt.Sprintf("/w%d", w)))
				rec.Authenticated()
				rec.Event([]byte(fmt.Sprintf(`{"w":%d,"i":%d,"email":"a@b"}`, w, i)))
				rec.Answer(200, "")
				in.Commit(rec)
				if i%50 == 0 {
					_, _ = in.Snapshot()
				}
			}
		}()
	}
	wg.Wait()
	views, total := in.Snapshot()
	assert.Equal(t, uint64(workers*each), total)
	require.Len(t, views, 8)
	for _, v := range views {
		// Each sample must be whole and belong to its own request.
		assert.Contains(t, v.Sample.FirstEvent, `"w":`+strings.TrimPrefix(v.Path, "/w")+`,`)
		assert.Contains(t, v.Sample.FirstEvent, `"email":"***"`)
	}
}

// TestRecordMemoryBound fills every field of a record with more than its
// bound and checks the memory the stored entry holds against MaxRecordBytes.
func TestRecordMemoryBound(t *testing.T) {
	in := New(Settings{MaxRequests: 1})
	huge := strings.Repeat("\xff<é>", 20000) // invalid UTF-8 grows when repaired
	req := newReq(http.MethodPost, "/"+strings.Repeat("p", 10000)+"?"+strings.Repeat("q", 1000),
		"Content-Type", huge, "Content-Encoding", huge)
	req.RemoteAddr = huge
	rec := in.Begin(req)
	rec.Authenticated()
	for range MaxHeaderChecks {
		rec.Header(huge, true, false)
	}
	rec.Format(huge)
	rec.Event([]byte(huge))
	rec.Malformed([]byte(huge), huge)
	rec.Answer(500, huge)
	in.Commit(rec)

	e := &in.ring[0]
	size := int(unsafe.Sizeof(*e)) + len(e.remote) + len(e.method) + len(e.path) + len(e.contentType) +
		len(e.contentEncoding) + len(e.format) + len(e.reason) + len(e.malformedReason) +
		cap(e.event) + cap(e.malformedLine)
	for _, h := range e.headers[:e.nHeaders] {
		size += len(h.Name)
	}
	t.Logf("maximal record: %d bytes (bound %d)", size, MaxRecordBytes)
	assert.LessOrEqual(t, size, MaxRecordBytes)
	assert.LessOrEqual(t, cap(e.event), MaxSampleBytes)
	assert.True(t, e.pathTruncated)
	views, _ := in.Snapshot()
	assert.True(t, views[0].Sample.FirstEventTruncated)
	assert.True(t, views[0].Sample.FirstMalformedTruncated)
}

func TestClip(t *testing.T) {
	tests := []struct {
		in, want string
		n        int
		cut      bool
	}{
		{in: "abc", n: 5, want: "abc"},
		{in: "abcdef", n: 3, want: "abc", cut: true},
		{in: "a\x1b[31mb", n: 20, want: "a\uFFFD[31mb"},
		{in: "é", n: 1, want: "", cut: true},
		{in: "\xffab", n: 10, want: "\uFFFDab"},
		{in: "a\nb", n: 10, want: "a\uFFFDb"},
	}
	for _, tt := range tests {
		got, cut := clip(tt.in, tt.n)
		assert.Equal(t, tt.want, got, "clip(%q, %d)", tt.in, tt.n)
		assert.Equal(t, tt.cut, cut, "clip(%q, %d)", tt.in, tt.n)
	}
}

func TestSampleCutAtTheBoundMasksTheValueItCuts(t *testing.T) {
	in := New(Settings{MaskPII: true})
	// The email value starts just before the 4 KiB kept and runs past it.
	prefix := `{"description":"` + strings.Repeat("x", MaxSampleBytes-40) + `","email":"`
	event := prefix + strings.Repeat("e", 100) + `@example.com","type":"s"}`
	rec := in.Begin(newReq(http.MethodPost, "/"))
	rec.Authenticated()
	rec.Event([]byte(event))
	in.Commit(rec)
	views, _ := in.Snapshot()
	s := views[0].Sample
	require.NotNil(t, s)
	assert.True(t, s.FirstEventTruncated)
	assert.NotContains(t, s.FirstEvent, "eee")
	assert.Contains(t, s.FirstEvent, `"email":"***"`)
	assert.LessOrEqual(t, len(s.FirstEvent), MaxSampleBytes)
}

func TestSnapshotDoesNotShareSampleMemory(t *testing.T) {
	in := New(Settings{MaxRequests: 1})
	rec := in.Begin(newReq(http.MethodPost, "/"))
	rec.Authenticated()
	rec.Event([]byte(`{"n":1}`))
	in.Commit(rec)
	views, _ := in.Snapshot()
	// The next request reuses the buffers of the first: the view taken
	// before must not change.
	rec = in.Begin(newReq(http.MethodPost, "/"))
	rec.Authenticated()
	rec.Event([]byte(`{"n":2}`))
	in.Commit(rec)
	assert.Equal(t, `{"n":1}`, views[0].Sample.FirstEvent)
}
