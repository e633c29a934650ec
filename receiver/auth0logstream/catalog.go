package auth0logstream

import (
	_ "embed"
	"fmt"
	"strings"
)

// event-types.tsv is a copy of the project's reference table of Auth0 type
// codes; catalog_test.go checks that the copy matches the reference.
//
//go:embed event-types.tsv
var eventTypesTSV string

// Outcome classes of Auth0 event types.
const (
	outcomeFailure = "failure"
	outcomeWarning = "warning"
	outcomeSuccess = "success"
	outcomeInfo    = "info"
	outcomeUnknown = "unknown"
)

// eventType is what the catalog knows of one Auth0 type code.
type eventType struct {
	code     string
	name     string
	outcome  string
	category string // Auth0 stream filter category; empty for legacy codes
	// eventName is precomputed so that translation does not concatenate per event.
	eventName string
}

// catalog maps an Auth0 type code to its description.
var catalog = mustParseCatalog(eventTypesTSV)

func lookupEventType(code string) (*eventType, bool) {
	et, ok := catalog[code]
	return et, ok
}

func mustParseCatalog(tsv string) map[string]*eventType {
	c, err := parseCatalog(tsv)
	if err != nil {
		panic(err)
	}
	return c
}

// parseCatalog reads the TSV with columns code, name, outcome, stream_category, status.
func parseCatalog(tsv string) (map[string]*eventType, error) {
	lines := strings.Split(strings.TrimSpace(tsv), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("event catalog is empty")
	}
	c := make(map[string]*eventType, len(lines)-1)
	for i, line := range lines[1:] {
		cols := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(cols) < 4 {
			return nil, fmt.Errorf("event catalog line %d: want at least 4 columns, got %d", i+2, len(cols))
		}
		et := &eventType{code: cols[0], name: cols[1], outcome: cols[2], category: cols[3]}
		switch et.outcome {
		case outcomeFailure, outcomeWarning, outcomeSuccess, outcomeInfo:
		default:
			return nil, fmt.Errorf("event catalog line %d: unknown outcome %q", i+2, et.outcome)
		}
		if !validTypeCode(et.code) {
			return nil, fmt.Errorf("event catalog line %d: invalid code %q", i+2, et.code)
		}
		if _, dup := c[et.code]; dup {
			return nil, fmt.Errorf("event catalog line %d: duplicate code %q", i+2, et.code)
		}
		et.eventName = eventNamePrefix + et.code
		c[et.code] = et
	}
	return c, nil
}

const (
	eventNamePrefix  = "auth0."
	unknownEventName = "auth0.unknown"
	maxTypeCodeLen   = 64
)

// validTypeCode reports whether code may appear in an EventName. Anything
// else maps to auth0.unknown so that hostile input cannot explode cardinality.
func validTypeCode(code string) bool {
	if len(code) == 0 || len(code) > maxTypeCodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		b := code[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '_' {
			return false
		}
	}
	return true
}
