package dashboard

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/sagekey/sagekey/internal/store"
)

// runsView is one page of the stored scans, newest first.
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
	runs, total, err := d.opts.Store.RunsPage(r.Context(), store.Page{Number: num, Size: d.opts.PageSize})
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	v := runsView{Pager: d.newPager("/runs", url.Values{}, num, d.opts.PageSize, total)}
	for _, run := range runs {
		v.Runs = append(v.Runs, newRunView(run))
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
