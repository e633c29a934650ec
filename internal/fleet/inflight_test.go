// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package fleet

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// waitInFlight waits until some connection to addr is established. nginx opens one
// connection per request to a replica and the replica closes it after answering, so an
// established connection is a request in flight. Killing the replica then is the case the
// test is about: nginx cannot replay a POST that reached a replica, so the sender gets the
// refusal and retries. It reports false if no request came within timeout.
func waitInFlight(addr string, timeout time.Duration) (bool, error) {
	_, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return false, err
	}
	// /proc/net/tcp writes the local address as hex IPv4:port; 01 is ESTABLISHED.
	local := fmt.Sprintf("0100007F:%04X", port)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		found, err := established("/proc/net/tcp", local)
		if err != nil || found {
			return found, err
		}
		time.Sleep(time.Millisecond)
	}
	return false, nil
}

func established(path, local string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 3 && fields[1] == local && fields[3] == "01" {
			return true, nil
		}
	}
	return false, sc.Err()
}
