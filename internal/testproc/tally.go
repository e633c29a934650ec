// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// UIDAttr is the attribute that carries Auth0's log_id on every LogRecord.
const UIDAttr = "log.record.uid"

// Tally counts the records per log_id in the files the sink writes, polled as they grow. It
// decodes only the attributes (encoding/json skips the bodies), since a load run's sink file
// grows to hundreds of megabytes. The suites that check whole records use ReadSink.
type Tally struct {
	tails []*SinkTail
	// Counts is the number of records per log_id; Records the number of records in all.
	Counts  map[string]int
	Records int
	// first is the poll in which a log_id first appeared, numbered from 1.
	first map[string]int
	polls int
}

// NewTally tallies the given sink files; AddFile adds more (a sink restarted on a file of
// its own).
func NewTally(paths ...string) *Tally {
	t := &Tally{Counts: map[string]int{}, first: map[string]int{}}
	for _, p := range paths {
		t.AddFile(p)
	}
	return t
}

// AddFile tallies one more sink file.
func (t *Tally) AddFile(path string) { t.tails = append(t.tails, &SinkTail{Path: path}) }

// Only the fields a tally reads of an OTLP JSON export request.
type otlpAttributes struct {
	ResourceLogs []struct {
		ScopeLogs []struct {
			LogRecords []struct {
				Attributes []struct {
					Key   string `json:"key"`
					Value struct {
						StringValue string `json:"stringValue"`
					} `json:"value"`
				} `json:"attributes"`
			} `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

// Poll reads the lines completed since the last poll and returns its number (1 for the
// first), which FirstPoll can be compared with.
func (t *Tally) Poll() (int, error) {
	t.polls++
	for _, tail := range t.tails {
		err := tail.PollLines(func(at int64, line []byte) error {
			var logs otlpAttributes
			if err := json.Unmarshal(line, &logs); err != nil {
				return fmt.Errorf("%s at offset %d: %w", tail.Path, at, err)
			}
			for _, rl := range logs.ResourceLogs {
				for _, sl := range rl.ScopeLogs {
					for _, lr := range sl.LogRecords {
						t.Records++
						for _, a := range lr.Attributes {
							if a.Key == UIDAttr {
								t.count(a.Value.StringValue)
								break
							}
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			return t.polls, err
		}
	}
	return t.polls, nil
}

func (t *Tally) count(id string) {
	if t.Counts[id] == 0 {
		t.first[id] = t.polls
	}
	t.Counts[id]++
}

// FirstPoll is the poll that first saw id, 0 if none did.
func (t *Tally) FirstPoll(id string) int { return t.first[id] }

// Missing lists the ids that have not reached the sink.
func (t *Tally) Missing(ids []string) []string {
	var out []string
	for _, id := range ids {
		if t.Counts[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}

// Delivery counts how many of ids reached the sink, and the copies beyond the first of each.
func (t *Tally) Delivery(ids []string) (delivered, duplicates int) {
	for _, id := range ids {
		if n := t.Counts[id]; n > 0 {
			delivered++
			duplicates += n - 1
		}
	}
	return delivered, duplicates
}

// Duplicates counts the records beyond the first of each log_id, over all the sink wrote.
func (t *Tally) Duplicates() int {
	var uids int
	for _, n := range t.Counts {
		uids += n
	}
	return uids - len(t.Counts)
}

// WaitDelivered polls every interval until every id has reached the sink, and fails the test
// when timeout passes first, or when one of procs (the collectors and the sink the delivery
// depends on; nil ones are passed over) has exited.
func (t *Tally) WaitDelivered(tb testing.TB, ids []string, timeout time.Duration, procs ...*Process) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := t.Poll(); err != nil {
			tb.Fatal(err)
		}
		missing := t.Missing(ids)
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after %v, %d of %d events never reached the sink (e.g. %s)",
				timeout, len(missing), len(ids), strings.Join(missing[:min(5, len(missing))], ", "))
		}
		for _, p := range procs {
			if p != nil && p.Exited() {
				tb.Fatalf("%s exited while waiting for delivery: %s", p.Name, ExitDescription(p.WaitErr()))
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
}
