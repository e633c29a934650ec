// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TestAuth0DateFastPath checks the fast date parser against time.Parse.
func TestAuth0DateFastPath(t *testing.T) {
	for _, s := range []string{
		"2024-01-15T10:30:00.123Z", "1999-12-31T23:59:59.999Z", "2024-02-29T00:00:00.000Z",
		"2023-02-29T00:00:00.000Z", "2024-13-01T00:00:00.000Z", "2024-01-15T24:00:00.000Z",
		"2024-01-15T10:30:00.12Z", "2024-01-15 10:30:00.123Z", "2024-01-15T10:30:00.1a3Z",
		"2024-01-15T10:30:00.123+01:00", "2024-01-15T10:30:00Z", "",
	} {
		want, err := time.Parse(time.RFC3339Nano, s)
		got, ok := parseDate(pcommon.NewValueStr(s))
		if (err == nil) != ok {
			t.Errorf("%q: ok=%v, time.Parse err=%v", s, ok, err)
			continue
		}
		if ok && got != pcommon.NewTimestampFromTime(want) {
			t.Errorf("%q: got %v, want %v", s, got.AsTime(), want)
		}
		if fast, fastOK := parseAuth0Date(s); fastOK && fast != got {
			t.Errorf("%q: fast path %v disagrees with %v", s, fast.AsTime(), got.AsTime())
		}
	}
}
