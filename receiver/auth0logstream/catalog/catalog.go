// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package catalog is the receiver's table of Auth0 log event type codes:
// what each code is called, and whether it records a failure, a warning, a
// success or plain information. The table is data (event-types.tsv,
// embedded); this package only reads it.
//
// It is exported so that tools around the receiver (load generators, test
// oracles) derive what they know of a code from this one table.
package catalog

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed event-types.tsv
var eventTypesTSV string

// Outcome classes of Auth0 event types.
const (
	OutcomeFailure = "failure"
	OutcomeWarning = "warning"
	OutcomeSuccess = "success"
	OutcomeInfo    = "info"
	// OutcomeUnknown is given to codes the table does not list.
	OutcomeUnknown = "unknown"
)

const (
	// EventNamePrefix starts every LogRecord EventName: auth0.<code>.
	EventNamePrefix = "auth0."
	// UnknownEventName is the EventName of a code that cannot be one.
	UnknownEventName = "auth0.unknown"
	maxCodeLen       = 64
)

// EventType is what the table knows of one type code.
type EventType struct {
	Code     string
	Name     string
	Outcome  string
	Category string // Auth0's stream filter category; empty for legacy codes
	// EventName is precomputed so that translation does not concatenate per event.
	EventName string
}

var table = mustParse(eventTypesTSV)

// Lookup returns the type of code, if the table lists it.
func Lookup(code string) (*EventType, bool) {
	et, ok := table[code]
	return et, ok
}

// All returns every listed type, ordered by code.
func All() []*EventType {
	all := make([]*EventType, 0, len(table))
	for _, et := range table {
		all = append(all, et)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Code < all[j].Code })
	return all
}

// ValidCode reports whether code may appear in an EventName. Anything else
// maps to UnknownEventName, so that hostile input cannot explode cardinality.
func ValidCode(code string) bool {
	if len(code) == 0 || len(code) > maxCodeLen {
		return false
	}
	for i := range len(code) {
		b := code[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '_' {
			return false
		}
	}
	return true
}

func mustParse(tsv string) map[string]*EventType {
	c, err := parse(tsv)
	if err != nil {
		panic(err)
	}
	return c
}

// parse reads the TSV with columns code, name, outcome, stream_category, status.
func parse(tsv string) (map[string]*EventType, error) {
	lines := strings.Split(strings.TrimSpace(tsv), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("event catalog is empty")
	}
	c := make(map[string]*EventType, len(lines)-1)
	for i, line := range lines[1:] {
		cols := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(cols) < 4 {
			return nil, fmt.Errorf("event catalog line %d: want at least 4 columns, got %d", i+2, len(cols))
		}
		et := &EventType{Code: cols[0], Name: cols[1], Outcome: cols[2], Category: cols[3]}
		switch et.Outcome {
		case OutcomeFailure, OutcomeWarning, OutcomeSuccess, OutcomeInfo:
		default:
			return nil, fmt.Errorf("event catalog line %d: unknown outcome %q", i+2, et.Outcome)
		}
		if !ValidCode(et.Code) {
			return nil, fmt.Errorf("event catalog line %d: invalid code %q", i+2, et.Code)
		}
		if _, dup := c[et.Code]; dup {
			return nil, fmt.Errorf("event catalog line %d: duplicate code %q", i+2, et.Code)
		}
		et.EventName = EventNamePrefix + et.Code
		c[et.Code] = et
	}
	return c, nil
}
