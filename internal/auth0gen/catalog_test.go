package auth0gen

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// The shared catalog lives outside the repository (beside it in CI), so the
// test looks in the usual places and skips when it is absent.
var catalogPaths = []string{
	"../../../shared/auth0/event-types.tsv",
	"../../../../shared/auth0/event-types.tsv",
	"/work/shared/auth0/event-types.tsv",
}

func TestOutcomesMatchSharedCatalog(t *testing.T) {
	var f *os.File
	for _, p := range catalogPaths {
		if fh, err := os.Open(p); err == nil {
			f = fh
			break
		}
	}
	if f == nil {
		t.Skip("event-types.tsv not found")
	}
	defer f.Close()
	outcomes := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 3 {
			outcomes[cols[0]] = cols[2]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, group := range [][]typeSpec{okTypes, failTypes, warnTypes} {
		for _, s := range group {
			if got, ok := outcomes[s.code]; !ok || got != string(s.outcome) {
				t.Errorf("type %s: generator says %s, catalog says %q", s.code, s.outcome, got)
			}
		}
	}
}
