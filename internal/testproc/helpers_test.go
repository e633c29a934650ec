// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder stands in for the test in the calls under test, to see how they end it.
type recorder struct {
	testing.TB
	skipped, failed string
}

type stopped struct{}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	panic(stopped{})
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	panic(stopped{})
}

func (r *recorder) run(fn func(testing.TB)) {
	defer func() {
		if v := recover(); v != nil && v != (stopped{}) {
			panic(v)
		}
	}()
	fn(r)
}

func TestCollectorSkipsWhenUnsetAndFailsWhenMissing(t *testing.T) {
	t.Setenv(BinaryEnv, "")
	r := &recorder{TB: t}
	r.run(func(tb testing.TB) { Collector(tb) })
	if !strings.Contains(r.skipped, "OTELCOL_BINARY not set") || r.failed != "" {
		t.Errorf("unset: skipped %q, failed %q; want a skip naming OTELCOL_BINARY", r.skipped, r.failed)
	}

	missing := filepath.Join(t.TempDir(), "otelcol-auth0")
	t.Setenv(BinaryEnv, missing)
	r = &recorder{TB: t}
	r.run(func(tb testing.TB) { Collector(tb) })
	if r.skipped != "" || !strings.Contains(r.failed, missing) {
		t.Errorf("missing file: skipped %q, failed %q; want a failure naming %s", r.skipped, r.failed, missing)
	}

	present := filepath.Join(t.TempDir(), "otelcol-auth0")
	if err := os.WriteFile(present, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(BinaryEnv, present)
	if got := Collector(t); got != present {
		t.Errorf("Collector = %q, want %q", got, present)
	}
}

func TestRepoRootHoldsTheDistributionsConfig(t *testing.T) {
	root := RepoRoot(t)
	for _, f := range []string{"otelcol-config.yaml", "builder-config.yaml", filepath.Join("internal", "run", "sink-config.yaml")} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestCollectorEnvIsWhatTheConfigReads(t *testing.T) {
	c := CollectorEnvOn([]string{"127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"}, "tok", "127.0.0.1:1000", "/q")
	got := strings.Join(c.Environ(), " ")
	want := "AUTH0_RECEIVER_ENDPOINT=127.0.0.1:1001 AUTH0_LOG_STREAM_TOKEN=tok OTLP_ENDPOINT=http://127.0.0.1:1000 " +
		"AUTH0_QUEUE_DIR=/q HEALTH_CHECK_ENDPOINT=127.0.0.1:1002 TELEMETRY_METRICS_PORT=1003"
	if got != want {
		t.Errorf("Environ = %s\nwant      %s", got, want)
	}
	config, err := os.ReadFile(filepath.Join(RepoRoot(t), "otelcol-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range c.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.Contains(string(config), "${env:"+name) {
			t.Errorf("otelcol-config.yaml does not read %s", name)
		}
	}
	if u := c.ReceiverURL(); u != "http://127.0.0.1:1001/api/logs" {
		t.Errorf("ReceiverURL = %s", u)
	}
	args := strings.Join(CollectorArgs("/r", "a::b: 1"), " ")
	if args != "--config /r/otelcol-config.yaml --config yaml:a::b: 1" {
		t.Errorf("CollectorArgs = %s", args)
	}
}

func TestLoopbackAddrsAreDistinct(t *testing.T) {
	addrs := FreeAddrs(t, 20)
	seen := map[string]bool{}
	for _, a := range addrs {
		if !strings.HasPrefix(a, "127.0.0.1:") || seen[a] {
			t.Fatalf("addresses %v: want 20 distinct 127.0.0.1 ones", addrs)
		}
		seen[a] = true
	}
}

func TestPostSendsLikeAuth0(t *testing.T) {
	var gotAuth, gotType, gotBody string
	var hadAuth bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody, gotType = string(b), r.Header.Get("Content-Type")
		_, hadAuth = r.Header["Authorization"]
		gotAuth = r.Header.Get("Authorization")
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, " {\"error\":\"full\"}\n"+strings.Repeat("x", 2*answerLimit))
	}))
	defer srv.Close()

	a := MustPost(t, srv.URL, "tok en", []byte(`[{"log_id":"1"}]`))
	if gotAuth != "tok en" || gotType != "application/json" || gotBody != `[{"log_id":"1"}]` {
		t.Errorf("server saw Authorization %q, Content-Type %q, body %q", gotAuth, gotType, gotBody)
	}
	if a.Status != http.StatusServiceUnavailable || a.RetryAfter != "5" || !strings.HasPrefix(a.Body, `{"error":"full"}`) {
		t.Errorf("answer %+v", a)
	}
	if len(a.Body) > answerLimit {
		t.Errorf("answer body of %d bytes, want at most %d", len(a.Body), answerLimit)
	}
	MustPost(t, srv.URL, "", nil)
	if hadAuth {
		t.Error("an empty token was sent as an Authorization header")
	}
}

