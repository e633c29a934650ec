// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
)

const defaultInspectorMaxRequests = inspector.DefaultMaxRequests

// InspectorConfig turns on the built-in request inspector: a page, on a
// separate loopback listener, that shows the last requests that reached the
// receiver and what it answered.
type InspectorConfig struct {
	// Endpoint is the inspector's listen address; the inspector is off
	// while it is empty. Only loopback addresses are accepted: the page is
	// for this machine (use kubectl port-forward to reach it in a pod).
	Endpoint string `mapstructure:"endpoint"`
	// MaxRequests is how many requests are kept, oldest dropped first.
	MaxRequests int `mapstructure:"max_requests"`
	// MaskPII masks user_name, email, phone_number, name, given_name,
	// family_name and address in body samples.
	MaskPII bool `mapstructure:"mask_pii"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func (ic *InspectorConfig) enabled() bool { return ic.Endpoint != "" }

// maxInspectorRequests bounds max_requests: at 12 KiB a record, 10000
// records are about 120 MiB, far more than troubleshooting needs.
const maxInspectorRequests = 10000

// Validate checks the inspector's own settings.
func (ic *InspectorConfig) Validate() error {
	var errs []error
	if ic.MaxRequests <= 0 || ic.MaxRequests > maxInspectorRequests {
		errs = append(errs, fmt.Errorf("inspector.max_requests must be between 1 and %d, got %d", maxInspectorRequests, ic.MaxRequests))
	}
	if ic.enabled() {
		if _, _, err := loopbackEndpoint(ic.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("inspector.endpoint: %w", err))
		}
	}
	return errors.Join(errs...)
}

// validateInspector checks the inspector against the receiver's own
// endpoint: both must never be the same listener.
func (cfg *Config) validateInspector() error {
	ic := &cfg.Inspector
	if !ic.enabled() {
		return nil
	}
	ips, port, err := loopbackEndpoint(ic.Endpoint)
	if err != nil {
		return nil // reported by InspectorConfig.Validate
	}
	if port != 0 && sameListener(cfg.ServerConfig.NetAddr.Endpoint, ips, port) {
		return fmt.Errorf("inspector.endpoint %q must differ from the receiver's endpoint %q: the inspector is never served on the Auth0 port",
			ic.Endpoint, cfg.ServerConfig.NetAddr.Endpoint)
	}
	return nil
}

// loopbackEndpoint parses host:port and requires a loopback host:
// "localhost", 127.0.0.0/8 or ::1. It returns the addresses the host stands
// for. Other names are refused rather than resolved, so the check does not
// depend on DNS.
func loopbackEndpoint(endpoint string) ([]net.IP, int, error) {
	host, portStr, err := net.SplitHostPort(endpoint)
	if err != nil {
		return nil, 0, fmt.Errorf("%q is not host:port: %w", endpoint, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, 0, fmt.Errorf("%q: port %q is not a number from 0 to 65535", endpoint, portStr)
	}
	switch {
	case host == "":
		return nil, 0, fmt.Errorf("%q has no host: it would listen on every interface; use localhost:%s", endpoint, portStr)
	case strings.EqualFold(host, "localhost"):
		return []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, int(port), nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, 0, fmt.Errorf("%q is not a loopback address (localhost, 127.x.x.x or ::1): the inspector shows request details and must stay on this machine; use kubectl port-forward to reach it in a pod", endpoint)
	}
	return []net.IP{ip}, int(port), nil
}

// sameListener reports whether the receiver's endpoint would bind the same
// port on one of ips: the same address, localhost, or every interface.
func sameListener(receiver string, ips []net.IP, port int) bool {
	host, portStr, err := net.SplitHostPort(receiver)
	if err != nil {
		return false
	}
	if p, err := strconv.Atoi(portStr); err != nil || p != port {
		return false
	}
	if host == "" {
		return true
	}
	rips := []net.IP{net.ParseIP(host)}
	switch {
	case strings.EqualFold(host, "localhost"):
		rips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	case rips[0] == nil:
		return false // a name: not resolved here; a clash fails at bind time
	case rips[0].IsUnspecified():
		return true
	}
	for _, ip := range ips {
		for _, rip := range rips {
			if ip.Equal(rip) {
				return true
			}
		}
	}
	return false
}
