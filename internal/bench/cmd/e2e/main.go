// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Command e2e is the end-to-end benchmark behind `make bench-e2e`. It runs
// the built collector as a real process on 127.0.0.1, drives its
// auth0logstream receiver and the stock otlp receiver (JSON and protobuf)
// with the same prepared events, and prints tables of throughput, latency,
// CPU and memory with the ratios between receivers. It writes the results
// as JSON and draws two charts.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	collector, config, out, logDir string
	seed                           int64
	pool, batch, concurrency       int
	rounds, roundEvents            int
	roundTime                      time.Duration
	scaling                        []int
	scaleEvents                    int
	scaleTime                      time.Duration
	bigMB                          int
	halfTime                       time.Duration
	profile                        time.Duration
	timeout                        time.Duration
	replot                         bool
}

func parseFlags() options {
	var o options
	var scaling string
	flag.StringVar(&o.collector, "collector", "../../_build/otelcol-auth0", "the built collector (make build)")
	flag.StringVar(&o.config, "config", "collector.yaml", "the bench collector config")
	flag.StringVar(&o.out, "out", "../../docs/bench", "directory for results.json and the charts")
	flag.StringVar(&o.logDir, "logdir", "", "directory for collector logs (default: a temporary one)")
	flag.Int64Var(&o.seed, "seed", 42, "event generator seed")
	flag.IntVar(&o.pool, "pool", 20000, "distinct events prepared and cycled through")
	flag.IntVar(&o.batch, "batch", 100, "events per request in the rounds")
	flag.IntVar(&o.concurrency, "concurrency", 4, "requests in flight")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds; each round runs every receiver once, in turn")
	flag.IntVar(&o.roundEvents, "round-events", 60000, "events per receiver per round")
	flag.DurationVar(&o.roundTime, "round-time", 20*time.Second, "time bound per receiver per round")
	flag.StringVar(&scaling, "scaling", "1,10,100,1000,10000", "batch sizes of the scaling table")
	flag.IntVar(&o.scaleEvents, "scale-events", 40000, "events per receiver per batch size")
	flag.DurationVar(&o.scaleTime, "scale-time", 5*time.Second, "time bound per receiver per batch size")
	flag.IntVar(&o.bigMB, "big-mb", 50, "size of the single large JSON Lines body, MB (0 skips)")
	flag.DurationVar(&o.halfTime, "half-time", 8*time.Second, "duration of each half-throughput latency run")
	flag.DurationVar(&o.profile, "profile", 0, "if set, also take a CPU profile of the collector for this long under auth0logstream load")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "bound on the whole run")
	flag.BoolVar(&o.replot, "replot", false, "run nothing: print the tables and redraw the charts from -out/results.json")
	flag.Parse()
	for f := range strings.SplitSeq(scaling, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			log.Fatalf("-scaling: bad batch size %q", f)
		}
		o.scaling = append(o.scaling, n)
	}
	if o.batch > o.pool || o.rounds < 1 || o.concurrency < 1 {
		log.Fatal("need -batch <= -pool, -rounds >= 1, -concurrency >= 1")
	}
	return o
}

func main() {
	log.SetFlags(log.Ltime)
	if err := runWithSignals(parseFlags()); err != nil {
		log.Fatal(err)
	}
}

// runWithSignals bounds the run by -timeout and by SIGINT/SIGTERM, and returns its error so
// that the deferred cancels run before main exits.
func runWithSignals(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.replot {
		return replot(o.out)
	}
	return run(ctx, o)
}

func run(ctx context.Context, o options) error {
	var err error
	if o.collector, err = filepath.Abs(o.collector); err != nil {
		return err
	}
	if o.config, err = filepath.Abs(o.config); err != nil {
		return err
	}
	if _, err := os.Stat(o.collector); err != nil {
		return fmt.Errorf("collector binary: %w (run `make build`)", err)
	}
	if o.logDir == "" {
		if o.logDir, err = os.MkdirTemp("", "bench-e2e-"); err != nil {
			return err
		}
	}
	for _, dir := range []string{o.out, o.logDir} {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
	}
	began := time.Now()
	res := &results{Date: began.UTC().Format(time.RFC3339), Machine: machineInfo(), Settings: settingsOf(o)}
	res.LoadAvg.Start = loadAvg()
	log.Printf("machine: %d CPUs, %s; load average %s", res.Machine.CPUs, res.Machine.CPUModel, res.LoadAvg.Start)

	b := &bencher{o: o, res: res}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	if err := b.mainCollector(ctx); err != nil {
		return err
	}
	if err := b.peakMemory(ctx); err != nil {
		return err
	}
	if o.bigMB > 0 {
		if err := b.bigBody(ctx); err != nil {
			return err
		}
	}
	res.LoadAvg.End = loadAvg()
	res.ElapsedSeconds = time.Since(began).Seconds()
	res.summarize()

	res.print(os.Stdout)
	if err := res.write(o.out); err != nil {
		return err
	}
	log.Printf("done in %.0fs; results and charts in %s; collector logs in %s", res.ElapsedSeconds, o.out, o.logDir)
	return nil
}

func replot(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return err
	}
	var res results
	if err := json.Unmarshal(b, &res); err != nil {
		return err
	}
	res.summarize()
	res.print(os.Stdout)
	return res.write(dir)
}
