// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateCorpus = flag.Bool("update", false, "rewrite the receiver's benchmark corpus")

// benchCorpus is the receiver's benchmark input: the receiver's module must
// not depend on this one, so it reads the generator's output from a file.
var benchCorpus = filepath.Join("..", "..", "receiver", "auth0logstream", "testdata", "bench", "events.jsonl")

// TestBenchCorpusIsCurrent keeps the corpus equal to what the generator
// makes from seed 42, so the receiver's benchmarks and the end-to-end ones
// measure the same mix. `go test ./internal/auth0gen -update` rewrites it.
func TestBenchCorpusIsCurrent(t *testing.T) {
	g := New(42, Options{})
	events := make([]Event, 1000)
	for i := range events {
		events[i] = g.Next()
	}
	want := append(Encode(JSONLines, events), '\n')
	if *updateCorpus {
		if err := os.WriteFile(benchCorpus, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(benchCorpus)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not the generator's seed-42 output: run go test ./internal/auth0gen -update", benchCorpus)
	}
}