// ParseSums adds up every label set of each name, with or without _total, and ignores
// metrics that merely start with a wanted name.
func TestParseSums(t *testing.T) {
	text := `# HELP otelcol_exporter_queue_size x
otelcol_exporter_queue_size{data_type="logs",exporter="otlp_http"} 1234
otelcol_exporter_queue_size_other 99
otelcol_process_runtime_heap_alloc_bytes 6.064472e+06 1700000000000
otelcol_receiver_accepted_log_records_total{receiver="auth0logstream",transport="http"} 10
otelcol_receiver_accepted_log_records_total{receiver="otlp",transport="http"} 5
`
	got, err := ParseSums(strings.NewReader(text), "otelcol_exporter_queue_size", "otelcol_process_runtime_heap_alloc_bytes", "otelcol_receiver_accepted_log_records", "absent")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"otelcol_exporter_queue_size": 1234, "otelcol_process_runtime_heap_alloc_bytes": 6064472, "otelcol_receiver_accepted_log_records": 15}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestParseCounter(t *testing.T) {
	text := `# HELP otelcol_receiver_accepted_log_records Number of log records successfully pushed into the pipeline.
# TYPE otelcol_receiver_accepted_log_records counter
otelcol_receiver_accepted_log_records{otel_scope_name="go.opentelemetry.io/collector/receiver/receiverhelper",receiver="auth0logstream",transport="http"} 1200
otelcol_receiver_accepted_log_records_total{receiver="otlp",transport="http"} 300 1700000000000
otelcol_receiver_accepted_log_records{receiver="otlp",transport="grpc",note="a \"}\" and a \\"} 5
otelcol_receiver_accepted_log_records_bytes{receiver="otlp"} 999
otelcol_receiver_refused_log_records{receiver="otlp",transport="http"} 7
otelcol_exporter_sent_log_records 42
`
	byReceiver, err := ParseCounter(strings.NewReader(text), "otelcol_receiver_accepted_log_records", "receiver")
	if err != nil {
		t.Fatal(err)
	}
	if byReceiver["auth0logstream"] != 1200 || byReceiver["otlp"] != 305 || len(byReceiver) != 2 {
		t.Errorf("by receiver: %v, want auth0logstream 1200 and otlp 305", byReceiver)
	}
	all, err := ParseCounter(strings.NewReader(text), "otelcol_receiver_accepted_log_records", "")
	if err != nil {
		t.Fatal(err)
	}
	if all[""] != 1505 || len(all) != 1 {
		t.Errorf("all: %v, want 1505", all)
	}
	bare, err := ParseCounter(strings.NewReader(text), "otelcol_exporter_sent_log_records", "")
	if err != nil || bare[""] != 42 {
		t.Errorf("a sample without labels: %v, %v", bare, err)
	}
	absent, err := ParseCounter(strings.NewReader(text), "otelcol_receiver_auth0logstream_duplicate_events", "")
	if err != nil || len(absent) != 0 {
		t.Errorf("an absent metric: %v, %v; want an empty map", absent, err)
	}
	for _, bad := range []string{
		`m{receiver="x"} NaNx`,
		`m{receiver="x} 1`,
		`m{receiver} 1`,
		`m{receiver="x"}`,
	} {
		if _, err := ParseCounter(strings.NewReader(bad), "m", "receiver"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// export is one sink line: an OTLP JSON export request with a record per uid.
func export(uids ...string) string {
	var recs []string
	for _, u := range uids {
		recs = append(recs, `{"body":{"stringValue":"x"},"attributes":[{"key":"auth0.type","value":{"stringValue":"f"}},`+
			`{"key":"log.record.uid","value":{"stringValue":"`+u+`"}}]}`)
	}
	return `{"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[` + strings.Join(recs, ",") + `]}]}]}`
}

func TestTallyCountsAcrossPollsAndFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	tally := NewTally(a)
	appendTo := func(path, s string) {
		t.Helper()
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	// Before the sink created its file there is nothing, and no error.
	if n, err := tally.Poll(); err != nil || n != 1 || tally.Records != 0 {
		t.Fatalf("poll 1: %d, %v, %d records", n, err, tally.Records)
	}
	// A line without its newline is still being written: left for the next poll.
	appendTo(a, export("1", "2")+"\n"+export("3"))
	if _, err := tally.Poll(); err != nil || tally.Records != 2 {
		t.Fatalf("poll 2: %v, %d records, want 2", err, tally.Records)
	}
	appendTo(a, "\n")
	tally.AddFile(b)
	appendTo(b, export("2", "4")+"\n")
	if _, err := tally.Poll(); err != nil || tally.Records != 5 {
		t.Fatalf("poll 3: %v, %d records, want 5", err, tally.Records)
	}
	if got := tally.Missing([]string{"1", "4", "5", "6"}); strings.Join(got, ",") != "5,6" {
		t.Errorf("Missing = %v, want 5,6", got)
	}
	if d, dup := tally.Delivery([]string{"1", "2", "5"}); d != 2 || dup != 1 {
		t.Errorf("Delivery = %d delivered, %d duplicates; want 2 and 1", d, dup)
	}
	if n := tally.Duplicates(); n != 1 {
		t.Errorf("Duplicates = %d, want 1", n)
	}
	for id, want := range map[string]int{"1": 2, "3": 3, "4": 3, "5": 0} {
		if got := tally.FirstPoll(id); got != want {
			t.Errorf("FirstPoll(%s) = %d, want %d", id, got, want)
		}
	}
	appendTo(b, "{not json\n")
	if _, err := tally.Poll(); err == nil || !strings.Contains(err.Error(), "b.jsonl") {
		t.Errorf("a broken line: %v, want an error naming the file", err)
	}
}
