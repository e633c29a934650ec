// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package auth0gen generates realistic Auth0 tenant log events, as an Auth0
// Custom Webhook log stream delivers them, from a seed. The same seed and
// options always give the same events, and every event gets a log_id that is
// unique within the run and, because the seed is part of it, across seeds.
package auth0gen

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Default ratios of failure and warning events in the mix.
const (
	DefaultFailureRatio = 0.15
	DefaultWarningRatio = 0.02
)

// Options tunes the generated tenant. The zero value is a sensible default.
type Options struct {
	// FailureRatio is the share of events of outcome failure. Zero means
	// DefaultFailureRatio; a negative value means none.
	FailureRatio float64
	// WarningRatio is the share of warning events, with the same zero and
	// negative rules as FailureRatio.
	WarningRatio float64
	// Tenant is tenant_name and the start of the hostname; default "acme-prod".
	Tenant string
	// Environment is environment_name; default "prod-eu-1".
	Environment string
	// Start is the date of the first event; zero means a fixed instant so
	// output depends on the seed only. Later events follow it by 0-50 ms each.
	Start time.Time
	// Users is the size of the simulated user population; default 2000.
	Users int
}

// Event is one generated log event.
type Event struct {
	LogID   string
	Type    string
	Outcome Outcome
	// JSON is the whole envelope {"log_id":...,"data":{...}}, compact.
	JSON []byte
}

// Failure reports whether the catalog files the event's type as a failure.
func (e Event) Failure() bool { return e.Outcome == Failure }

// Generator produces events. It is not safe for concurrent use.
type Generator struct {
	r        *rand.Rand
	seedPart string
	seq      uint64
	now      time.Time
	opts     Options
	hostname string

	failRatio, warnRatio float64
	ok, fail, warn       picker

	users   []user
	clients []client
	conns   []connection

	lastSize int
}

var defaultStart = time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)

// New returns a generator for seed.
func New(seed int64, opts Options) *Generator {
	if opts.Tenant == "" {
		opts.Tenant = "acme-prod"
	}
	if opts.Environment == "" {
		opts.Environment = "prod-eu-1"
	}
	if opts.Start.IsZero() {
		opts.Start = defaultStart
	}
	if opts.Users <= 0 {
		opts.Users = 2000
	}
	// A fixed second PCG word keeps streams of nearby seeds unrelated.
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	g := &Generator{
		r:         r,
		seedPart:  string(appendPadded(nil, uint64(seed), 20)),
		now:       opts.Start.UTC(),
		opts:      opts,
		hostname:  opts.Tenant + ".eu.auth0.com",
		failRatio: ratio(opts.FailureRatio, DefaultFailureRatio),
		warnRatio: ratio(opts.WarningRatio, DefaultWarningRatio),
		ok:        newPicker(okTypes),
		fail:      newPicker(failTypes),
		warn:      newPicker(warnTypes),
		lastSize:  1536,
	}
	g.conns = buildConnections(r)
	g.clients = buildClients(r)
	g.users = buildUsers(r, opts.Users)
	return g
}

func ratio(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}

// Next returns the next event.
func (g *Generator) Next() Event {
	var spec *typeSpec
	switch u := g.r.Float64(); {
	case u < g.failRatio:
		spec = g.fail.pick(g.r.IntN(g.fail.total()))
	case u < g.failRatio+g.warnRatio:
		spec = g.warn.pick(g.r.IntN(g.warn.total()))
	default:
		spec = g.ok.pick(g.r.IntN(g.ok.total()))
	}
	g.now = g.now.Add(time.Duration(g.r.IntN(50_000)) * time.Microsecond)
	g.seq++
	id := g.logID()

	w := jw{b: make([]byte, 0, g.lastSize+256)}
	w.open('{')
	w.kstr("log_id", id)
	w.kopen("data", '{')
	g.writeData(&w, spec, id)
	w.close('}')
	w.close('}')
	g.lastSize = len(w.b)
	return Event{LogID: id, Type: spec.code, Outcome: spec.outcome(), JSON: w.b}
}

// logID mimics Auth0's 56-digit ids: "900", the event date to the second,
// the seed (20 digits) and a sequence number (19 digits). Seed and sequence
// alone make it unique; the date only makes it look right.
func (g *Generator) logID() string {
	b := make([]byte, 0, 56)
	b = append(b, "900"...)
	b = g.now.AppendFormat(b, "20060102150405")
	b = append(b, g.seedPart...)
	b = appendPadded(b, g.seq, 19)
	return string(b)
}

func appendPadded(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	digits := strconv.AppendUint(tmp[:0], v, 10)
	for range width - len(digits) {
		b = append(b, '0')
	}
	return append(b, digits...)
}
