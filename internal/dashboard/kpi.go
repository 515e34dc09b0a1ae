package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/sagekey/sagekey/internal/kpi"
	"github.com/sagekey/sagekey/internal/report"
)

// kpiWindows are the windows the KPI page offers, in days; the first is the
// default, as for sagekey kpi.
func kpiWindows() []int { return []int{30, 7, 90, 365} }

// kpiView is the KPI page: sagekey kpi's figures grouped by kind, with the
// report's charts.
type kpiView struct {
	*kpi.Report
	Days        int
	Windows     []windowLink
	Chart       *report.TrendChart
	NewChart    *report.BarChart
	AgeChart    *report.BarChart
	DenialChart *report.BarChart
}

type windowLink struct {
	Days    int
	Href    string
	Current bool
}

func (d *Dashboard) kpi(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	days := kpiWindows()[0]
	if s := r.URL.Query().Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || !slices.Contains(kpiWindows(), n) {
			d.fail(w, r, http.StatusBadRequest, fmt.Sprintf("The window must be one of %v days.", kpiWindows()))
			return
		}
		days = n
	}
	run, err := d.opts.Store.LatestRunID(ctx)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	// Cached per run and window: the CloudTrail figures in it refresh with
	// the next stored run, not with every sagekey trail.
	v, err := d.cache.kpi.get(ctx, cacheKey{run: run, param: strconv.Itoa(days)}, func(ctx context.Context) (*kpiView, error) {
		return d.buildKPI(ctx, days)
	})
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	d.render(w, r, http.StatusOK, "kpi", page{Title: "KPIs", Nav: "kpi", Data: v})
}

func (d *Dashboard) buildKPI(ctx context.Context, days int) (*kpiView, error) {
	to := d.opts.Now().UTC()
	rep, err := kpi.Compute(ctx, d.opts.Store, kpi.Options{From: to.Add(-time.Duration(days) * 24 * time.Hour), To: to, By: "kind"})
	if err != nil {
		return nil, err
	}
	v := &kpiView{Report: rep, Days: days, Chart: report.NewTrendChart(rep.Compliance.Trend)}
	for _, n := range kpiWindows() {
		v.Windows = append(v.Windows, windowLink{Days: n, Href: fmt.Sprintf("%s/kpi?days=%d", d.opts.BasePath, n), Current: n == days})
	}
	var weeks []report.BarPoint
	for _, wk := range rep.NewViolations {
		weeks = append(weeks, report.BarPoint{Label: wk.Week, Part: int64(wk.Reopened), Total: int64(wk.New + wk.Reopened),
			Title: fmt.Sprintf("%s: %d new violations, %d reopened", wk.Week, wk.New, wk.Reopened)})
	}
	v.NewChart = report.NewBarChart(weeks, report.BarSeries{Label: "Violations opened per week", PartFill: "#b42318",
		RestFill: "#fda29b", PartLabel: "reopened (came back after a fix)", RestLabel: "new"})
	var ages []report.BarPoint
	for _, b := range rep.Open.AgeBuckets {
		ages = append(ages, report.BarPoint{Label: b.Bucket, Total: int64(b.Count), Title: fmt.Sprintf("%s: %d open violations", b.Bucket, b.Count)})
	}
	v.AgeChart = report.NewBarChart(ages, report.BarSeries{Label: "Open violations by age", PartFill: "#b42318",
		RestFill: "#f79009", PartLabel: "", RestLabel: "open violations"})
	if rep.Denials != nil {
		var weeks []report.BarPoint
		for _, wk := range rep.Denials.ByWeek {
			weeks = append(weeks, report.BarPoint{Label: wk.Week, Part: wk.Unauthorized, Total: wk.Count,
				Title: fmt.Sprintf("%s: %d KMS access denials, %d unauthorized", wk.Week, wk.Count, wk.Unauthorized)})
		}
		v.DenialChart = report.NewBarChart(weeks, report.BarSeries{Label: "KMS access denials per week", PartFill: "#b42318",
			RestFill: "#fda29b", PartLabel: "unauthorized (not in the key policy)", RestLabel: "other denials"})
	}
	return v, nil
}
