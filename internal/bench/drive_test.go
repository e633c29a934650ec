// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestDriveCountsEventsAndFailures(t *testing.T) {
	var posts, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/x-protobuf" || r.Header.Get("Authorization") != "tok" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		posts.Add(1)
		if strings.HasPrefix(string(body), "fail") {
			bad.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
	}))
	defer srv.Close()

	reqs := []Request{{Body: []byte("ok-1"), Events: 10}, {Body: []byte("ok-2"), Events: 10}, {Body: []byte("fail"), Events: 10}}
	client := NewClient(3)
	res, err := Drive(context.Background(), client, Load{
		URL: srv.URL, ContentType: "application/x-protobuf", Header: http.Header{"Authorization": {"tok"}},
		Requests: reqs, Concurrency: 3, Events: 90,
	})
	if err != nil {
		t.Fatal(err)
	}
	// 90 events = the three requests cycled three times; a third of them fail.
	if res.Requests != 9 || posts.Load() != 9 {
		t.Fatalf("requests: driver %d, server %d, want 9", res.Requests, posts.Load())
	}
	if res.Failures != 3 || bad.Load() != 3 || res.Events != 60 {
		t.Fatalf("failures %d events %d, want 3 and 60", res.Failures, res.Events)
	}
	if !strings.Contains(res.FirstErr, "Service Unavailable") {
		t.Fatalf("first error %q", res.FirstErr)
	}
	if len(res.Latencies) != 9 || res.P99() < res.Latencies[0] {
		t.Fatalf("latencies %v", res.Latencies)
	}
}

func TestDriveRefusesAnUnboundedRun(t *testing.T) {
	_, err := Drive(context.Background(), NewClient(1), Load{URL: "http://127.0.0.1:1/", Requests: []Request{{Events: 1}}, Concurrency: 1})
	if err == nil {
		t.Fatal("no error for a run with neither an event nor a time bound")
	}
}
