// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

// secObservedReceiver starts a receiver whose logs, at every level, are
// captured.
func secObservedReceiver(t *testing.T, cfg *Config, sink *consumertest.LogsSink) (string, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.DebugLevel)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	return startReceiverWith(t, cfg, sink, set), logs
}

// secLeaks returns the captured log lines that contain secret anywhere:
// in the message or in any field, as marshaled.
func secLeaks(t *testing.T, logs *observer.ObservedLogs, secret string) []string {
	t.Helper()
	var leaks []string
	for _, e := range logs.All() {
		fields, err := json.Marshal(e.ContextMap())
		require.NoError(t, err)
		line := e.Level.String() + " " + e.LoggerName + " " + e.Message + " " + string(fields) + " " + e.Stack
		if strings.Contains(line, secret) {
			leaks = append(leaks, line)
		}
	}
	return leaks
}

// secRequest is one request of the logging tests.
type secRequest struct {
	name   string
	method string
	path   string // relative to the receiver's address
	auth   string
	// header lines sent as they are, "Name: value"; several lines may
	// repeat a name. nil sends the default secret header of the test, if any.
	header []string
	body   string
	status int
}

func secSend(t *testing.T, base string, r secRequest) response {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, base+r.path, strings.NewReader(r.body))
	require.NoError(t, err)
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	for _, h := range r.header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header[name] = append(req.Header[name], value) // as given, not canonicalised
	}
	return do(t, req)
}

