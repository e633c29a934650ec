// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSendKeepsTheStartOfTheAnswer(t *testing.T) {
	var gotHeader http.Header
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotHeader, gotBody = r.Header.Clone(), string(b)
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, "slow down"+strings.Repeat(".", 2*answerKeep))
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}

	header := http.Header{"Content-Type": {"application/x-ndjson"}, "X-Custom": {"a", "b"}}
	x, err := Send(context.Background(), client, srv.URL, header, []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	if x.Status != http.StatusTooManyRequests || !strings.HasPrefix(string(x.Body), "slow down") || len(x.Body) != answerKeep {
		t.Errorf("exchange: status %d, %d body bytes starting %.12q; want 429 and the first %d bytes", x.Status, len(x.Body), x.Body, answerKeep)
	}
	if x.Latency <= 0 {
		t.Errorf("latency %v, want > 0", x.Latency)
	}
	if gotBody != "payload" || gotHeader.Get("Content-Type") != "application/x-ndjson" || strings.Join(gotHeader["X-Custom"], ",") != "a,b" {
		t.Errorf("server saw body %q and header %v", gotBody, gotHeader)
	}

	srv.Close()
	x, err = Send(context.Background(), client, srv.URL, header, nil)
	if err == nil || x.Status != 0 {
		t.Errorf("closed server: status %d, error %v; want a transport error", x.Status, err)
	}
}
