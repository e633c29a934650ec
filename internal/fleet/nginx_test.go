// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package fleet

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const nginxInstallHint = "install it with `apt-get install -y nginx-light` (Debian; .ci/run does) and run `make test-fleet`"

// nginxBinary finds nginx in PATH or where Debian puts it (/usr/sbin is not in every user's
// PATH). Without it the test skips, unless FLEET_REQUIRED=1 says the fleet test must run.
func nginxBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("FLEET_REQUIRED") == "1" {
		t.Fatalf("FLEET_REQUIRED=1 but nginx is neither in PATH nor at /usr/sbin/nginx: %s", nginxInstallHint)
	}
	t.Skipf("nginx not found in PATH or at /usr/sbin/nginx: %s", nginxInstallHint)
	return ""
}

// The receiver's max_request_body_size in otelcol-config.yaml (16 MiB). nginx must not be
// stricter, or Auth0 would see nginx's 413 for a batch the receiver accepts.
const receiverBodyLimit = "16m"

type nginxConfig struct {
	Dir       string
	User      string // set only when nginx starts as root, which would switch to nobody
	BodyLimit string
	Single    string   // listen address of the balancer with one replica behind it
	Fleet     string   // listen address of the balancer with all replicas behind it
	Replicas  []string // receiver addresses; Replicas[0] is also the single one
}

// Everything nginx writes stays in Dir: no root paths, no daemon, so the test owns the process.
// The access log records every upstream nginx tried for a request, which is how the test sees
// nginx pass a request on from the killed replica.
var nginxTemplate = template.Must(template.New("nginx.conf").Parse(`daemon off;
master_process on;
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
{{if .User}}user {{.User}};
{{end}}
events {
    worker_connections 1024;
}

http {
    log_format fleet '$msec|$server_port|$status|$upstream_addr|$upstream_status';
    access_log {{.Dir}}/access.log fleet;

    client_body_temp_path {{.Dir}}/client_body;
    proxy_temp_path {{.Dir}}/proxy;
    fastcgi_temp_path {{.Dir}}/fastcgi;
    uwsgi_temp_path {{.Dir}}/uwsgi;
    scgi_temp_path {{.Dir}}/scgi;

    client_max_body_size {{.BodyLimit}};
    # Auth0's batches stay in memory; the whole body is read before an upstream is picked,
    # so a refused connection can be retried on the next replica.
    client_body_buffer_size 1m;
    proxy_request_buffering on;

    proxy_connect_timeout 1s;
    proxy_read_timeout 30s;
    # A dead replica (connection refused) costs one more try, invisible to Auth0. A POST that
    # already reached a replica is never replayed by nginx (no non_idempotent): that replica
    # may have queued it, so the answer goes back to the sender, who retries like Auth0 does.
    proxy_next_upstream error timeout http_502 http_503;
    proxy_next_upstream_tries 3;
    proxy_next_upstream_timeout 10s;

    upstream single {
        server {{index .Replicas 0}};
    }

    # Passive health: one failure takes a replica out for 2 s, then it gets a request again.
    upstream fleet {
{{- range .Replicas}}
        server {{.}} max_fails=1 fail_timeout=2s;
{{- end}}
    }

    server {
        listen {{.Single}};
        location = /api/logs {
            proxy_pass http://single;
        }
    }

    server {
        listen {{.Fleet}};
        location = /api/logs {
            proxy_pass http://fleet;
        }
    }
}
`))

// startNginx writes the config into a temporary directory and runs nginx with it as prefix.
func startNginx(t *testing.T, bin string, cfg nginxConfig) (*testproc.Process, string) {
	t.Helper()
	cfg.Dir = t.TempDir()
	cfg.BodyLimit = receiverBodyLimit
	if os.Geteuid() == 0 {
		cfg.User = currentUserAndGroup(t)
	}
	var buf bytes.Buffer
	if err := nginxTemplate.Execute(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(cfg.Dir, "nginx.conf")
	if err := os.WriteFile(confPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// -e (nginx >= 1.19.5) keeps nginx from opening its compiled-in error log before it has
	// read the config.
	p := testproc.StartGroup(t, "nginx", bin, nil, "-p", cfg.Dir, "-c", confPath, "-e", filepath.Join(cfg.Dir, "error.log"))
	testproc.WaitListening(t, p, cfg.Single)
	testproc.WaitListening(t, p, cfg.Fleet)
	return p, cfg.Dir
}

func currentUserAndGroup(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Fatal(err)
	}
	return u.Username + " " + g.Name
}

// proxied is one request as nginx's access log has it.
type proxied struct {
	at        float64 // seconds since the epoch
	port      string  // which balancer took it
	status    int     // what nginx answered the sender
	upstreams []string
	statuses  []string // one per upstream tried; 502 for a refused or broken connection
}

// readAccessLog parses the log nginx writes as each request ends.
func readAccessLog(path string) ([]proxied, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []proxied
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "|")
		if len(fields) != 5 {
			return nil, fmt.Errorf("access log line %q: want 5 fields", sc.Text())
		}
		at, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("access log line %q: %w", sc.Text(), err)
		}
		status, err := strconv.Atoi(fields[2])
		if err != nil {
			return nil, fmt.Errorf("access log line %q: %w", sc.Text(), err)
		}
		out = append(out, proxied{
			at: at, port: fields[1], status: status,
			upstreams: splitList(fields[3]), statuses: splitList(fields[4]),
		})
	}
	return out, sc.Err()
}

func splitList(s string) []string {
	if s == "-" || s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
