// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/mgmtapi"
)

const (
	defaultPageSize        = 100
	defaultPollInterval    = 10 * time.Second
	defaultPullRPS         = 1.0
	defaultStartAt         = "24h"
	maxPullRequestsPerSec  = 50 // Auth0's largest burst; beyond it only 429s
	minPullPollingInterval = 100 * time.Millisecond
)

// ManagementAPIConfig turns on pull mode: reading tenant logs from Auth0's
// Management API (GET /api/v2/logs) with a checkpoint in a storage extension.
type ManagementAPIConfig struct {
	// Domain is the tenant's domain (or custom domain); the API is
	// https://<domain> and the token audience https://<domain>/api/v2/.
	Domain string `mapstructure:"domain"`
	// Endpoint optionally replaces https://<domain> as the base URL, e.g.
	// for a proxy or an emulator. Plain http:// only for loopback hosts.
	Endpoint     string              `mapstructure:"endpoint"`
	ClientID     string              `mapstructure:"client_id"`
	ClientSecret configopaque.String `mapstructure:"client_secret"`
	// PageSize is `take`, 1..100.
	PageSize int `mapstructure:"page_size"`
	// PollInterval is the wait between polls once caught up (an empty page).
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// MaxRequestsPerSecond is our own budget, below the tenant's Management
	// API limit, which every other client of that API shares.
	MaxRequestsPerSecond float64 `mapstructure:"max_requests_per_second"`
	// StartAt picks the first event when there is no checkpoint yet: a
	// duration back in time ("24h", "7d"), "now", or a log_id.
	StartAt string `mapstructure:"start_at"`
	// Storage is the storage extension that holds the checkpoint.
	Storage *component.ID `mapstructure:"storage"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func defaultManagementAPIConfig() ManagementAPIConfig {
	return ManagementAPIConfig{
		PageSize:             defaultPageSize,
		PollInterval:         defaultPollInterval,
		MaxRequestsPerSecond: defaultPullRPS,
		StartAt:              defaultStartAt,
	}
}

// Validate checks the management_api section.
func (c *ManagementAPIConfig) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Domain) == "" {
		errs = append(errs, errors.New("management_api.domain is required (the tenant's domain, e.g. acme.eu.auth0.com)"))
	} else if strings.ContainsAny(c.Domain, "/:?#@ ") {
		errs = append(errs, fmt.Errorf("management_api.domain %q must be a bare host name, without scheme, port or path", c.Domain))
	}
	if c.Endpoint != "" {
		if err := validatePullEndpoint(c.Endpoint); err != nil {
			errs = append(errs, err)
		}
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("management_api.client_id is required"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("management_api.client_secret is required"))
	}
	if c.PageSize < 1 || c.PageSize > mgmtapi.MaxTake {
		errs = append(errs, fmt.Errorf("management_api.page_size %d is out of range: Auth0 accepts 1..%d", c.PageSize, mgmtapi.MaxTake))
	}
	if c.PollInterval < minPullPollingInterval {
		errs = append(errs, fmt.Errorf("management_api.poll_interval %v is below the minimum of %v", c.PollInterval, minPullPollingInterval))
	}
	if c.MaxRequestsPerSecond <= 0 || c.MaxRequestsPerSecond > maxPullRequestsPerSec {
		errs = append(errs, fmt.Errorf("management_api.max_requests_per_second %v must be above 0 and at most %d", c.MaxRequestsPerSecond, maxPullRequestsPerSec))
	}
	if _, err := mgmtapi.ParseStart(c.StartAt); err != nil {
		errs = append(errs, fmt.Errorf("management_api.%w", err))
	}
	if c.Storage == nil {
		errs = append(errs, errors.New("management_api.storage is required: name the storage extension (e.g. file_storage) that keeps the checkpoint"))
	}
	return errors.Join(errs...)
}

func validatePullEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("management_api.endpoint %q is not a URL: %w", endpoint, err)
	}
	switch {
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("management_api.endpoint %q must be an absolute http(s) URL", endpoint)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return fmt.Errorf("management_api.endpoint %q must be scheme://host[:port] only, without path, query or credentials", endpoint)
	case u.Scheme == "http" && !mgmtapi.IsLoopbackHost(u.Hostname()):
		return fmt.Errorf("management_api.endpoint %q: plain http is only allowed to loopback addresses (localhost, 127.0.0.0/8, ::1); use https", endpoint)
	}
	return nil
}

// baseURL is the API's scheme://host.
func (c *ManagementAPIConfig) baseURL() string {
	if c.Endpoint != "" {
		return strings.TrimSuffix(c.Endpoint, "/")
	}
	return "https://" + c.Domain
}

// audience is the Management API identifier of the tenant.
func (c *ManagementAPIConfig) audience() string {
	return "https://" + c.Domain + "/api/v2/"
}
