// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package fleet

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// crashRun sends paced load through the 3-replica balancer, kills one replica with SIGKILL,
// restarts it on the same queue directory and ports, and checks that nothing acknowledged
// was lost. Every event is a failure, so every acknowledged log_id is due at the sink.
func (f *fleet) crashRun(t *testing.T) run {
	victim := f.replicas[1]
	cfg := loadgen.Config{
		URL: f.fleetURL, Seed: 100, Duration: crashDuration, Rate: crashRate,
		Generator: auth0gen.Options{FailureRatio: 1},
	}
	type result struct {
		report loadgen.Report
		acked  []string
		err    error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), crashDuration+time.Minute)
	defer cancel()
	start := time.Now()
	go func() {
		rep, acked, err := runLoad(ctx, cfg)
		done <- result{rep, acked, err}
	}()

	time.Sleep(killAfter)
	inFlight, err := waitInFlight(victim.env.Receiver, 3*time.Second)
	if err != nil {
		t.Logf("crash run: cannot tell whether a request is in flight (%v); killing anyway", err)
	}
	// The crash under test: no shutdown hook runs, nothing is flushed. Kill returns the
	// "signal: killed" exit error; only a process still running is a failure.
	if err := victim.proc.Kill(); !victim.proc.Exited() {
		t.Fatalf("kill -9 %s: %v", victim.proc.Name, err)
	}
	killedAt := time.Now()
	t.Logf("crash run: kill -9 replica-%d at +%.1fs (request in flight: %v)",
		victim.index, killedAt.Sub(start).Seconds(), inFlight)
	time.Sleep(downFor)
	// Other replicas export within their 1 s batch flush; what the sink has not received by
	// now waits in the killed replica's queue directory.
	sinkAtRestart, err := f.sink.Poll()
	if err != nil {
		t.Fatal(err)
	}
	restartedAt := time.Now()
	f.start(t, victim, fmt.Sprintf("replica-%d-restarted", victim.index))
	f.waitReady(t, victim)
	t.Logf("crash run: replica-%d restarted on its queue directory at +%.1fs, ready at +%.1fs",
		victim.index, restartedAt.Sub(start).Seconds(), time.Since(start).Seconds())

	res := <-done
	if res.err != nil {
		t.Fatalf("crash run: load generator: %v", res.err)
	}
	r := f.account(t, "crash run", cfg, res.report, res.acked)
	if len(r.forwarded) != len(r.acked) {
		t.Fatalf("crash run: %d of %d acknowledged events are not failures; the run relies on all being forwarded",
			len(r.acked)-len(r.forwarded), len(r.acked))
	}
	// The victim's queue holds what it acknowledged but had not exported when it died; only
	// its restart sends that, so this wait covers it.
	f.waitDelivered(t, r)
	stranded := f.strandedInQueue(cfg, r, killedAt.Sub(start), sinkAtRestart)
	t.Logf("crash run: %d events acknowledged before the kill reached the sink only after replica-%d's "+
		"restart: they waited in its queue directory", stranded, victim.index)

	f.checkFailover(t, r, victim, start, killedAt, restartedAt)
	f.checkSinkContents(t)

	f.explainDuplicates(t, r, victim, stranded)
	return r
}

// explainDuplicates reports the crash run's counts and where its duplicates come from.
// Without failures the earlier runs had none (checkClean), so these are down to the crash.
func (f *fleet) explainDuplicates(t *testing.T, r run, victim *replica, stranded int) {
	delivered, extra := f.sink.Delivery(r.forwarded)
	t.Logf("crash run: sent %d, acknowledged %d, delivered %d (all acknowledged), duplicates %d",
		r.report.EventsSent, r.report.EventsAcked, delivered, extra)
	// Every duplicate is a copy the victim replayed from its queue after the restart while
	// another copy had already arrived: its replay minus the stranded events.
	if replayed, ok := f.replayed(t, victim); ok {
		t.Logf("crash run: replica-%d replayed %.0f events from its queue after the restart; %d of them "+
			"had no other copy at the sink, so %.0f duplicates expected from the replay", victim.index,
			replayed, stranded, replayed-float64(stranded))
	}
	fromRetries := min(extra, int(r.report.Retries)*batchSize)
	t.Logf("crash run: duplicates, and why a per-instance dedup window cannot catch them "+
		"(a backend deduplicating on log.record.uid catches both kinds):\n"+
		"  %d at most from retried batches (%d retries of %d events): a batch replica-%d had already "+
		"queued when it died unanswered; the sender got a 502 and retried, nginx sent the retry to "+
		"another replica, whose window has never seen those log_ids, and the restarted replica "+
		"exported its queued copy too. None when the killed request had not reached the queue yet;\n"+
		"  %d from the restart: batches replica-%d had exported but not yet marked done in its "+
		"queue at the kill are exported again (at-least-once); its window starts empty as well.",
		fromRetries, r.report.Retries, batchSize, victim.index, extra-fromRetries, victim.index)
}

