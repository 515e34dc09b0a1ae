package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/store"
)

// runsView is one page of the stored runs, newest first: a sweep is one
// row.
type runsView struct {
	Runs  []*runView
	Pager pager
}

func (d *Dashboard) runs(w http.ResponseWriter, r *http.Request) {
	num, ok := pageNumber(r.URL.Query())
	if !ok {
		d.fail(w, r, http.StatusBadRequest, "The page number must be a positive integer.")
		return
	}
	rows, total, err := d.opts.Store.RunRowsPage(r.Context(), store.Page{Number: num, Size: d.opts.PageSize})
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	v := runsView{Pager: d.newPager("/runs", url.Values{}, num, d.opts.PageSize, total)}
	for _, row := range rows {
		v.Runs = append(v.Runs, newRowView(row))
	}
	d.render(w, r, http.StatusOK, "runs", page{Title: "Runs", Nav: "runs", Data: v})
}

// maxDeadLetters is how many dead letters the alerts page lists.
const maxDeadLetters = 200

// alertsView is the outbox per sink and the alerts that were given up on.
type alertsView struct {
	Sinks []store.OutboxStat
	Dead  []deadLetter
}

// deadLetter is what the page shows of one: where it was going, how often
// it was tried, why it failed, and the alert's kind and title. The payload
// is not shown whole; sinks' URLs and secrets are never stored.
type deadLetter struct {
	ID, Sink    string
	Attempts    int
	LastError   string
	Created     string
	Dead        string
	Kind, Title string
	Severity    string
}

func (d *Dashboard) alerts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	stats, err := d.opts.Store.OutboxStats(ctx)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	items, err := d.opts.Store.DeadLetters(ctx, maxDeadLetters)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	v := alertsView{Sinks: stats}
	for _, it := range items {
		var doc struct {
			Kind     string `json:"kind"`
			Title    string `json:"title"`
			Severity string `json:"severity"`
		}
		_ = json.Unmarshal(it.Payload, &doc) // a payload that is not an alert shows no kind or title
		v.Dead = append(v.Dead, deadLetter{ID: it.ID, Sink: it.Sink, Attempts: it.Attempts, LastError: it.LastError,
			Created: it.Created.UTC().Format(time.DateTime), Dead: it.Dead.UTC().Format(time.DateTime),
			Kind: doc.Kind, Title: doc.Title, Severity: doc.Severity})
	}
	d.render(w, r, http.StatusOK, "alerts", page{Title: "Alerts", Nav: "alerts", Data: v})
}

// newRowView is a row of the runs page: a run as newRunView shows it, or a
// whole sweep as one scan: from its first shard's start to its last
// shard's end, its findings and gaps summed over the latest run of each
// stored shard, and which shards are missing.
func newRowView(row store.RunRow) *runView {
	if row.Kind != store.KindSweep {
		return newRunView(row.Run)
	}
	sw := row.Sweep
	st := sw.Status
	v := &runView{Kind: string(store.KindSweep), Sweep: st.ID, RunIDs: row.IDs,
		Started: st.Started.UTC().Format(time.DateTime), Finished: st.Finished.UTC().Format(time.DateTime),
		Duration: st.Finished.Sub(st.Started).Round(time.Second).String(),
		Shards:   fmt.Sprintf("%d/%d", len(st.Stored), st.Count), Incomplete: !sw.Complete()}
	if len(row.IDs) > 0 {
		v.ID = row.IDs[0]
	}
	switch {
	case len(st.Missing) == 1:
		v.Missing = fmt.Sprintf("missing shard %d", st.Missing[0])
	case len(st.Missing) > 1:
		v.Missing = "missing shards " + joinInts(st.Missing)
	case st.Mismatched:
		v.Missing = "its shards disagree on the shard count"
	}
	var principals, users, versions, accounts, regions []string
	counts := map[finding.Status]int{}
	for _, r := range sw.Latest {
		principals, users, versions = append(principals, r.Principal), append(users, r.User), append(versions, r.ToolVersion)
		accounts, regions = append(accounts, r.Scope.Accounts...), append(regions, r.Scope.Regions...)
		for s, n := range r.Counts {
			counts[s] += n
		}
		v.Gaps += r.Gaps
		if v.Since == "" && !r.Scope.Since.IsZero() {
			v.Since = r.Scope.Since.UTC().Format(time.DateOnly)
		}
	}
	v.Principal, v.User, v.ToolVersion = distinct(principals, false), distinct(users, false), distinct(versions, false)
	v.Accounts, v.Regions = distinct(accounts, true), distinct(regions, true)
	for _, s := range []finding.Status{finding.Fail, finding.Error, finding.Muted, finding.Pass, finding.NotApplicable} {
		v.Counts = append(v.Counts, statusCount{string(s), counts[s]})
	}
	return v
}

// distinct joins the distinct values of l, in first-seen order or sorted.
func distinct(l []string, sorted bool) string {
	var out []string
	for _, s := range l {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if sorted {
		slices.Sort(out)
	}
	return strings.Join(out, ", ")
}

func joinInts(l []int) string {
	s := make([]string, len(l))
	for i, n := range l {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
