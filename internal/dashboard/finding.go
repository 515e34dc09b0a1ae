package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trail"
)

// findingView is one finding's page: the report's article for it, its
// lifecycle, and where it leads (its key page, its resource's findings).
type findingView struct {
	Article      report.FindingView
	Row          findingRow
	FirstSeen    string
	LastSeen     string
	LastRunHref  string
	Gone         string
	Episodes     []episodeRow
	Reopened     int
	ResourceHref string
	KeyHref      string // a kms-key.* finding's key page
	Detailless   bool   // stored before the dashboard's migration and not seen since
}

// episodeRow is one violation: when it opened and how it ended.
type episodeRow struct {
	Opened, OpenedRun     string
	Reopen                bool
	Resolved, ResolvedRun string
	Resolution            string
	Lasted                string
}

func (d *Dashboard) finding(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fp := r.PathValue("fingerprint")
	row, err := d.opts.Store.FindingByFingerprint(ctx, fp)
	if errors.Is(err, store.ErrNotFound) {
		d.fail(w, r, http.StatusNotFound, "No finding has this fingerprint.")
		return
	}
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	eps, err := d.opts.Store.ViolationsOf(ctx, fp)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	creators, err := d.opts.Store.TrailCreators(ctx, []string{row.ResourceARN})
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	now := d.opts.Now()
	f := toFinding(row)
	// The article is the report's, rendered as of now: failing since the
	// open violation began, and its creator when the trail knows it.
	rep := &report.Report{Started: now, Finished: now,
		History: map[string]report.FindingHistory{report.FindingID(f): {FirstSeen: row.FirstSeen, FailingSince: row.OpenedAt}}}
	if c, ok := creators[row.ResourceARN]; ok {
		rep.Trail = &report.TrailFacts{Creators: map[string]trail.Creator{strings.ToLower(row.ResourceARN): c}}
	}
	rows := d.findingRows([]store.FindingRow{row})
	v := findingView{Article: rep.FindingView(f), Row: rows[0],
		FirstSeen: stamp(row.FirstSeen), LastSeen: stamp(row.LastSeen), Reopened: row.Reopened,
		LastRunHref:  fmt.Sprintf("%s/runs#run-%d", d.opts.BasePath, row.LastRun),
		ResourceHref: d.link("/findings", url.Values{"resource": {row.ResourceARN}, "gone": {"1"}}),
		Detailless:   row.Detail.Name == "" && row.Detail.Slots == nil && row.Detail.Remediation == ""}
	if !row.Gone.IsZero() {
		v.Gone = stamp(row.Gone)
	}
	if row.Kind == rules.KeyKind {
		v.KeyHref = d.keyHref(row.ResourceARN)
	}
	for _, ep := range eps {
		v.Episodes = append(v.Episodes, newEpisodeRow(ep, now))
	}
	d.render(w, r, http.StatusOK, "finding", page{Title: row.CheckID + " " + v.Row.Name, Nav: "findings", Data: v})
}

func newEpisodeRow(ep history.Episode, now time.Time) episodeRow {
	e := episodeRow{Opened: stamp(ep.OpenedAt), OpenedRun: fmt.Sprint(ep.OpenedRun), Reopen: ep.Reopen}
	end := now
	if !ep.ResolvedAt.IsZero() {
		e.Resolved, e.ResolvedRun, e.Resolution = stamp(ep.ResolvedAt), fmt.Sprint(ep.ResolvedRun), string(ep.Resolution)
		end = ep.ResolvedAt
	}
	e.Lasted = age(end.Sub(ep.OpenedAt))
	return e
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// keyHref is a key's page; the ARN is one escaped path segment.
func (d *Dashboard) keyHref(arn string) string {
	return d.opts.BasePath + "/keys/" + url.PathEscape(arn)
}
