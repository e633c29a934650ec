// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

func noEnv(string) string { return "" }

func TestParseArgsTokenAndDefaults(t *testing.T) {
	env := func(k string) string {
		if k == tokenEnv {
			return "from-env"
		}
		return ""
	}
	o, err := parseArgs(nil, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if c.Token != "from-env" || c.URL != "http://127.0.0.1:8383/api/logs" || c.BatchSize != 100 ||
		c.Concurrency != 4 || c.Events != 10000 || c.Attempts != 3 || c.Format != auth0gen.JSONLines ||
		c.ContentType != "application/json" || c.DisableKeepAlives || c.Seed == 0 {
		t.Fatalf("defaults: %+v", c)
	}
	o, err = parseArgs([]string{"-token", "Bearer abc", "-format", "jsonarray", "-failure-ratio", "0",
		"-header", "X-Tenant: acme", "-keepalive=false", "-seed", "5"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c = o.cfg
	if c.Token != "Bearer abc" || c.Format != auth0gen.JSONArray || c.Generator.FailureRatio >= 0 ||
		c.Header.Get("X-Tenant") != "acme" || !c.DisableKeepAlives || c.Seed != 5 {
		t.Fatalf("flags not applied: %+v", c)
	}
}

func TestParseArgsRejects(t *testing.T) {
	for _, args := range [][]string{
		{"-format", "ndjson"},
		{"-failure-ratio", "1.5"},
		{"-batch", "0"},
		{"-header", "no-colon"},
		{"stray"},
	} {
		if _, err := parseArgs(args, noEnv, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestRunWritesJSONReportAndAckedFile(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(srv.Close)
	ackedPath := filepath.Join(t.TempDir(), "acked.txt")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-url", srv.URL, "-events", "55", "-batch", "10",
		"-keepalive=false", "-json", "-acked-file", ackedPath, "-token", "tok en"}, noEnv, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
	if rep["events_acked"] != 55.0 || rep["requests"] != 6.0 {
		t.Fatalf("report: %s", out.String())
	}
	if auth.Load() != "tok en" {
		t.Fatalf("Authorization %q", auth.Load())
	}
	f, err := os.Open(ackedPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ids[sc.Text()] = true
	}
	if len(ids) != 55 {
		t.Fatalf("acked file has %d distinct ids, want 55", len(ids))
	}
}

func TestRunExitCodeWhenUndelivered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	var out bytes.Buffer
	code := run(context.Background(), []string{"-url", srv.URL, "-events", "5", "-attempts", "2",
		"-backoff", "1ms", "-keepalive=false"}, noEnv, &out, io.Discard)
	if code != exitUndelivered {
		t.Fatalf("exit %d, want %d", code, exitUndelivered)
	}
	if !strings.Contains(out.String(), "503=2") || !strings.Contains(out.String(), "given_up=5") {
		t.Fatalf("text report:\n%s", out.String())
	}
}

func TestRunUsageError(t *testing.T) {
	if code := run(context.Background(), []string{"-format", "xml"}, noEnv, io.Discard, io.Discard); code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
}
