// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package browser

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream"
)

const (
	token    = "browser-test-token-5d2c1b"
	piiEmail = "carol.pii@example.com"
)

// chromium finds the browser, or skips (fails with BROWSER_REQUIRED=1).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("BROWSER_REQUIRED") == "1" {
		t.Fatal("chromium not found and BROWSER_REQUIRED=1 (apt-get install -y chromium)")
	}
	t.Skip("chromium not installed (apt-get install -y chromium); set BROWSER_REQUIRED=1 to fail instead")
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// overloaded refuses, as a full exporter queue would, every batch from the
// tenant "overloaded": the receiver answers 503.
func overloaded() consumer.Logs {
	c, _ := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
		for i := range ld.ResourceLogs().Len() {
			if v, ok := ld.ResourceLogs().At(i).Resource().Attributes().Get("auth0.tenant.name"); ok && v.Str() == "overloaded" {
				return errors.New("sending queue is full")
			}
		}
		return nil
	})
	return c
}

func envelope(id, typ, tenant, extra string) string {
	return `{"log_id":"` + id + `","data":{"log_id":"` + id + `","type":"` + typ + `","date":"2026-01-15T10:30:00.000Z","tenant_name":"` +
		tenant + `","description":"Wrong email or password."` + extra + `}}`
}

// request is one POST to the receiver and the status it must get.
type request struct {
	auth, body, encoding string
	status               int
}

