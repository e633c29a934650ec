// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strings"
	"time"
)

// Samples are in a div styled pre-wrap rather than in <pre>: a terminal
// browser ignores the style and wraps them, where a <pre> would stretch the
// whole table to the longest line.
//
// The page has one inline style sheet and nothing else: no script, no
// image, no font, no external asset. The Content-Security-Policy allows that
// style sheet by its hash and nothing more.
const pageCSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em; color: #111; background: #fff; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
p.meta { color: #444; margin: 0 0 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time { white-space: nowrap; }
tr.req td { border-top: 2px solid #999; }
.ok { color: #05612a; font-weight: bold; }
.client { color: #9a3b00; font-weight: bold; }
.server { color: #b00020; font-weight: bold; }
code { font-family: ui-monospace, monospace; }
div.sample { white-space: pre-wrap; word-break: break-all; background: #f6f6f6; border: 1px solid #ddd; padding: .5em; margin: .3em 0; max-height: 30em; overflow: auto; }
summary { cursor: pointer; color: #0645ad; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .3em 0; }
dt { color: #444; }
dd { margin: 0; }
`

var (
	cspHeader = "default-src 'none'; style-src 'sha256-" + cssHash() + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

	pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
		"clock": func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") },
	}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>auth0logstream inspector</title>
<style>` + pageCSS + `</style>
</head>
<body>
<h1>Auth0 log stream receiver: last requests</h1>
<p class="meta">{{len .Requests}} kept of the last {{.Capacity}}, newest first; {{.Total}} seen since start.
PII masking in samples: {{if .MaskPII}}on{{else}}<strong>off</strong>{{end}}.
Reload to refresh. The same as JSON: <a href="requests.json">requests.json</a>.</p>
{{if not .Requests}}<p id="empty">No request has reached the receiver yet.</p>{{else}}
<table>
<thead><tr><th>#</th><th>Time (UTC)</th><th>Remote</th><th>Request</th><th>Status</th><th>Reason</th><th>Format</th><th>Accepted / dup / malformed</th><th>Took</th><th>Authorization</th></tr></thead>
<tbody>
{{range .Requests}}<tr class="req" id="r{{.ID}}">
<td class="num">{{.ID}}</td>
<td class="time">{{clock .Time}}</td>
<td>{{.Remote}}</td>
<td><code>{{.Method}} {{.Path}}</code>{{if .PathTruncated}} (path cut){{end}}{{if .QueryBytes}} (query of {{.QueryBytes}} bytes not shown){{end}}</td>
<td class="status {{.StatusClass}}">{{.StatusText}}</td>
<td>{{if .Reason}}{{.Reason}}{{else}}ok{{end}}</td>
<td>{{if .ContentFormat}}{{.ContentFormat}}{{else}}-{{end}}</td>
<td class="num">{{.Accepted}} / {{.Duplicates}} / {{.Malformed}}</td>
<td class="num">{{.DurationText}}</td>
<td>{{.AuthText}}</td>
</tr>
<tr class="detail"><td colspan="10"><details id="d{{.ID}}">
<summary>Request {{.ID}}: headers and body sample</summary>
<dl>
<dt>Content-Type</dt><dd>{{if .ContentType}}<code>{{.ContentType}}</code>{{else}}none{{end}}</dd>
<dt>Content-Encoding</dt><dd>{{if .ContentEncoding}}<code>{{.ContentEncoding}}</code>{{else}}none{{end}}</dd>
<dt>Content-Length</dt><dd>{{.LengthText}}</dd>
<dt>Body read</dt><dd>{{.BodyBytes}} bytes (decompressed)</dd>
{{range .RequiredHeaders}}<dt>Header <code>{{.Name}}</code></dt><dd>{{if not .Present}}missing{{else if .Matched}}matched{{else}}did not match{{end}}</dd>
{{end}}</dl>
{{with .Sample}}<p>Body sample{{if .PIIMasked}}, PII fields masked{{else}}, <strong>PII not masked</strong>{{end}}:</p>
{{if .FirstEvent}}<p>First event{{if .FirstEventTruncated}} (cut){{end}}:</p>
<div class="sample event"><code>{{.FirstEvent}}</code></div>
{{end}}{{if .MalformedReason}}<p>First malformed line ({{.MalformedReason}}){{if .FirstMalformedTruncated}} (cut){{end}}:</p>
<div class="sample malformed"><code>{{.FirstMalformed}}</code></div>
{{end}}{{else}}<p class="nosample">No body sample: {{.NoSampleReason}}.</p>{{end}}
</details></td></tr>
{{end}}</tbody>
</table>{{end}}
</body>
</html>
`))
)

func cssHash() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Page is the data behind both views.
type Page struct {
	Capacity int    `json:"max_requests"`
	MaskPII  bool   `json:"mask_pii"`
	Total    uint64 `json:"total_seen"`
	Requests []View `json:"requests"`
}

func (in *Inspector) page() Page {
	views, total := in.Snapshot()
	if views == nil {
		views = []View{}
	}
	return Page{Capacity: in.Capacity(), MaskPII: in.MaskPII(), Total: total, Requests: views}
}

// Handler serves GET / (HTML) and GET /requests.json. Other paths get 404,
// other methods 405, and requests whose Host is not a loopback name get
// 403, which keeps DNS-rebinding pages from reading it through a browser.
func (in *Inspector) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", cspHeader)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if !loopbackHost(req.Host) {
			http.Error(w, "inspector: Host must be localhost or a loopback address", http.StatusForbidden)
			return
		}
		if req.URL.Path != "/" && req.URL.Path != "/requests.json" {
			http.Error(w, "inspector: not found; see / or /requests.json", http.StatusNotFound)
			return
		}
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "inspector: method not allowed; use GET", http.StatusMethodNotAllowed)
			return
		}
		var buf bytes.Buffer
		if req.URL.Path == "/requests.json" {
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			if err := enc.Encode(in.page()); err != nil {
				http.Error(w, "inspector: "+err.Error(), http.StatusInternalServerError)
				return
			}
			h.Set("Content-Type", "application/json")
		} else {
			if err := pageTemplate.Execute(&buf, in.page()); err != nil {
				http.Error(w, "inspector: "+err.Error(), http.StatusInternalServerError)
				return
			}
			h.Set("Content-Type", "text/html; charset=utf-8")
		}
		h.Set("Content-Length", fmt.Sprint(buf.Len()))
		w.WriteHeader(http.StatusOK)
		if req.Method == http.MethodGet {
			_, _ = w.Write(buf.Bytes())
		}
	})
}