// TestTokenNeverLogged sends good and bad requests, with the tokens and the
// required header's value in and around the Authorization header, the
// custom header and the body, and checks that no log line at any level
// contains any of them.
func TestTokenNeverLogged(t *testing.T) {
	sink := &consumertest.LogsSink{}
	cfg := testConfig(t)
	const (
		secondToken = "s3cond-rotation-t0ken-77"
		otherToken  = "n0t-configured-t0ken-31"
		headerValue = "h3ader-secret-value-908"
	)
	cfg.AuthorizationTokens = []configopaque.String{secondToken}
	cfg.RequiredHeaders = map[string]configopaque.String{"x-stream-secret": headerValue}
	goodHeader := []string{"X-Stream-Secret: " + headerValue}
	url, logs := secObservedReceiver(t, cfg, sink)
	base := strings.TrimSuffix(url, cfg.Path)
	good := envelope("sec-1", "f") + "\n"
	tokenInBody := envelopeWith("sec-2", `"type":"f","description":"`+testToken+`","`+testToken+`":"`+headerValue+`"`)

	requests := []secRequest{
		{name: "good", path: cfg.Path, auth: testToken, body: good, status: 200},
		{name: "token with a suffix", path: cfg.Path, auth: testToken + "x", body: good, status: 401},
		{name: "token with Bearer", path: cfg.Path, auth: "Bearer " + testToken, body: good, status: 401},
		{name: "token in other case", path: cfg.Path, auth: strings.ToUpper(testToken), body: good, status: 401},
		{name: "token repeated", path: cfg.Path, auth: testToken + testToken, body: good, status: 401},
		{name: "token with Basic", path: cfg.Path, auth: "Basic " + testToken, body: good, status: 401},
		{name: "missing token, token in body", path: cfg.Path, body: tokenInBody, status: 401},
		{name: "token in body", path: cfg.Path, auth: testToken, body: tokenInBody, status: 200},
		{name: "token as malformed line", path: cfg.Path, auth: testToken, body: envelope("sec-3", "f") + "\n" + testToken + "\n{" + testToken + "\n", status: 200},
		{name: "token as the whole body", path: cfg.Path, auth: testToken, body: testToken, status: 400},
		{name: "token as JSON string body", path: cfg.Path, auth: testToken, body: `"` + testToken + `"`, status: 400},
		{name: "token in truncated array", path: cfg.Path, auth: testToken, body: `[{"log_id":"` + testToken, status: 400},
		{name: "token after a value", path: cfg.Path, auth: testToken, body: `{"a":1}` + testToken, status: 400},
		{name: "token as a key without value", path: cfg.Path, auth: testToken, body: `{"` + testToken + `"}`, status: 400},
		{name: "token with wrong method", method: http.MethodPut, path: cfg.Path, auth: testToken, status: 405},
		{name: "token with wrong path", path: "/elsewhere", auth: testToken, body: good, status: 404},
		{name: "token in query", path: cfg.Path + "?token=" + testToken, auth: "wrong", body: good, status: 401},
		{name: "second token", path: cfg.Path, auth: secondToken, body: envelope("sec-4", "f"), status: 200},
		{name: "second token with a suffix", path: cfg.Path, auth: secondToken + "x", body: good, status: 401},
		{name: "token that is not configured", path: cfg.Path, auth: otherToken, body: good, status: 401},
		{name: "both tokens in one header", path: cfg.Path, auth: testToken + "," + secondToken, body: good, status: 401},
		{name: "header value as the token", path: cfg.Path, auth: headerValue, body: good, status: 401},
		{name: "header missing", path: cfg.Path, auth: testToken, header: []string{}, body: good, status: 401},
		{name: "header with a suffix", path: cfg.Path, auth: testToken, header: []string{"X-Stream-Secret: " + headerValue + "x"}, body: good, status: 401},
		{name: "token as the header", path: cfg.Path, auth: testToken, header: []string{"X-Stream-Secret: " + testToken}, body: good, status: 401},
		{name: "header sent twice", path: cfg.Path, auth: testToken, header: append(goodHeader, goodHeader...), body: good, status: 401},
		{name: "header under another name", path: cfg.Path, auth: testToken, header: []string{"X-Stream-Secrets: " + headerValue}, body: good, status: 401},
		{name: "header in lower case", path: cfg.Path, auth: secondToken, header: []string{"x-stream-secret: " + headerValue}, body: envelope("sec-5", "f"), status: 200},
		{name: "header value in body", path: cfg.Path, auth: testToken, body: envelope("sec-6", "f") + "\n" + headerValue + "\n", status: 200},
	}
	secrets := []string{testToken, secondToken, otherToken, headerValue}
	for _, r := range requests {
		if r.header == nil {
			r.header = goodHeader
		}
		resp := secSend(t, base, r)
		assert.Equal(t, r.status, resp.status, "%s: %s", r.name, resp.body)
		for _, secret := range secrets {
			assert.NotContains(t, resp.body, secret, "%s: the answer echoes a secret", r.name)
		}
	}
	// A client that cannot complete a request makes the receiver log too;
	// wait for that line, or the check below would run before it exists.
	before := logs.Len()
	conn, err := net.Dial("tcp", cfg.ServerConfig.NetAddr.Endpoint)
	require.NoError(t, err)
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nX-Stream-Secret: %s\r\nContent-Length: 10\r\n\r\nabc", cfg.Path, testToken, headerValue)
	require.NoError(t, err)
	_ = conn.Close()
	require.Eventually(t, func() bool { return logs.Len() > before }, 5*time.Second, 10*time.Millisecond,
		"the cut-off request was not logged")

	for _, secret := range secrets {
		assert.Empty(t, secLeaks(t, logs, secret), "log lines containing %q", secret)
	}
	// The header's name is what the operator needs to see.
	named := logs.FilterMessage("Request rejected").FilterField(zap.String("reason", "required header X-Stream-Secret does not match the configured value")).All()
	assert.NotEmpty(t, named, "a wrong header value must be rejected with a reason naming the header")

	// The check above is only worth something if rejections are logged.
	rejected := logs.FilterMessage("Request rejected").FilterField(zap.Int("status", http.StatusUnauthorized)).All()
	require.NotEmpty(t, rejected, "a rejected request must produce a debug line")
	assert.Equal(t, zapcore.DebugLevel, rejected[0].Level)
	assert.Contains(t, rejected[0].ContextMap()["reason"], "does not match any configured token")
	assert.NotEmpty(t, logs.FilterMessage("Request rejected").FilterField(zap.Int("status", http.StatusBadRequest)).All())
	assert.NotEmpty(t, logs.FilterMessage("Request accepted with remarks").All())
}

// TestTokenInRequestLineIsNotLogged: a client that puts the token in the URL
// path (a plausible mistake when typing the stream's endpoint URL) or in the
// method is refused, and the token must not reach the logs or the answer
// there either, so rejections must not log or echo the raw path or method.
func TestTokenInRequestLineIsNotLogged(t *testing.T) {
	sink := &consumertest.LogsSink{}
	cfg := testConfig(t)
	url, logs := secObservedReceiver(t, cfg, sink)
	base := strings.TrimSuffix(url, cfg.Path)

	for _, r := range []secRequest{
		{name: "token in path", path: cfg.Path + "/" + testToken, auth: testToken, body: "{}", status: 404},
		{name: "token as path", path: "/" + testToken, auth: "wrong", body: "{}", status: 404},
		{name: "token as method", method: testToken, path: cfg.Path, auth: testToken, status: 405},
	} {
		t.Run(r.name, func(t *testing.T) {
			logs.TakeAll()
			resp := secSend(t, base, r)
			require.Equal(t, r.status, resp.status, resp.body)
			assert.NotContains(t, resp.body, testToken, "the answer echoes the token")
			assert.Empty(t, secLeaks(t, logs, testToken), "log lines containing the token")
		})
	}
}

