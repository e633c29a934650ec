// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Bar is one bar of the throughput chart: a median with its min-max range.
type Bar struct {
	Label string
	Value Spread
}

// minMaxBars gives YErrorBars the distance from each median down to the
// minimum and up to the maximum.
type minMaxBars []Bar

func (b minMaxBars) Len() int                    { return len(b) }
func (b minMaxBars) XY(i int) (float64, float64) { return float64(i), b[i].Value.Median }
func (b minMaxBars) YError(i int) (float64, float64) {
	return b[i].Value.Median - b[i].Value.Min, b[i].Value.Max - b[i].Value.Median
}

// labeled puts each median's figure above its range bar.
type labeled []Bar

func (b labeled) Len() int                    { return len(b) }
func (b labeled) XY(i int) (float64, float64) { return float64(i), b[i].Value.Max }
func (b labeled) Label(i int) string          { return fmt.Sprintf("%.0f", b[i].Value.Median) }

// ThroughputChart draws events/s per receiver and format, a bar for the
// median and a min-max range over rounds, into each of files (.png, .svg).
func ThroughputChart(title string, bars []Bar, files ...string) error {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "events/s (median, min-max over rounds)"
	p.Y.Min = 0
	values := make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	for i, b := range bars {
		values[i] = b.Value.Median
		names[i] = b.Label
	}
	bc, err := plotter.NewBarChart(values, vg.Points(40))
	if err != nil {
		return err
	}
	bc.Color = color.RGBA{R: 0x4c, G: 0x72, B: 0xb0, A: 0xff}
	bc.LineStyle.Width = 0
	eb, err := plotter.NewYErrorBars(minMaxBars(bars))
	if err != nil {
		return err
	}
	eb.LineStyle.Width = vg.Points(1.5)
	lb, err := plotter.NewLabels(labeled(bars))
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].XAlign = -0.5
		lb.TextStyle[i].YAlign = 0
	}
	lb.Offset = vg.Point{Y: vg.Points(4)}
	p.Add(bc, eb, lb, plotter.NewGrid())
	p.NominalX(names...)
	// Room above the tallest range for its label.
	for _, b := range bars {
		p.Y.Max = max(p.Y.Max, b.Value.Max*1.12)
	}
	return save(p, 7*vg.Inch, 4*vg.Inch, files)
}

// Series is one receiver's cost against batch size.
type Series struct {
	Label  string
	Points []Point
}

// Point is one (batch size, cost) pair.
type Point struct{ X, Y float64 }

// CostChart draws cost per event against batch size, one line per
// receiver, into each of files. The batch axis is logarithmic; the cost
// axis is linear from zero, so that a flat line reads as flat.
func CostChart(title, yLabel string, series []Series, files ...string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "events per request (batch size)"
	p.Y.Label.Text = yLabel
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min = 0
	// Bottom left stays empty: costs are highest at batch 1.
	p.Legend.Left, p.Legend.Top = true, false
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(8)
	var args []any
	for _, s := range series {
		xys := make(plotter.XYs, 0, len(s.Points))
		for _, pt := range s.Points {
			if pt.X > 0 { // a log scale cannot place zero
				xys = append(xys, plotter.XY{X: pt.X, Y: pt.Y})
			}
		}
		args = append(args, s.Label, xys)
	}
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return err
	}
	p.Add(plotter.NewGrid())
	return save(p, 7*vg.Inch, 4.5*vg.Inch, files)
}

func save(p *plot.Plot, w, h vg.Length, files []string) error {
	for _, f := range files {
		if err := p.Save(w, h, f); err != nil {
			return fmt.Errorf("save %s: %w", f, err)
		}
	}
	return nil
}
