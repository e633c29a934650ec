// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

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

// Bounds on process life cycle steps. They are generous: a loaded 2-core CI machine starts
// the collector in a second or two.
const (
	StartupTimeout  = 60 * time.Second
	ShutdownTimeout = 30 * time.Second
)

// Process is a binary started by a test. Its output goes to a file that is shown when the
// test fails.
type Process struct {
	Name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// Start runs bin with args and env added to the test's environment, in a fresh directory.
func Start(t testing.TB, name, bin string, env []string, args ...string) *Process {
	t.Helper()
	return start(t, name, bin, env, args, false)
}

// StartGroup is Start in a process group of its own, for binaries that fork workers (nginx):
// cleanup sends SIGTERM, gives the process GroupGrace to take its children down, then
// SIGKILLs the whole group, since workers outlive a SIGKILLed master.
func StartGroup(t testing.TB, name, bin string, env []string, args ...string) *Process {
	t.Helper()
	return start(t, name, bin, env, args, true)
}

// GroupGrace is how long a StartGroup process has after SIGTERM at cleanup.
const GroupGrace = 5 * time.Second

func start(t testing.TB, name, bin string, env, args []string, group bool) *Process {
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
	if group {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &Process{Name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if group {
			p.stopGroup(t)
		} else if !p.Exited() {
			_ = cmd.Process.Kill()
			p.awaitKilled(t)
		}
		if t.Failed() {
			t.Logf("---- %s output (tail) ----\n%s", name, p.Output())
		}
	})
	return p
}

// stopGroup asks politely first, then kills the group by its id (the leader's pid), also when
// the leader has already exited and left children behind.
func (p *Process) stopGroup(t testing.TB) {
	if !p.Exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(GroupGrace):
		}
	}
	_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
	p.awaitKilled(t)
}

func (p *Process) awaitKilled(t testing.TB) {
	select {
	case <-p.done:
	case <-time.After(ShutdownTimeout):
		t.Errorf("%s (pid %d) did not exit after SIGKILL", p.Name, p.Pid())
	}
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// WaitErr is the exit error once Exited is true (nil for exit status 0).
func (p *Process) WaitErr() error {
	<-p.done
	return p.waitErr
}

// Output is the tail of what the process printed.
func (p *Process) Output() string {
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

// Terminate sends SIGTERM and returns the exit error (nil for exit status 0).
func (p *Process) Terminate() error {
	return p.signalAndWait(syscall.SIGTERM)
}

// Kill sends SIGKILL, like a crash or an OOM kill, and waits for the process to end.
func (p *Process) Kill() error {
	return p.signalAndWait(syscall.SIGKILL)
}

func (p *Process) signalAndWait(sig syscall.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil && !p.Exited() {
		return fmt.Errorf("signal %s: %w", p.Name, err)
	}
	select {
	case <-p.done:
		return p.waitErr
	case <-time.After(ShutdownTimeout):
		return fmt.Errorf("%s did not exit within %v of %v", p.Name, ShutdownTimeout, sig)
	}
}

// WaitUntil polls cond every interval until it holds, and reports whether it
// did before timeout passed.
func WaitUntil(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

// WaitListening polls until addr accepts TCP connections, failing early if p exits.
func WaitListening(t testing.TB, p *Process, addr string) {
	t.Helper()
	deadline := time.Now().Add(StartupTimeout)
	for time.Now().Before(deadline) {
		if p.Exited() {
			t.Fatalf("%s exited during startup: %v", p.Name, p.waitErr)
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on %s within %v", p.Name, addr, StartupTimeout)
}

// WaitHealthy polls a health_check endpoint until it answers 200.
func WaitHealthy(t testing.TB, p *Process, url string) {
	t.Helper()
	deadline := time.Now().Add(StartupTimeout)
	var last string
	for time.Now().Before(deadline) {
		if p.Exited() {
			t.Fatalf("%s exited during startup: %v", p.Name, p.waitErr)
		}
		resp, err := Client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s health check %s not 200 within %v (last: %s)", p.Name, url, StartupTimeout, last)
}

// ExitDescription turns a process exit error into text such as "exit status 1".
func ExitDescription(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return strings.TrimSpace(exitErr.String())
	}
	return err.Error()
}
