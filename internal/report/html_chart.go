package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/sagekey/sagekey/internal/compliance"
)

// TrendChart is the compliance trend as inline SVG geometry: numbers only,
// computed here, so the template draws it without any script and without
// any AWS-derived string.
type TrendChart struct {
	Width, Height float64
	Left, Bottom  float64
	Lines         []string // polyline point lists; a scan with no verdicts breaks the line
	Dots          []chartDot
	Grid          []chartGrid
	First, Last   string
}

type chartDot struct {
	X, Y  float64
	Label string
}

type chartGrid struct {
	Y     float64
	Label string
}

const (
	chartWidth, chartHeight = 720.0, 220.0
	chartLeft, chartRight   = 48.0, 16.0
	chartTop, chartBottom   = 12.0, 28.0
)

// newTrendChart plots overall compliance after each stored scan, evenly
// spaced in scan order. It needs two scans to be a trend.
func newTrendChart(points []compliance.Point) *TrendChart {
	if len(points) < 2 {
		return nil
	}
	c := &TrendChart{Width: chartWidth, Height: chartHeight, Left: chartLeft, Bottom: chartHeight - chartBottom,
		First: points[0].At.UTC().Format("2006-01-02"), Last: points[len(points)-1].At.UTC().Format("2006-01-02")}
	plotW, plotH := chartWidth-chartLeft-chartRight, chartHeight-chartTop-chartBottom
	for _, pct := range []float64{0, 25, 50, 75, 100} {
		c.Grid = append(c.Grid, chartGrid{Y: chartTop + plotH*(1-pct/100), Label: fmt.Sprintf("%.0f%%", pct)})
	}
	var line []string
	for i, p := range points {
		if p.Tally.Percent == nil {
			c.Lines, line = appendLine(c.Lines, line), nil
			continue
		}
		x := chartLeft + plotW*float64(i)/float64(len(points)-1)
		y := chartTop + plotH*(1-*p.Tally.Percent/100)
		line = append(line, fmt.Sprintf("%.1f,%.1f", x, y))
		label := fmt.Sprintf("%s: %.2f%% compliant (%d pass, %d fail)", p.At.UTC().Format("2006-01-02 15:04"),
			*p.Tally.Percent, p.Tally.Pass, p.Tally.Fail)
		if p.Run != 0 {
			label = fmt.Sprintf("run %d, %s", p.Run, label)
		}
		c.Dots = append(c.Dots, chartDot{X: x, Y: y, Label: label})
	}
	c.Lines = appendLine(c.Lines, line)
	return c
}

func appendLine(lines, line []string) []string {
	if len(line) == 0 {
		return lines
	}
	return append(lines, strings.Join(line, " "))
}

// BarChart is one monthly CloudTrail KPI as inline SVG geometry, drawn like
// the trend chart: numbers and fixed labels only, no script. Each bar
// stacks the part that matters most (unauthorized denials, violations a
// guardrail blocked) under the rest.
type BarChart struct {
	Label         string // what the chart shows, for screen readers
	Width, Height float64
	Left, Bottom  float64
	Grid          []chartGrid
	Bars          []chartBar
	Legend        []chartLegend
}

// chartBar is one month.
type chartBar struct {
	Center   float64
	Label    string // the month, when there is room to print it
	Title    string // the month's figures, shown on hover
	Segments []barSegment
}

// barSegment is one stacked rectangle of a bar.
type barSegment struct {
	X, Y, Width, Height float64
	Fill                string
}

type chartLegend struct {
	X           float64
	Fill, Label string
}

// BarPoint is one month of a KPI: Part of Total is drawn in the part's
// colour at the bottom of the bar.
type BarPoint struct {
	Label, Title string
	Part, Total  int64
}

const (
	barTop       = 30.0 // room for the legend above the plot
	barMaxWidth  = 40.0
	barFill      = 0.6 // of each month's slot; the rest is the gap
	barGridSteps = 4
	barMaxLabels = 12 // month labels that fit under the plot
)

// BarSeries is what a KPI chart stacks and how it names the two parts.
type BarSeries struct {
	Label                string
	PartFill, RestFill   string
	PartLabel, RestLabel string
}

// newBarChart draws points evenly spaced, oldest first, against a scale
// that ends on a round number; nil without points.
func newBarChart(points []BarPoint, s BarSeries) *BarChart {
	if len(points) == 0 {
		return nil
	}
	var peak int64
	for _, p := range points {
		peak = max(peak, p.Total, p.Part)
	}
	step := niceStep((peak + barGridSteps - 1) / barGridSteps)
	top := float64(step * barGridSteps)
	bottom := chartHeight - chartBottom
	plotW, plotH := chartWidth-chartLeft-chartRight, bottom-barTop
	c := &BarChart{Label: s.Label, Width: chartWidth, Height: chartHeight, Left: chartLeft, Bottom: bottom,
		Legend: []chartLegend{{X: chartLeft, Fill: s.PartFill, Label: s.PartLabel},
			{X: chartLeft + chartWidth/3, Fill: s.RestFill, Label: s.RestLabel}}}
	for i := range barGridSteps + 1 {
		v := step * int64(i)
		c.Grid = append(c.Grid, chartGrid{Y: round1(bottom - plotH*float64(v)/top), Label: fmt.Sprint(v)})
	}
	slot := plotW / float64(len(points))
	width := min(slot*barFill, barMaxWidth)
	every := (len(points) + barMaxLabels - 1) / barMaxLabels
	for i, p := range points {
		total := max(p.Total, p.Part) // a part larger than its whole is a data error: never draw past the bar
		x := chartLeft + slot*float64(i) + (slot-width)/2
		b := chartBar{Center: round1(x + width/2), Title: p.Title}
		if i%every == 0 {
			b.Label = p.Label
		}
		partH, totalH := plotH*float64(p.Part)/top, plotH*float64(total)/top
		if partH > 0 {
			b.Segments = append(b.Segments, barSegment{X: round1(x), Y: round1(bottom - partH), Width: round1(width),
				Height: round1(partH), Fill: s.PartFill})
		}
		if totalH > partH {
			b.Segments = append(b.Segments, barSegment{X: round1(x), Y: round1(bottom - totalH), Width: round1(width),
				Height: round1(totalH - partH), Fill: s.RestFill})
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// niceStep is the smallest of 1, 2 and 5 times a power of ten that is at
// least v, so grid lines fall on numbers a reader can take in; at least 1.
func niceStep(v int64) int64 {
	for p := int64(1); p <= math.MaxInt64/10; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
	return v // beyond any count a trail holds
}

// round1 keeps coordinates to a tenth of a pixel: enough for a screen, and
// the page stays readable.
func round1(v float64) float64 { return math.Round(v*10) / 10 }
