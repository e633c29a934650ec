// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"slices"
)

// Spread is the minimum, median and maximum of a measure over rounds.
type Spread struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

// SpreadOf summarizes values; the median of an even count is the mean of
// the middle two. It is the zero Spread for no values.
func SpreadOf(values []float64) Spread {
	if len(values) == 0 {
		return Spread{}
	}
	s := slices.Clone(values)
	slices.Sort(s)
	mid := len(s) / 2
	med := s[mid]
	if len(s)%2 == 0 {
		med = (s[mid-1] + s[mid]) / 2
	}
	return Spread{Min: s[0], Median: med, Max: s[len(s)-1]}
}

// Ratio is a/b, or 0 when b is 0 so that a missing baseline shows as 0
// rather than as Inf in the tables and JSON.
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
