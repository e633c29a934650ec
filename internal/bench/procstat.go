package bench

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

// CPUSeconds returns the user plus system CPU time a process has used so
// far, all its threads included.
func CPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime (fields 14 and 15). The command name in
// field 2 may hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseStatCPU(stat []byte) (float64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("stat: no command name")
	}
	// After ") " come field 3 (state) onwards; utime is field 14.
	fields := strings.Fields(string(stat[end+1:]))
	const utimeIdx = 14 - 3
	if len(fields) <= utimeIdx+1 {
		return 0, fmt.Errorf("stat: %d fields after the command name, want more than %d", len(fields), utimeIdx+1)
	}
	utime, err := strconv.ParseUint(fields[utimeIdx], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat utime: %w", err)
	}
	stime, err := strconv.ParseUint(fields[utimeIdx+1], 10, 64)
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
