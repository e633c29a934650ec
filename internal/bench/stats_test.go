// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"testing"
)

func TestSpreadOf(t *testing.T) {
	cases := []struct {
		in   []float64
		want Spread
	}{
		{nil, Spread{}},
		{[]float64{5}, Spread{5, 5, 5}},
		{[]float64{9, 1, 4}, Spread{1, 4, 9}},
		{[]float64{8, 2, 6, 4}, Spread{2, 5, 8}},
	}
	for _, c := range cases {
		if got := SpreadOf(c.in); got != c.want {
			t.Errorf("SpreadOf(%v) = %+v, want %+v", c.in, got, c.want)
		}
	}
	in := []float64{3, 1, 2}
	SpreadOf(in)
	if in[0] != 3 {
		t.Fatal("SpreadOf sorted its argument")
	}
}

func TestRatio(t *testing.T) {
	if Ratio(3, 2) != 1.5 || Ratio(1, 0) != 0 {
		t.Fatal("Ratio")
	}
}
