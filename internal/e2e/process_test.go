package e2e

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	startupTimeout  = 60 * time.Second
	shutdownTimeout = 30 * time.Second
)

// repoRoot is where otelcol-config.yaml and testdata/ live; tests run in internal/e2e.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// collectorBinary is the distribution built by `make build`. The tests never build it
// themselves: a second, differently configured build would hide what users actually get.
func collectorBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("OTELCOL_BINARY")
	if bin == "" {
		bin = filepath.Join(repoRoot(t), "_build", "otelcol-auth0")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("collector binary %s not found (%v): run `make build` first, or `make test`, which builds it", bin, err)
	}
	return bin
}

// process is a collector started by a test. Its output goes to a file that is shown when the
// test fails.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

func startProcess(t *testing.T, name, bin string, env []string, args ...string) *process {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = cmd.Process.Kill()
			select {
			case <-p.done:
			case <-time.After(shutdownTimeout):
				t.Errorf("%s (pid %d) did not exit after SIGKILL", name, cmd.Process.Pid)
			}
		}
		if t.Failed() {
			t.Logf("---- %s output ----\n%s", name, p.output())
		}
	})
	return p
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *process) output() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	const keep = 8000
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return string(b)
}

// terminate sends SIGTERM and returns the exit error (nil for exit status 0).
func (p *process) terminate() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return p.waitErr
	case <-time.After(shutdownTimeout):
		return fmt.Errorf("%s did not exit within %v of SIGTERM", p.name, shutdownTimeout)
	}
}

var httpClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

// waitListening polls until addr accepts TCP connections, failing early if p exits.
func waitListening(t *testing.T, p *process, addr string) {
	t.Helper()
	deadline := time.Now().Add(startupTimeout)
	for time.Now().Before(deadline) {
		if p.exited() {
			t.Fatalf("%s exited during startup: %v", p.name, p.waitErr)
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on %s within %v", p.name, addr, startupTimeout)
}

// waitHealthy polls the health_check extension until it reports the pipelines are up.
func waitHealthy(t *testing.T, p *process, url string) {
	t.Helper()
	deadline := time.Now().Add(startupTimeout)
	var last string
	for time.Now().Before(deadline) {
		if p.exited() {
			t.Fatalf("%s exited during startup: %v", p.name, p.waitErr)
		}
		resp, err := httpClient.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s health check %s not 200 within %v (last: %s)", p.name, url, startupTimeout, last)
}

func exitDescription(err error) string {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return strings.TrimSpace(exitErr.String())
	}
	return err.Error()
}
