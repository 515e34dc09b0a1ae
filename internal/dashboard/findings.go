package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/store"
)

// noOwner is the owner filter value that selects untagged findings.
const noOwner = "(none)"

// filterParams are the query parameters the findings list filters on, in
// the order the form shows them.
func filterParams() []string {
	return []string{"status", "severity", "kind", "account", "region", "owner", "check"}
}

// parseFilter reads the findings filter from a query. A malformed value is
// an error for a 400: a silently ignored filter would list findings the
// reader did not ask for as if they matched.
func parseFilter(q url.Values) (store.FindingFilter, error) {
	f := store.FindingFilter{Kind: q.Get("kind"), Account: q.Get("account"), Region: q.Get("region"),
		CheckID: q.Get("check"), ResourceARN: q.Get("resource")}
	if s := q.Get("status"); s != "" {
		st := finding.Status(s)
		if st.Rank() == 4 && st != finding.NotApplicable {
			return f, fmt.Errorf("unknown status %q", s)
		}
		f.Status = st
	}
	if s := q.Get("severity"); s != "" {
		sev, err := finding.ParseSeverity(s)
		if err != nil {
			return f, err
		}
		f.Severity = &sev
	}
	if q.Has("owner") && q.Get("owner") != "" {
		o := q.Get("owner")
		if o == noOwner {
			o = ""
		}
		f.Owner = &o
	}
	f.OpenOnly = q.Get("open") == "1"
	f.IncludeGone = q.Get("gone") == "1"
	return f, nil
}

// pageNumber is the page query parameter, 1 when absent.
func pageNumber(q url.Values) (int, bool) {
	s := q.Get("page")
	if s == "" {
		return 1, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1
}

// pager is the navigation under a list.
type pager struct {
	Number, Pages, Total int
	First, Last          int // rows shown, counted from 1
	Prev, Next           string
}

func (d *Dashboard) newPager(path string, q url.Values, num, size, total int) pager {
	p := pager{Number: num, Total: total, Pages: max((total+size-1)/size, 1)}
	if first := (num-1)*size + 1; first <= total {
		p.First, p.Last = first, min(num*size, total)
	}
	at := func(n int) string {
		q := cloneQuery(q)
		q.Set("page", strconv.Itoa(n))
		return d.link(path, q)
	}
	if num > 1 {
		p.Prev = at(min(num-1, p.Pages))
	}
	if num < p.Pages {
		p.Next = at(num + 1)
	}
	return p
}

// cloneQuery copies a query so a link can change one parameter.
func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// findingRow is one line of a findings table.
type findingRow struct {
	store.FindingRow
	Name      string
	Severity  string
	Href      string
	OpenSince string // the open violation's start and age
	Gone      string
}

func (d *Dashboard) findingRows(rows []store.FindingRow) []findingRow {
	now := d.opts.Now()
	out := make([]findingRow, 0, len(rows))
	for _, r := range rows {
		v := findingRow{FindingRow: r, Name: r.Detail.Name, Severity: r.Severity.String(),
			Href: d.opts.BasePath + "/findings/" + url.PathEscape(r.Fingerprint)}
		if v.Name == "" {
			v.Name = r.ResourceARN
		}
		if !r.OpenedAt.IsZero() {
			v.OpenSince = fmt.Sprintf("%s (%s)", r.OpenedAt.UTC().Format(time.DateOnly), age(now.Sub(r.OpenedAt)))
		}
		if !r.State.Gone.IsZero() {
			v.Gone = r.State.Gone.UTC().Format(time.DateOnly)
		}
		out = append(out, v)
	}
	return out
}

// age prints a duration in days, or hours under a day.
func age(d time.Duration) string {
	if d < 24*time.Hour {
		return fmt.Sprintf("%dh", max(int(d.Hours()), 0))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// facetSet are the filter form's choices for one stored run.
type facetSet struct {
	store.Facets
	SeverityNames []string
}

// selectField is one dropdown of the filter form.
type selectField struct {
	Name, Label, Value string
	Options            []string
}

// findingsView is the findings list page.
type findingsView struct {
	Fields      []selectField
	Resource    string
	Open, Gone  bool
	Rows        []findingRow
	Pager       pager
	ClearHref   string
	FilterCount int
}

func (d *Dashboard) findings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f, err := parseFilter(q)
	if err != nil {
		d.fail(w, r, http.StatusBadRequest, "Bad filter: "+err.Error())
		return
	}
	num, ok := pageNumber(q)
	if !ok {
		d.fail(w, r, http.StatusBadRequest, "The page number must be a positive integer.")
		return
	}
	run, err := d.opts.Store.LatestRunID(ctx)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	fc, err := d.cache.facets.get(ctx, cacheKey{run: run}, d.buildFacets)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	rows, total, err := d.opts.Store.FindingsPage(ctx, f, store.Page{Number: num, Size: d.opts.PageSize})
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	kept := url.Values{} // the filter without the page, for the pager's links
	for k, v := range q {
		if k != "page" && len(v) > 0 && v[0] != "" {
			kept[k] = v[:1]
		}
	}
	v := findingsView{Resource: f.ResourceARN, Open: f.OpenOnly, Gone: f.IncludeGone, Rows: d.findingRows(rows),
		Pager: d.newPager("/findings", kept, num, d.opts.PageSize, total), ClearHref: d.opts.BasePath + "/findings",
		FilterCount: len(kept)}
	options := map[string][]string{"status": fc.Statuses, "severity": fc.SeverityNames, "kind": fc.Kinds,
		"account": fc.Accounts, "region": fc.Regions, "owner": fc.Owners, "check": fc.Checks}
	labels := map[string]string{"status": "Status", "severity": "Severity", "kind": "Kind", "account": "Account",
		"region": "Region", "owner": "Owner (" + d.opts.OwnerTag + ")", "check": "Check"}
	for _, name := range filterParams() {
		v.Fields = append(v.Fields, selectField{Name: name, Label: labels[name], Value: q.Get(name), Options: options[name]})
	}
	d.render(w, r, http.StatusOK, "findings", page{Title: "Findings", Nav: "findings", Data: v})
}

func (d *Dashboard) buildFacets(ctx context.Context) (*facetSet, error) {
	fc, err := d.opts.Store.FindingFacets(ctx)
	if err != nil {
		return nil, err
	}
	s := &facetSet{Facets: fc}
	for i, o := range s.Owners {
		if o == "" {
			s.Owners[i] = noOwner
		}
	}
	// Worst first, as the list sorts.
	for _, sev := range slices.Backward(fc.Severities) {
		s.SeverityNames = append(s.SeverityNames, sev.String())
	}
	return s, nil
}
