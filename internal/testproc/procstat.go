// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// Linux has fixed it at 100 on every architecture Go supports; reading it
// would need cgo (sysconf).
const clockTicks = 100

// Indexes into the fields after the command name, which start at field 3 (state).
const (
	pgrpIdx  = 5 - 3
	utimeIdx = 14 - 3
	stimeIdx = 15 - 3
)

// CPUSeconds returns the user plus system CPU time a process has used so
// far, all its threads included. CPU time, unlike wall time, stays
// meaningful on a machine busy with other work.
func CPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// GroupCPUSeconds sums CPUSeconds over the members of a process group, such
// as a master process and the workers it forked. Members that exit while
// /proc is read are left out.
func GroupCPUSeconds(pgid int) (float64, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	want := strconv.Itoa(pgid)
	var total float64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		fields, err := statFields(b)
		if err != nil || fields[pgrpIdx] != want {
			continue
		}
		s, err := parseStatCPU(b)
		if err != nil {
			continue
		}
		total += s
	}
	return total, nil
}

// statFields splits a stat line after the command name: the name in field 2
// may hold spaces and parentheses, so fields are counted from the last ')'.
func statFields(stat []byte) ([]string, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return nil, fmt.Errorf("stat: no command name")
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) <= stimeIdx {
		return nil, fmt.Errorf("stat: %d fields after the command name, want more than %d", len(fields), stimeIdx)
	}
	return fields, nil
}

// parseStatCPU reads utime and stime (fields 14 and 15).
func parseStatCPU(stat []byte) (float64, error) {
	fields, err := statFields(stat)
	if err != nil {
		return 0, err
	}
	utime, err := strconv.ParseUint(fields[utimeIdx], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat utime: %w", err)
	}
	stime, err := strconv.ParseUint(fields[stimeIdx], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat stime: %w", err)
	}
	return float64(utime+stime) / clockTicks, nil
}

// Memory is a process's resident set: now and its peak since it started.
type Memory struct {
	RSSBytes  int64 // VmRSS
	PeakBytes int64 // VmHWM, a process-lifetime high-water mark
}

// ReadMemory reads VmRSS and VmHWM from /proc/<pid>/status.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	return parseStatusMemory(b)
}

func parseStatusMemory(status []byte) (Memory, error) {
	var m Memory
	var haveRSS, havePeak bool
	for line := range strings.SplitSeq(string(status), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return m, fmt.Errorf("status %s: unexpected value %q", key, val)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("status %s: %w", key, err)
		}
		if key == "VmRSS" {
			m.RSSBytes, haveRSS = kb<<10, true
		} else {
			m.PeakBytes, havePeak = kb<<10, true
		}
	}
	if !haveRSS || !havePeak {
		return m, fmt.Errorf("status: VmRSS or VmHWM missing")
	}
	return m, nil
}
