// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package fleet

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/auth0-otel/otelcol-auth0/internal/loadgen"
)

// compareThroughput sends the same load through the balancer with one replica behind it,
// then three, twice in turn so that drift on a shared machine (other jobs, page cache, the
// queue files growing) weighs on both. On a 2-core machine the load generator, nginx, the
// replicas and the sink share two cores, so three replicas cannot be three times one; the
// ratio is reported, not asserted.
func (f *fleet) compareThroughput(t *testing.T) []run {
	var runs []run
	var rate, usPerEvent, nginxUsPerEvent [2]float64
	for round := range throughputRounds {
		for i, n := range []int{1, replicas} {
			url := f.singleURL
			if n > 1 {
				url = f.fleetURL
			}
			name := fmt.Sprintf("round %d, %d replica(s)", round+1, n)
			r := f.drive(t, name, loadgen.Config{URL: url, Seed: int64(1 + 2*round + i), Duration: throughputDuration})
			f.checkClean(t, r)
			rate[i] += r.report.AckedPerSecond / throughputRounds
			usPerEvent[i] += r.collectorCPU * 1e6 / float64(r.report.EventsAcked) / throughputRounds
			nginxUsPerEvent[i] += r.nginxCPU * 1e6 / float64(r.report.EventsAcked) / throughputRounds
			runs = append(runs, r)
		}
	}
	t.Logf("throughput (acked events/s through nginx, %d senders, batches of %d, mean of %d rounds): "+
		"1 replica %.0f, %d replicas %.0f, ratio %.2f on a %d-core machine",
		concurrency, batchSize, throughputRounds, rate[0], replicas, rate[1], rate[1]/rate[0], runtime.NumCPU())
	// CPU time per event is the sizing figure: it does not depend on what else runs.
	t.Logf("cost (CPU time, so independent of other load on the machine; default event mix, %.0f%% forwarded): "+
		"collectors %.1f µs/event with 1 replica, %.1f with %d (%.0f and %.0f events/s per fully used core); "+
		"nginx %.1f and %.1f µs/event",
		100*forwardedShare(runs), usPerEvent[0], usPerEvent[1], replicas, 1e6/usPerEvent[0], 1e6/usPerEvent[1],
		nginxUsPerEvent[0], nginxUsPerEvent[1])

	return runs
}

func forwardedShare(runs []run) float64 {
	var acked, forwarded int
	for _, r := range runs {
		acked += len(r.acked)
		forwarded += len(r.forwarded)
	}
	return float64(forwarded) / float64(max(acked, 1))
}