// loopbackHost reports whether a Host header names this machine's loopback.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Server serves the inspector on its own listener.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Listen binds endpoint, which must resolve to a loopback address; the
// address actually bound is checked too, so that a hosts file mapping
// "localhost" elsewhere cannot expose the page.
func Listen(ctx context.Context, endpoint string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		return nil, fmt.Errorf("inspector endpoint %q: %w", endpoint, err)
	}
	if !loopbackHost(host) {
		return nil, fmt.Errorf("inspector endpoint %q is not a loopback address", endpoint)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", endpoint)
	if err != nil {
		return nil, err
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return nil, fmt.Errorf("inspector endpoint %q bound %s, which is not a loopback address", endpoint, ln.Addr())
	}
	return ln, nil
}

// Serve starts serving in on ln, with bounded headers and timeouts.
func Serve(in *Inspector, ln net.Listener) *Server {
	s := &Server{
		ln: ln,
		srv: &http.Server{
			Handler:           in.Handler(),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      10 * time.Second,
			IdleTimeout:       30 * time.Second,
			MaxHeaderBytes:    16 << 10,
		},
		done: make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s
}

// Addr is the address served.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops the server and waits for its goroutine.
func (s *Server) Shutdown(ctx context.Context) error {
	if s == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	return errors.Join(err, <-s.done)
}
