// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Command auth0load sends generated Auth0 log events to an HTTP endpoint the
// way an Auth0 Custom Webhook log stream does, and reports throughput,
// latency and delivery outcomes. See README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
)

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1 // the run could not start or its acked file failed
	exitUsage       = 2
	exitUndelivered = 3 // some events were given up or aborted
)

const tokenEnv = "AUTH0_LOG_STREAM_TOKEN" //nolint:gosec // G101: the variable's name, not a token

type options struct {
	cfg       loadgen.Config
	ackedFile string
	json      bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type headerFlag http.Header

func (h headerFlag) String() string { return "" }

func (h headerFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want \"Name: value\", got %q", v)
	}
	http.Header(h).Add(strings.TrimSpace(name), strings.TrimSpace(value))
	return nil
}

func parseArgs(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	c := &o.cfg
	fs := flag.NewFlagSet("auth0load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "JSONLINES", "content format: JSONLINES, JSONARRAY or JSONOBJECT")
	failureRatio := fs.Float64("failure-ratio", auth0gen.DefaultFailureRatio, "share of failure events, 0 to 1")
	keepAlive := fs.Bool("keepalive", true, "reuse connections between requests")
	c.Header = http.Header{}
	fs.StringVar(&c.URL, "url", loadgen.DefaultURL, "endpoint to POST to")
	fs.StringVar(&c.Token, "token", "", "Authorization header value, sent as is (default $"+tokenEnv+")")
	fs.StringVar(&c.ContentType, "content-type", loadgen.DefaultContentType, "Content-Type header value")
	fs.Var(headerFlag(c.Header), "header", "extra header \"Name: value\" (repeatable)")
	fs.IntVar(&c.BatchSize, "batch", loadgen.DefaultBatchSize, "events per POST")
	fs.IntVar(&c.Concurrency, "concurrency", loadgen.DefaultConcurrency, "POSTs in flight")
	fs.IntVar(&c.Events, "events", 10000, "total events to send (0: bounded by -duration only)")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "stop sending new batches after this (0: bounded by -events only)")
	fs.Float64Var(&c.Rate, "rate", 0, "target events per second (0: unlimited)")
	fs.Int64Var(&c.Seed, "seed", 0, "generator seed (0: pick one from the clock; the report shows it)")
	fs.IntVar(&c.Attempts, "attempts", loadgen.DefaultAttempts, "attempts per batch, the first included")
	fs.DurationVar(&c.Backoff, "backoff", loadgen.DefaultBackoff, "wait before the second attempt, doubled after each")
	fs.DurationVar(&c.Timeout, "timeout", loadgen.DefaultTimeout, "per-request timeout")
	fs.StringVar(&o.ackedFile, "acked-file", "", "write every acknowledged log_id to this file, one per line")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	var err error
	if c.Format, err = auth0gen.ParseFormat(*format); err != nil {
		return o, err
	}
	if c.Token == "" {
		c.Token = getenv(tokenEnv)
	}
	if *failureRatio < 0 || *failureRatio > 1 {
		return o, fmt.Errorf("-failure-ratio %v: want 0 to 1", *failureRatio)
	}
	c.Generator.FailureRatio = *failureRatio
	if *failureRatio == 0 {
		c.Generator.FailureRatio = -1 // the generator reads 0 as "default"
	}
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	// Receivers see events dated now, as from a live tenant.
	c.Generator.Start = time.Now().UTC()
	c.DisableKeepAlives = !*keepAlive
	for name, v := range map[string]int{"-batch": c.BatchSize, "-concurrency": c.Concurrency, "-attempts": c.Attempts} {
		if v < 1 {
			return o, fmt.Errorf("%s must be at least 1", name)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "auth0load:", err)
		return exitUsage
	}
	var ackedFile *os.File
	var acked *bufio.Writer
	if o.ackedFile != "" {
		if ackedFile, err = os.Create(o.ackedFile); err != nil {
			fmt.Fprintln(stderr, "auth0load:", err)
			return exitError
		}
		acked = bufio.NewWriterSize(ackedFile, 64<<10)
		o.cfg.Acked = acked
	}
	rep, runErr := loadgen.Run(ctx, o.cfg)
	if acked != nil {
		// A short acked file would make the reliability suite report
		// losses that did not happen, so its errors fail the run.
		runErr = errors.Join(runErr, acked.Flush(), ackedFile.Close())
	}
	if rep.Elapsed > 0 {
		if o.json {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				fmt.Fprintln(stderr, "auth0load:", err)
				return exitError
			}
		} else if err := rep.WriteText(stdout); err != nil {
			fmt.Fprintln(stderr, "auth0load:", err)
			return exitError
		}
	}
	if runErr != nil {
		fmt.Fprintln(stderr, "auth0load:", runErr)
		return exitError
	}
	if rep.EventsGivenUp+rep.EventsAborted > 0 {
		return exitUndelivered
	}
	return exitOK
}
