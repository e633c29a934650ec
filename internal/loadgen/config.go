// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package loadgen sends generated Auth0 log events to an HTTP endpoint the
// way an Auth0 Custom Webhook log stream does: batches POSTed with the
// Authorization header as configured, each retried up to three attempts in
// total. Test suites call Run in-process; cmd/auth0load wraps it.
package loadgen

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

// Defaults applied by Run to zero-valued Config fields.
const (
	DefaultURL         = "http://127.0.0.1:8383/api/logs"
	DefaultBatchSize   = 100
	DefaultConcurrency = 4
	DefaultTimeout     = 10 * time.Second
	DefaultAttempts    = 3
	DefaultBackoff     = 200 * time.Millisecond
	DefaultContentType = "application/json"
)

// Config describes one load run. Events and Duration bound it; whichever is
// reached first ends it, and at least one of them must be set.
type Config struct {
	URL string
	// Token is sent byte for byte as the Authorization header; empty sends none.
	Token       string
	Header      http.Header // extra headers, like Auth0's custom headers
	Format      auth0gen.Format
	ContentType string

	BatchSize   int
	Concurrency int
	Events      int           // total events to send; 0 means no count bound
	Duration    time.Duration // no new batches after this; 0 means no time bound
	Rate        float64       // target events/s; 0 means as fast as possible

	Seed int64
	// Generator tunes the events. Its zero Start dates them from a fixed
	// instant, so a seed always gives the same bytes; set Start to
	// time.Now() for events dated like live ones (the CLI does).
	Generator auth0gen.Options

	// Attempts is the total number of tries per batch, first one included.
	Attempts int
	// Backoff is the wait before the second attempt; it doubles after that.
	Backoff time.Duration
	// Timeout bounds each request, from dial to the end of the response.
	Timeout           time.Duration
	DisableKeepAlives bool
	// Client replaces the HTTP client built from the fields above.
	Client *http.Client

	// Acked, when set, receives every acknowledged log_id, one per line.
	Acked io.Writer
}

func (c Config) withDefaults() (Config, error) {
	if c.URL == "" {
		c.URL = DefaultURL
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("invalid URL %q: want http(s)://host[:port]/path", c.URL)
	}
	if c.ContentType == "" {
		c.ContentType = DefaultContentType
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Attempts == 0 {
		c.Attempts = DefaultAttempts
	}
	if c.Backoff == 0 {
		c.Backoff = DefaultBackoff
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.BatchSize < 0, c.Concurrency < 0, c.Attempts < 0, c.Events < 0,
		c.Duration < 0, c.Rate < 0, c.Backoff < 0, c.Timeout < 0:
		return c, errors.New("batch size, concurrency, attempts, events, duration, rate, backoff and timeout must not be negative")
	case c.Events == 0 && c.Duration == 0:
		return c, errors.New("set Events or Duration: an unbounded run is refused")
	}
	if _, err := auth0gen.ParseFormat(c.Format.String()); err != nil {
		return c, err
	}
	return c, nil
}

// requestHeader is what every request carries; Token wins over an Authorization in Header.
func (c Config) requestHeader() http.Header {
	h := c.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", c.ContentType)
	if c.Token != "" {
		h.Set("Authorization", c.Token)
	}
	return h
}

func (c Config) httpClient() *http.Client {
	if c.Client != nil {
		return c.Client
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Load goes straight to the target: a proxy would be measured too.
	tr.Proxy = nil
	tr.DisableKeepAlives = c.DisableKeepAlives
	tr.MaxIdleConns = c.Concurrency * 2
	tr.MaxIdleConnsPerHost = c.Concurrency * 2
	tr.ResponseHeaderTimeout = c.Timeout
	tr.IdleConnTimeout = 30 * time.Second
	return &http.Client{Transport: tr, Timeout: c.Timeout}
}
