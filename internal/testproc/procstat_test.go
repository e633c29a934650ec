// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestParseStatCPUCountsFromTheLastParenthesis(t *testing.T) {
	// A command name may hold spaces and ')'; utime=250 and stime=50 ticks.
	stat := "1234 (otel col) (x)) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 50 0 0 20 0 12 0 100 800000000 12000 18446744073709551615\n"
	got, err := parseStatCPU([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	if got != 3.0 {
		t.Fatalf("cpu = %v s, want 3.0", got)
	}
}

func TestParseStatCPURejectsShortLines(t *testing.T) {
	for _, stat := range []string{"", "1 (a) S 1 2 3", "1 (a) S 1 1 1 0 -1 0 0 0 0 0 x 5 0"} {
		if _, err := parseStatCPU([]byte(stat)); err == nil {
			t.Errorf("%q: no error", stat)
		}
	}
}

func TestParseStatusMemory(t *testing.T) {
	status := "Name:\totelcol-auth0\nVmPeak:\t 2000000 kB\nVmHWM:\t   81920 kB\nVmRSS:\t   40960 kB\nThreads:\t12\n"
	m, err := parseStatusMemory([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	if m.RSSBytes != 40<<20 || m.PeakBytes != 80<<20 {
		t.Fatalf("got %+v, want RSS 40 MiB and peak 80 MiB", m)
	}
	if _, err := parseStatusMemory([]byte("Name:\tx\nVmRSS:\t 1 kB\n")); err == nil {
		t.Fatal("missing VmHWM: no error")
	}
	if _, err := parseStatusMemory([]byte("VmRSS:\t 1 MB\nVmHWM:\t 1 kB\n")); err == nil {
		t.Fatal("unexpected unit: no error")
	}
}

// sink keeps the busy loop's result alive, so that the compiler cannot drop the loop.
var sink int

// burnCPU spins until the process's CPU time has grown past its value at the start by at
// least one clock tick, or a bounded wall time has passed, and returns the two readings.
func burnCPU(t *testing.T) (before, after float64) {
	t.Helper()
	before, err := CPUSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for i := range 1_000_000 {
			sink += i % 7
		}
		if after, err = CPUSeconds(os.Getpid()); err != nil {
			t.Fatal(err)
		}
		if after > before {
			return before, after
		}
	}
	return before, after
}

func TestReadOwnProcess(t *testing.T) {
	before, cpu := burnCPU(t)
	if cpu <= before {
		t.Fatalf("cpu = %v s, as before a busy loop of up to 10 s", cpu)
	}
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSSBytes <= 0 || m.PeakBytes < m.RSSBytes {
		t.Fatalf("memory %+v: want 0 < RSS <= peak", m)
	}
}

func TestGroupCPUSecondsIncludesOwnProcess(t *testing.T) {
	_, own := burnCPU(t)
	group, err := GroupCPUSeconds(syscall.Getpgrp())
	if err != nil {
		t.Fatal(err)
	}
	if group < own {
		t.Fatalf("group cpu = %v s, less than this process's own %v s", group, own)
	}
	none, err := GroupCPUSeconds(-1)
	if err != nil {
		t.Fatal(err)
	}
	if none != 0 {
		t.Fatalf("cpu of a group without members = %v, want 0", none)
	}
}