// TestUnauthenticatedBodyIsNotRead streams a 1 GB body with a wrong or
// missing token: the receiver answers 401 without reading it and closes the
// connection, so the client's writes fail long before the gigabyte is out.
func TestUnauthenticatedBodyIsNotRead(t *testing.T) {
	sink := &consumertest.LogsSink{}
	cfg := testConfig(t)
	startReceiver(t, cfg, sink)
	const size = 1 << 30

	for _, auth := range []string{"wrong", hostileOmit} {
		t.Run(fmt.Sprintf("auth %q", auth), func(t *testing.T) {
			// One event repeated up to 1 GB, produced as it is sent.
			body := &hostileRepeat{chunk: []byte(envelope("gb", "f") + "\n"), left: size}
			conn, err := net.Dial("tcp", cfg.ServerConfig.NetAddr.Endpoint)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))

			var written atomic.Int64
			writeErr := make(chan error, 1)
			go func() {
				_, err := io.WriteString(conn, hostileHead(http.MethodPost, cfg.Path, auth, size, nil))
				if err == nil {
					var n int64
					n, err = io.Copy(secCountingWriter{conn, &written}, body)
					if err == nil && n == size {
						err = errors.New("the whole body was sent")
					}
				}
				writeErr <- err
			}()

			start := time.Now()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, string(b))
			assert.True(t, resp.Close, "the 401 must announce Connection: close")

			// The connection is not closed here: the server must cut it off.
			var werr error
			select {
			case werr = <-writeErr:
			case <-time.After(15 * time.Second):
				t.Fatal("the server kept reading the unauthenticated body")
			}
			t.Logf("401 after %v; client wrote %d MiB of 1024 before: %v",
				time.Since(start).Round(time.Millisecond), written.Load()>>20, werr)
			require.Error(t, werr)
			assert.Less(t, written.Load(), int64(64<<20), "bytes the client got out")
			assert.Zero(t, sink.LogRecordCount())
		})
	}
}

type secCountingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c secCountingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// TestTokenComparisonIsConstantTime checks the mechanism, not timings, which
// are too noisy here (BenchmarkAuthCheck shows the timings): the header is
// hashed to a fixed-length digest that crypto/subtle compares with every
// token slot, always all maxTokens of them whatever is configured, with no
// branch inside the loop, so the time depends neither on which token
// matched nor on how many there are; and the checker keeps no plain secret.
// Then, with several tokens, near and far misses of each must be answered
// alike and each token accepted.
func TestTokenComparisonIsConstantTime(t *testing.T) {
	set := reflect.TypeFor[tokenSet]()
	for _, name := range []string{"digests", "inUse"} {
		f, ok := set.FieldByName(name)
		require.True(t, ok, "tokenSet.%s", name)
		require.Equal(t, reflect.Array, f.Type.Kind(), "tokenSet.%s must be a fixed-length array, the same for any configuration", name)
		assert.Equal(t, maxTokens, f.Type.Len(), "tokenSet.%s", name)
	}
	digests, _ := set.FieldByName("digests")
	assert.Equal(t, reflect.Array, digests.Type.Elem().Kind(), "each slot must be a fixed-length digest")

	tokens := []string{testToken, "second-token-0123456789", "third-token-abcdefghij"}
	headerValue := "hdr-secret-value-5512"
	cfg := testConfig(t)
	cfg.AuthorizationTokens = []configopaque.String{configopaque.String(tokens[1]), configopaque.String(tokens[2])}
	cfg.RequiredHeaders = map[string]configopaque.String{"X-Stream-Secret": configopaque.String(headerValue)}
	checker, err := newAuthChecker(cfg)
	require.NoError(t, err)
	dump := fmt.Sprintf("%+v %#v", *checker, *checker)
	for _, secret := range append(tokens, headerValue) {
		assert.NotContains(t, dump, secret, "the checker holds a secret in plain text")
	}

	file, err := parser.ParseFile(token.NewFileSet(), "auth.go", nil, 0)
	require.NoError(t, err)
	methods := map[string]*ast.FuncDecl{}
	for _, d := range file.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok {
			methods[fn.Name.Name] = fn
		}
	}
	for _, name := range []string{"match", "checkToken", "checkHeaders", "digestFirst"} {
		require.NotNil(t, methods[name], "%s not found in auth.go", name)
	}

	// match: every slot, crypto/subtle only, nothing that could stop early.
	match := methods["match"]
	calls := secCalls(match.Body)
	assert.True(t, calls["subtle.ConstantTimeCompare"], "match must use subtle.ConstantTimeCompare, calls %v", calls)
	assert.True(t, calls["subtle.ConstantTimeSelect"], "match must pick the index with subtle.ConstantTimeSelect, calls %v", calls)
	assert.False(t, calls["bytes.Equal"] || calls["strings.EqualFold"] || calls["strings.Compare"], "early-exit comparison in match: %v", calls)
	loops := 0
	ast.Inspect(match.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.RangeStmt:
			loops++
			sel, ok := n.X.(*ast.SelectorExpr)
			assert.True(t, ok && sel.Sel.Name == "digests", "match must range over the fixed digests array")
			secNoEarlyExit(t, "match", n.Body)
		case *ast.ForStmt:
			t.Errorf("match has a counted loop; it must range over all slots")
		case *ast.BinaryExpr:
			assert.False(t, n.Op == token.EQL || n.Op == token.NEQ, "match compares with %s", n.Op)
		}
		return true
	})
	assert.Equal(t, 1, loops, "match has one loop over the slots")

	// checkToken hashes the header and compares all slots before any refusal.
	check := methods["checkToken"]
	matchAt := token.NoPos
	ast.Inspect(check.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "match" && matchAt == token.NoPos {
				matchAt = c.Pos()
			}
		}
		return true
	})
	require.NotEqual(t, token.NoPos, matchAt, "checkToken must call match")
	assert.True(t, secCalls(check.Body)["digestFirst"], "checkToken must hash the header with digestFirst")
	assert.True(t, secCalls(methods["digestFirst"].Body)["sha256.Sum256"], "digestFirst must use SHA-256")
	ast.Inspect(check.Body, func(n ast.Node) bool {
		if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) > 0 {
			if id, ok := r.Results[0].(*ast.Ident); ok && id.Name == "false" {
				assert.Greater(t, r.Pos(), matchAt, "checkToken refuses before comparing every slot")
			}
		}
		return true
	})

	// checkHeaders compares every required header, with no exit from its loop.
	headerCalls := secCalls(methods["checkHeaders"].Body)
	assert.True(t, headerCalls["subtle.ConstantTimeCompare"] && headerCalls["digestFirst"], "checkHeaders calls %v", headerCalls)
	ast.Inspect(methods["checkHeaders"].Body, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok {
			secNoEarlyExit(t, "checkHeaders", r.Body)
		}
		return true
	})

	// Behavior with three tokens: each accepted, every miss answered alike.
	sink := &consumertest.LogsSink{}
	cfg.RequiredHeaders = nil
	url := startReceiver(t, cfg, sink)
	var first *response
	for i, tok := range tokens {
		ok := post(t, url, tok, jsonLines(envelope(fmt.Sprintf("ct-ok-%d", i), "f")))
		assert.Equal(t, http.StatusOK, ok.status, "token %d: %s", i, ok.body)
		last := len(tok) - 1
		misses := map[string]string{
			"near miss (last byte)":  tok[:last] + string(tok[last]^1),
			"far miss (first byte)":  string(tok[0]^1) + tok[1:],
			"shorter by one":         tok[:last],
			"longer by one":          tok + "x",
			"much longer":            strings.Repeat(tok, 100),
			"one byte":               "s",
			"same length, all wrong": strings.Repeat("z", len(tok)),
		}
		for name, auth := range misses {
			resp := post(t, url, auth, jsonLines(envelope("ct", "f")))
			assert.Equal(t, http.StatusUnauthorized, resp.status, "token %d %s", i, name)
			if first == nil {
				first = &resp
				continue
			}
			assert.Equal(t, first.body, resp.body, "token %d %s is answered differently", i, name)
		}
	}
	assert.Equal(t, len(tokens), sink.LogRecordCount())
}

// secCalls lists the pkg.Func and plain function calls under n.
func secCalls(n ast.Node) map[string]bool {
	calls := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			switch f := c.Fun.(type) {
			case *ast.SelectorExpr:
				if pkg, ok := f.X.(*ast.Ident); ok {
					calls[pkg.Name+"."+f.Sel.Name] = true
				}
			case *ast.Ident:
				calls[f.Name] = true
			}
		}
		return true
	})
	return calls
}

