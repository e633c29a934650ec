// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

import (
	"testing"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/catalog"
)

// Every generated event's outcome is the catalog's, so expectations built
// from Event.Outcome agree with what the receiver maps.
func TestOutcomesComeFromTheCatalog(t *testing.T) {
	g := New(7, Options{})
	seen := map[Outcome]bool{}
	for range 5000 {
		e := g.Next()
		et, ok := catalog.Lookup(e.Type)
		if !ok {
			t.Fatalf("generated type %s is not in the catalog", e.Type)
		}
		if string(e.Outcome) != et.Outcome {
			t.Fatalf("type %s: event says %s, catalog says %s", e.Type, e.Outcome, et.Outcome)
		}
		seen[e.Outcome] = true
	}
	for _, o := range []Outcome{Success, Info, Failure, Warning} {
		if !seen[o] {
			t.Errorf("5000 events held no %s event", o)
		}
	}
}
