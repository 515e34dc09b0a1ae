package report

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/compliance"
)

// trendChart is the compliance trend as inline SVG geometry: numbers only,
// computed here, so the template draws it without any script and without
// any AWS-derived string.
type trendChart struct {
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
func newTrendChart(points []compliance.Point) *trendChart {
	if len(points) < 2 {
		return nil
	}
	c := &trendChart{Width: chartWidth, Height: chartHeight, Left: chartLeft, Bottom: chartHeight - chartBottom,
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
