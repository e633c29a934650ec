// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

const testToken = "s3cr3t-t0ken-for-tests"

// freeLocalAddr returns a loopback address nobody listens on right now.
func freeLocalAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func testConfig(t testing.TB) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeLocalAddr(t)
	cfg.AuthorizationToken = testToken
	return cfg
}

// startReceiver starts a receiver and returns its URL; it is shut down when
// the test ends.
func startReceiver(t testing.TB, cfg *Config, next consumer.Logs) string {
	return startReceiverWith(t, cfg, next, receivertest.NewNopSettings(metadata.Type))
}

func startReceiverWith(t testing.TB, cfg *Config, next consumer.Logs, set receiver.Settings) string {
	t.Helper()
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, rcv.Shutdown(ctx))
	})
	return "http://" + cfg.ServerConfig.NetAddr.Endpoint + cfg.Path
}

// testClient does not keep connections alive: an idle keep-alive
// connection would make every receiver shutdown wait for it.
func testClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true},
		Timeout:   30 * time.Second,
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

func post(t testing.TB, url, token string, body io.Reader, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) response {
	t.Helper()
	resp, err := testClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// envelope is one Auth0 delivery of a typical event.
func envelope(logID, typ string) string {
	return envelopeWith(logID, `"type":"`+typ+`","date":"2024-01-15T10:30:00.000Z","tenant_name":"acme","description":"d"`)
}

// envelopeWith is one Auth0 delivery whose data holds log_id and members.
func envelopeWith(logID, members string) string {
	return `{"log_id":"` + logID + `","data":{"log_id":"` + logID + `",` + members + `}}`
}

func jsonLines(lines ...string) io.Reader { return strings.NewReader(strings.Join(lines, "\n") + "\n") }

// rawResponse is what came back on a raw connection.
type rawResponse struct {
	status  int
	header  http.Header
	body    string
	written int64 // request bytes the client got into the socket
}

// sendRaw writes a request by hand: the head as given and the body
// from a generator, while reading the answer concurrently. A server that
// answers before reading the whole body (401, 413, 431) then closes, and a
// client that only reads after writing would see a reset, not the answer.
func sendRaw(t testing.TB, addr, head string, body io.Reader) rawResponse {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(60*time.Second)))

	var written atomic.Int64
	writeDone := make(chan struct{})
	go func() {
		defer close(writeDone)
		n, err := io.WriteString(conn, head)
		written.Add(int64(n))
		if err != nil || body == nil {
			return
		}
		buf := make([]byte, 64<<10)
		for {
			m, rerr := body.Read(buf)
			if m > 0 {
				n, werr := conn.Write(buf[:m])
				written.Add(int64(n))
				if werr != nil {
					return
				}
			}
			if rerr != nil {
				return
			}
		}
	}()

	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "no HTTP answer")
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	_ = conn.Close() // unblocks a writer still pushing an unwanted body
	<-writeDone
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: string(b), written: written.Load()}
}