// strandedInQueue counts the events sent before the kill (paced, so the generation order
// gives the send time), acknowledged, and first seen at the sink after the poll made when the
// replica restarted.
func (f *fleet) strandedInQueue(cfg loadgen.Config, r run, beforeKill time.Duration, sinkAtRestart int) int {
	acked := make(map[string]bool, len(r.acked))
	for _, id := range r.acked {
		acked[id] = true
	}
	gen := auth0gen.New(cfg.Seed, cfg.Generator)
	n := 0
	for range int(beforeKill.Seconds() * cfg.Rate) {
		id := gen.Next().LogID
		if acked[id] && f.sink.FirstPoll(id) > sinkAtRestart {
			n++
		}
	}
	return n
}

// replayed reads the restarted replica's own counters: what it exported beyond what it
// received since the restart came from its queue directory.
func (f *fleet) replayed(t *testing.T, victim *replica) (float64, bool) {
	sent, err := testproc.ScrapeCounter(t.Context(), victim.env.MetricsURL(), "otelcol_exporter_sent_log_records", "")
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := testproc.ScrapeCounter(t.Context(), victim.env.MetricsURL(), "otelcol_receiver_accepted_log_records", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) == 0 || len(accepted) == 0 {
		t.Logf("crash run: replica-%d's metrics lack the exporter or receiver counters; replay not measured", victim.index)
		return 0, false
	}
	return sent[""] - accepted[""], true
}

// checkFailover reads nginx's access log: while the victim was down, nginx found it refusing
// connections and passed those requests on to the other replicas, and after its restart the
// victim took requests again.
func (f *fleet) checkFailover(t *testing.T, r run, victim *replica, start, killedAt, restartedAt time.Time) {
	entries, err := readAccessLog(f.nginxDir + "/access.log")
	if err != nil {
		t.Fatal(err)
	}
	sec := func(tm time.Time) float64 { return float64(tm.UnixMicro()) / 1e6 }
	var passedOn, brokenInFlight, servedAfterRestart, unanswered int
	for _, e := range entries {
		if e.port != f.fleetPort || e.at < sec(start) {
			continue
		}
		if e.status != 200 {
			unanswered++
		}
		i := slices.Index(e.upstreams, victim.env.Receiver)
		switch {
		case i < 0:
		case i < len(e.upstreams)-1 && e.status == 200:
			passedOn++
		case i == len(e.upstreams)-1 && e.status == 502 && e.at >= sec(killedAt)-1:
			brokenInFlight++
		case i == len(e.upstreams)-1 && e.status == 200 && e.at > sec(restartedAt):
			servedAfterRestart++
		}
	}
	t.Logf("crash run (nginx): %d requests passed on from replica-%d to another replica and accepted, "+
		"%d answered 502 because replica-%d died with them in flight (the sender retried them), "+
		"%d non-200 answers in all, %d requests served by replica-%d after its restart",
		passedOn, victim.index, brokenInFlight, victim.index, unanswered, servedAfterRestart, victim.index)
	if passedOn == 0 {
		t.Errorf("nginx never passed a request on from the killed replica to another one")
	}
	if servedAfterRestart == 0 {
		t.Errorf("the restarted replica took no request before the load ended")
	}
	// Refusals the sender saw were retried and accepted: nothing was given up (checked in
	// account), so every non-200 answer was followed by an accepted retry.
	if int64(unanswered) > r.report.Retries {
		t.Errorf("nginx gave %d non-200 answers but the sender retried only %d times", unanswered, r.report.Retries)
	}
	if r.report.Retries == 0 {
		t.Logf("crash run: the sender never had to retry: no request was in flight on replica-%d "+
			"at the kill, so nginx absorbed every refusal by passing the request on", victim.index)
	}
}

// checkSinkContents: the sink holds only events this test sent, each with its log_id.
func (f *fleet) checkSinkContents(t *testing.T) {
	t.Helper()
	total := 0
	for id, n := range f.sink.Counts {
		total += n
		if _, ok := f.generated[id]; !ok {
			t.Errorf("sink has log.record.uid %q, which the test never sent", id)
			return
		}
	}
	if total != f.sink.Records {
		t.Errorf("sink has %d records, %d of them with a log.record.uid", f.sink.Records, total)
	}
}
