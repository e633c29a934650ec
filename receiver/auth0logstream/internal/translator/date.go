// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// parseDate reads Auth0's ISO 8601 date. Anything else leaves the timestamp
// unset: ObservedTimestamp still says when the event arrived.
func parseDate(v pcommon.Value) (pcommon.Timestamp, bool) {
	if v.Type() != pcommon.ValueTypeStr {
		return 0, false
	}
	if ts, ok := parseAuth0Date(v.Str()); ok {
		return ts, true
	}
	ts, err := time.Parse(time.RFC3339Nano, v.Str())
	if err != nil {
		return 0, false
	}
	return pcommon.NewTimestampFromTime(ts), true
}

// parseAuth0Date reads the one layout Auth0 uses, 2024-01-15T10:30:00.123Z,
// without time.Parse's generality; every other form takes the slow path.
func parseAuth0Date(s string) (pcommon.Timestamp, bool) {
	if len(s) != len("2006-01-02T15:04:05.000Z") || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
		s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' {
		return 0, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	milli, ok7 := digits(s[20:23])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) ||
		month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, milli*int(time.Millisecond), time.UTC)
	if t.Day() != day { // 2024-02-30 would roll over: let time.Parse reject it
		return 0, false
	}
	return pcommon.NewTimestampFromTime(t), true
}

func digits(s string) (int, bool) {
	n := 0
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