func send(t *testing.T, url string, r request) {
	t.Helper()
	body := []byte(r.body)
	if r.encoding == "gzip" {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		require.NoError(t, zw.Close())
		body = buf.Bytes()
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	if r.encoding != "" {
		req.Header.Set("Content-Encoding", r.encoding)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, r.status, resp.StatusCode)
}

func TestInspectorPageInChromium(t *testing.T) {
	chrome := chromium(t)

	// A receiver with the inspector on, and one request of each kind.
	factory := auth0logstream.NewFactory()
	cfg := factory.CreateDefaultConfig().(*auth0logstream.Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeAddr(t)
	cfg.AuthorizationToken = token
	cfg.ServerConfig.MaxRequestBodySize = 4096
	cfg.Inspector.Endpoint = freeAddr(t)
	rcv, err := factory.CreateLogs(context.Background(), receivertest.NewNopSettings(factory.Type()), cfg, overloaded())
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, rcv.Shutdown(ctx))
	})
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint + cfg.Path
	pii := `,"user_name":"` + piiEmail + `","details":{"email":"` + piiEmail + `"}`
	requests := []request{
		{auth: token, body: envelope("b-1", "fp", "acme", pii) + "\n" + envelope("b-2", "s", "acme", "") + "\n", status: 200},
		{auth: "Bearer " + token, body: envelope("b-3", "fp", "acme", ""), status: 401},
		{body: envelope("b-4", "fp", "acme", ""), status: 401},
		{auth: token, body: envelope("b-5", "f", "acme", "") + "\n" + `{"log_id":"b-6","data":{"email":"` + piiEmail + `"` + "\n", status: 200},
		{auth: token, body: strings.Repeat(envelope("b-7", "f", "acme", "")+"\n", 40), status: 413},
		{auth: token, body: "[" + envelope("b-8", "fp", "acme", "") + "]", encoding: "gzip", status: 200},
		{auth: token, body: envelope("b-9", "fp", "overloaded", ""), status: 503},
	}
	for _, r := range requests {
		send(t, url, r)
	}
	wantStatuses := []string{ // newest first
		"503 Service Unavailable", "200 OK", "413 Request Entity Too Large", "200 OK",
		"401 Unauthorized", "401 Unauthorized", "200 OK",
	}

	// Headless Chromium, nothing in the background, a throw-away profile.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profileDir(t)),
		chromedp.WindowSize(1500, 1000),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel() // closes the browser and waits for its process

	// Every URL the page loads, to check that nothing comes from elsewhere.
	var mu sync.Mutex
	var loaded []string
	chromedp.ListenTarget(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			loaded = append(loaded, e.Request.URL)
			mu.Unlock()
		}
	})

	base := "http://" + cfg.Inspector.Endpoint
	var (
		statuses, ids      []string
		textBefore, dom    string
		thBackground       string
		sampleVisibleFirst bool
	)
	require.NoError(t, chromedp.Run(bctx,
		network.Enable(),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('tr.req td.status')].map(td => td.innerText)`, &statuses),
		chromedp.Evaluate(`[...document.querySelectorAll('tr.req')].map(tr => tr.id)`, &ids),
		chromedp.Evaluate(`document.body.innerText`, &textBefore),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('th')).backgroundColor`, &thBackground),
		chromedp.Evaluate(`document.querySelector('#d1 div.sample.event').checkVisibility()`, &sampleVisibleFirst),
		chromedp.OuterHTML(`html`, &dom, chromedp.ByQuery),
	))
	assert.Equal(t, wantStatuses, statuses, "the rows a person sees, newest first")
	assert.Equal(t, []string{"r7", "r6", "r5", "r4", "r3", "r2", "r1"}, ids)
	assert.Equal(t, "rgb(238, 238, 238)", thBackground, "the inline style sheet applies under the CSP")
	assert.False(t, sampleVisibleFirst, "samples are closed until clicked")
	assert.NotContains(t, textBefore, `"log_id":"b-1"`, "a closed sample is not on screen")
	for _, want := range []string{"did not match", `starts with "Bearer "`, "missing",
		"exceeds the limit of 4096 bytes", "pipeline cannot accept data now", "JSON Lines", "JSON Array"} {
		assert.Contains(t, textBefore, want)
	}

	// Click the first request's summary: its sample opens.
	var textAfter, sample, malformed string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Click(`#d1 > summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#d1 div.sample.event`, chromedp.ByQuery),
		chromedp.Text(`#d1 div.sample.event`, &sample, chromedp.ByQuery),
		chromedp.Click(`#d4 > summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#d4 div.sample.malformed`, chromedp.ByQuery),
		chromedp.Text(`#d4 div.sample.malformed`, &malformed, chromedp.ByQuery),
		chromedp.Evaluate(`document.body.innerText`, &textAfter),
	))
	assert.Contains(t, sample, `"log_id":"b-1"`)
	assert.Contains(t, sample, `"user_name":"***"`)
	assert.Contains(t, malformed, `"log_id":"b-6"`)
	assert.Contains(t, textAfter, `"log_id":"b-1"`, "the opened sample is on screen")
	assert.Contains(t, textAfter, "PII fields masked")

	// An unauthenticated request has no sample, only the reason why.
	var unauth string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Click(`#d3 > summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#d3 p.nosample`, chromedp.ByQuery),
		chromedp.Text(`#d3`, &unauth, chromedp.ByQuery),
	))
	assert.Contains(t, unauth, "not authenticated: the body was not read")
	assert.NotContains(t, unauth, "b-4")

	for _, secret := range []string{token, piiEmail} {
		assert.NotContains(t, dom, secret)
		assert.NotContains(t, textAfter, secret)
	}

	if out := os.Getenv("SCREENSHOT"); out != "" {
		var png []byte
		require.NoError(t, chromedp.Run(bctx,
			chromedp.Click(`#d3 > summary`, chromedp.ByQuery), // close it again
			chromedp.FullScreenshot(&png, 100),
		))
		require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "a PNG")
		if !filepath.IsAbs(out) {
			out = filepath.Join("..", "..", out) // relative to the repository root
		}
		require.NoError(t, os.WriteFile(out, png, 0o644))
		t.Logf("screenshot written to %s (%d bytes)", out, len(png))
	}

	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, loaded)
	for _, u := range loaded {
		assert.True(t, strings.HasPrefix(u, base+"/"), "the page loaded %s from elsewhere", u)
	}
}

// profileDir is an empty Chromium profile directory, removed after the test.
// Chromium's helper processes may still write into it for a moment after the
// browser has exited, so removal is retried (bounded) instead of failing the
// test as t.TempDir's cleanup would.
func profileDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "inspector-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := os.RemoveAll(dir)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("removing the Chromium profile %s: %v", dir, err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}
