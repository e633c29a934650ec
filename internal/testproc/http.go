// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Client is an HTTP client for probes and single posts; keep-alives are off so that servers
// shut down at once.
var Client = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
}

// LoopbackAddrs returns n distinct 127.0.0.1 addresses with free ports. All listeners stay
// open until every port is chosen, so the ports differ. It is for programs (the benchmark
// driver); tests use FreeAddrs.
func LoopbackAddrs(n int) ([]string, error) {
	addrs := make([]string, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// FreeAddrs is LoopbackAddrs for a test, which fails when no port can be had.
func FreeAddrs(t testing.TB, n int) []string {
	t.Helper()
	addrs, err := LoopbackAddrs(n)
	if err != nil {
		t.Fatal(err)
	}
	return addrs
}

// Answer is what the receiver answered one POST.
type Answer struct {
	Status     int
	RetryAfter string
	Body       string // at most answerLimit bytes, trimmed
}

// answerLimit bounds how much of an answer is read: the receiver's answers are a few dozen
// bytes of JSON.
const answerLimit = 4 << 10

// Post sends one request the way Auth0 does: a JSON body, and the stream's token as the
// Authorization header as it is (no header when token is empty).
func Post(ctx context.Context, url, token string, body []byte) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := Client.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, answerLimit))
	if err != nil {
		return Answer{}, err
	}
	return Answer{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"), Body: strings.TrimSpace(string(b))}, nil
}

// MustPost is Post in a test: a transport error fails it.
func MustPost(t testing.TB, url, token string, body []byte) Answer {
	t.Helper()
	a, err := Post(t.Context(), url, token, body)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return a
}
