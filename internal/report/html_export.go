package report

import (
	"html/template"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
)

// This file is what other HTML views (the sagekey serve dashboard) reuse of
// the report, so that both read alike and neither forks the other's markup
// or charts.

// HTMLTemplates returns a fresh copy of the report's parsed template set:
// the page "report" and the named parts it is composed of ("style",
// "kind-table", "trend-chart", "bars", "key-table" with its cells
// "key-arn" and "key-protects", "gap-table", "finding"). The caller may add its own pages and redefine
// a part (the dashboard redefines "key-arn" and "key-protects" to link keys
// and resources) without
// touching the report's own set. It copies a pristine set that is never
// executed, because html/template refuses to clone a set once it has run.
func HTMLTemplates() (*template.Template, error) { return htmlBase.Clone() }

// KeyRows is the key table: every key the findings name, with its health
// verdicts and blast radius, unhealthy keys first.
func KeyRows(fs []finding.Finding) []KeyRow { return keyRows(finding.NewList(fs)) }

// NewTrendChart draws overall compliance after each scan; nil under two
// points.
func NewTrendChart(points []compliance.Point) *TrendChart { return newTrendChart(points) }

// NewBarChart draws one stacked bar per point; nil without points.
func NewBarChart(points []BarPoint, s BarSeries) *BarChart { return newBarChart(points, s) }

// FindingView is f as the HTML report prints it, with what r knows of its
// history (failing since) and creator.
func (r *Report) FindingView(f finding.Finding) FindingView { return r.viewOf(f) }

// PercentText prints a compliance figure as the report does; n/a when
// nothing was judged.
func PercentText(p *float64) string { return percentText(p) }

// barPoint and barSeries are the names the chart tests use.
type (
	barPoint  = BarPoint
	barSeries = BarSeries
)