// secNoEarlyExit fails if a loop body can leave before visiting every element.
func secNoEarlyExit(t *testing.T, fn string, body *ast.BlockStmt) {
	t.Helper()
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ReturnStmt:
			t.Errorf("%s returns from inside its loop", fn)
		case *ast.BranchStmt:
			if n.Tok == token.BREAK || n.Tok == token.GOTO || n.Tok == token.CONTINUE {
				t.Errorf("%s has %s inside its loop", fn, n.Tok)
			}
		}
		return true
	})
}

// secWriteCA writes a test CA and a server certificate for 127.0.0.1 and
// returns the CA pool and the paths of the server's certificate and key.
func secWriteCA(t *testing.T) (*x509.CertPool, string, string) {
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "auth0logstream test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	require.NoError(t, err)

	certFile, keyFile := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, certFile, keyFile
}

// secTLSReceiver starts a receiver serving HTTPS with a certificate from a
// CA made for the test; it returns the CA and the https and http URLs.
func secTLSReceiver(t *testing.T, cfg *Config, sink *consumertest.LogsSink) (*x509.CertPool, string, string) {
	pool, certFile, keyFile := secWriteCA(t)
	tlsCfg := configtls.NewDefaultServerConfig()
	tlsCfg.CertFile, tlsCfg.KeyFile = certFile, keyFile
	cfg.ServerConfig.TLS = configoptional.Some(tlsCfg)
	httpURL := startReceiver(t, cfg, sink)
	return pool, "https://" + strings.TrimPrefix(httpURL, "http://"), httpURL
}

// TestTLS serves HTTPS with a certificate from a CA made in the test.
func TestTLS(t *testing.T) {
	sink := &consumertest.LogsSink{}
	pool, httpsURL, httpURL := secTLSReceiver(t, testConfig(t), sink)

	client := func(tc *tls.Config) *http.Client {
		return &http.Client{
			Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: tc},
			Timeout:   10 * time.Second,
		}
	}
	postWith := func(c *http.Client, url, logID string) (*http.Response, error) {
		req, err := http.NewRequest(http.MethodPost, url, jsonLines(envelope(logID, "f")))
		require.NoError(t, err)
		req.Header.Set("Authorization", testToken)
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		return resp, err
	}

	t.Run("client trusting the test CA", func(t *testing.T) {
		resp, err := postWith(client(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}), httpsURL, "tls-1")
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		require.NotNil(t, resp.TLS)
		assert.Equal(t, "127.0.0.1", resp.TLS.PeerCertificates[0].Subject.CommonName)
		assert.Equal(t, 1, sink.LogRecordCount())
	})
	t.Run("client with the default roots", func(t *testing.T) {
		_, err := postWith(client(nil), httpsURL, "tls-2")
		var unknownCA x509.UnknownAuthorityError
		require.ErrorAs(t, err, &unknownCA)
	})
	t.Run("plain HTTP to the TLS port", func(t *testing.T) {
		// net/http answers a plain request on a TLS port with 400 itself.
		resp, err := postWith(client(nil), httpURL, "tls-3")
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	assert.Equal(t, 1, sink.LogRecordCount(), "only the verified HTTPS request is delivered")
}

// TestTLSServesHTTP2Clients: the TLS listener offers h2 in ALPN, so a client
// that can speak HTTP/2 (curl, Go with ForceAttemptHTTP2) picks it. If the
// connection limit wraps the TLS listener instead of sitting beneath it,
// net/http no longer sees a *tls.Conn, answers HTTP/1.1 on an h2 connection
// and the client fails ("http2: frame too large"); max_connections is on by
// default, so both settings are checked.
func TestTLSServesHTTP2Clients(t *testing.T) {
	for _, maxConns := range []int{0, defaultMaxConns} {
		t.Run(fmt.Sprintf("max_connections %d", maxConns), func(t *testing.T) {
			sink := &consumertest.LogsSink{}
			cfg := testConfig(t)
			cfg.MaxConnections = maxConns
			pool, httpsURL, _ := secTLSReceiver(t, cfg, sink)
			c := &http.Client{
				Timeout: 10 * time.Second,
				Transport: &http.Transport{
					DisableKeepAlives: true,
					ForceAttemptHTTP2: true,
					TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
				},
			}
			req, err := http.NewRequest(http.MethodPost, httpsURL, jsonLines(envelope("h2", "f")))
			require.NoError(t, err)
			req.Header.Set("Authorization", testToken)
			resp, err := c.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, 2, resp.ProtoMajor)
			assert.Equal(t, 1, sink.LogRecordCount())
		})
	}
}
