package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/store"
)

// keySet is every key the present findings name, as the report's key
// table joins them (verdicts, state, blast radius), for one stored run.
type keySet struct {
	Rows  []report.KeyRow
	index map[string]int // key ARN → row
}

func (d *Dashboard) keySet(ctx context.Context, run int64) (*keySet, error) {
	return d.cache.keys.get(ctx, cacheKey{run: run}, d.buildKeys)
}

// buildKeys walks the present findings once and keeps only those that
// name a key (kms-key.* verdicts and resources with a resolved key slot),
// so the join holds the estate's key uses, not every finding.
func (d *Dashboard) buildKeys(ctx context.Context) (*keySet, error) {
	var fs []finding.Finding
	err := d.opts.Store.EachFinding(ctx, store.FindingFilter{}, func(r store.FindingRow) error {
		if r.Kind == rules.KeyKind || usesKey(r.Detail.Slots) {
			fs = append(fs, toFinding(r))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ks := &keySet{Rows: report.KeyRows(fs), index: map[string]int{}}
	for i, k := range ks.Rows {
		ks.index[k.ARN] = i
	}
	return ks, nil
}

func usesKey(slots []finding.Slot) bool {
	for _, s := range slots {
		if strings.HasPrefix(s.KeyARN, "arn:") {
			return true
		}
	}
	return false
}

// toFinding rebuilds the finding a stored row describes, as the report's
// builders take it.
func toFinding(r store.FindingRow) finding.Finding {
	return finding.Finding{
		CheckID: r.CheckID, Status: r.Status, Severity: r.Severity, Message: r.Message,
		Resource: finding.Resource{ARN: r.ResourceARN, Kind: r.Kind, Name: r.Detail.Name, Account: r.Account, Region: r.Region, Tags: r.Tags},
		Slots:    r.Detail.Slots, Remediation: r.Detail.Remediation, Protects: r.Detail.Protects, Suppression: r.Detail.Suppression,
	}
}

// keysView is one page of the key table.
type keysView struct {
	Rows  []report.KeyRow
	Pager pager
}

func (d *Dashboard) keys(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	num, ok := pageNumber(r.URL.Query())
	if !ok {
		d.fail(w, r, http.StatusBadRequest, "The page number must be a positive integer.")
		return
	}
	run, err := d.opts.Store.LatestRunID(ctx)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	ks, err := d.keySet(ctx, run)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	size := d.opts.PageSize
	from := min((num-1)*size, len(ks.Rows))
	v := keysView{Rows: ks.Rows[from:min(from+size, len(ks.Rows))],
		Pager: d.newPager("/keys", url.Values{}, num, size, len(ks.Rows))}
	d.render(w, r, http.StatusOK, "keys", page{Title: "Keys", Nav: "keys", Data: v})
}

// maxProtectsShown caps the blast-radius list of one key page: a shared
// key can protect a whole estate, and its findings are a filter away.
const maxProtectsShown = 500

// keyView is one key's page.
type keyView struct {
	Key          report.KeyRow
	Checks       []findingRow
	ChecksTotal  int
	Protects     []protectRow
	ProtectsMore int
}

type protectRow struct {
	finding.Resource
	Href string // the resource's findings
}

func (d *Dashboard) key(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	arn := r.PathValue("arn")
	run, err := d.opts.Store.LatestRunID(ctx)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	ks, err := d.keySet(ctx, run)
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	i, ok := ks.index[arn]
	if !ok {
		d.fail(w, r, http.StatusNotFound, "No present finding names this key.")
		return
	}
	v := keyView{Key: ks.Rows[i]}
	checks, total, err := d.opts.Store.FindingsPage(ctx, store.FindingFilter{ResourceARN: arn}, store.Page{Number: 1, Size: d.opts.PageSize})
	if err != nil {
		d.failErr(w, r, err)
		return
	}
	v.Checks, v.ChecksTotal = d.findingRows(checks), total
	for j, p := range v.Key.Protects {
		if j == maxProtectsShown {
			v.ProtectsMore = len(v.Key.Protects) - j
			break
		}
		v.Protects = append(v.Protects, protectRow{Resource: p, Href: d.link("/findings", url.Values{"resource": {p.ARN}})})
	}
	d.render(w, r, http.StatusOK, "key", page{Title: "Key " + arn, Nav: "keys", Data: v})
}
