// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Command auth0emu serves a local emulator of Auth0's Management API logs
// endpoints (POST /oauth/token, GET /api/v2/logs) on a loopback address, for
// `make run-pull`, the system tests and trying pull mode without an Auth0
// account. See internal/auth0emu for what it emulates.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0emu"
	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "auth0emu:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		addr       = flag.String("addr", "127.0.0.1:8480", "listen address (loopback only)")
		domain     = flag.String("domain", auth0emu.DefaultDomain, "tenant domain: the accepted audience is https://<domain>/api/v2/")
		clientID   = flag.String("client-id", auth0emu.DefaultClientID, "accepted client_id")
		secretEnv  = flag.String("client-secret-env", "AUTH0_CLIENT_SECRET", "environment variable holding the accepted client_secret (default "+auth0emu.DefaultClientSecret+" when unset)")
		events     = flag.Int("events", 1000, "events to generate at start")
		backfill   = flag.Duration("backfill-age", 2*time.Hour, "the first generated event is this old")
		seed       = flag.Int64("seed", 1, "generator seed")
		failures   = flag.Float64("failure-ratio", 0, "share of failure events (0: auth0gen's default)")
		live       = flag.Float64("live-rate", 0, "new events per second generated while running (0: none)")
		tokenTTL   = flag.Duration("token-ttl", 24*time.Hour, "lifetime of issued tokens (expires_in)")
		rateLimit  = flag.Float64("rate-limit", 0, "tenant Management API limit in requests/s (0: none)")
		rateBurst  = flag.Int("rate-burst", 0, "bucket size of the limit (default ceil(rate-limit))")
		retention  = flag.Duration("retention", 0, "hide events older than this (0: keep all)")
		errEvery   = flag.Int("error-every", 0, "after every N answered logs requests...")
		errBurst   = flag.Int("error-burst", 0, "...answer this many with -error-status")
		errStatus  = flag.Int("error-status", 503, "status of the error bursts")
		slowEvery  = flag.Int("slow-every", 0, "every Nth logs request is slow")
		slowDelay  = flag.Duration("slow-delay", 0, "delay of slow answers")
		omitID     = flag.Bool("omit-id", false, "leave out _id (the real API adds it)")
		maxRuntime = flag.Duration("max-runtime", 0, "exit after this long (0: until SIGINT/SIGTERM)")
	)
	flag.Parse()
	secret := os.Getenv(*secretEnv)
	if secret == "" {
		secret = auth0emu.DefaultClientSecret
	}
	emu := auth0emu.New(auth0emu.Options{
		Domain: *domain, ClientID: *clientID, ClientSecret: secret, TokenTTL: *tokenTTL,
		RateLimit: *rateLimit, RateBurst: *rateBurst, Retention: *retention,
		ErrorEvery: *errEvery, ErrorBurst: *errBurst, ErrorStatus: *errStatus,
		SlowEvery: *slowEvery, SlowDelay: *slowDelay, OmitID: *omitID,
	})
	gopts := auth0gen.Options{FailureRatio: *failures, Start: time.Now().Add(-*backfill)}
	if *events > 0 {
		if _, err := emu.Generate(*seed, *events, gopts); err != nil {
			return err
		}
	}
	if err := emu.Start(*addr); err != nil {
		return err
	}
	fmt.Printf("auth0emu listening on %s (domain %s, %d events)\n", emu.URL(), *domain, emu.Len())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *maxRuntime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *maxRuntime)
		defer cancel()
	}
	if *live > 0 {
		go generateLive(ctx, emu, *seed+1, *live, *failures)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return emu.Shutdown(sctx)
}

// generateLive adds events at rate per second, dated now, with ids after
// every existing one (a new seed, a later second).
func generateLive(ctx context.Context, emu *auth0emu.Server, seed int64, rate, failures float64) {
	interval := time.Duration(float64(time.Second) / rate)
	t := time.NewTicker(max(interval, 10*time.Millisecond))
	defer t.Stop()
	per := max(1, int(rate*max(interval, 10*time.Millisecond).Seconds()))
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g := auth0gen.New(seed, auth0gen.Options{FailureRatio: failures, Start: time.Now()})
		seed++
		evs := make([]auth0gen.Event, per)
		for i := range evs {
			evs[i] = g.Next()
		}
		if err := emu.Add(evs...); err != nil {
			fmt.Fprintln(os.Stderr, "auth0emu: live events:", err)
			return
		}
	}
}
