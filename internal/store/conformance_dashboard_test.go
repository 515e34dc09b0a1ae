package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// dashboardObs is a notebook's CMK verdict with its owner and page detail,
// as scan.Record builds it.
func dashboardObs(name, owner string, st finding.Status, sev finding.Severity) history.Observation {
	o := observe(notebook(name, "us-east-1"), st)
	o.Severity, o.Owner = sev, owner
	o.Detail = &history.Detail{Name: name, Remediation: "use a CMK",
		Slots: []finding.Slot{{Name: "volume", KeyARN: "arn:aws:kms:us-east-1:" + acct + ":key/k1", Status: st}}}
	return o
}

// The dashboard's queries filter, page, count and group present findings
// alike on every backend, and keep owner and detail with the state.
func TestConformanceDashboardQueries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		var obs []history.Observation
		for i := range 12 {
			st, sev, owner := finding.Fail, finding.High, "risk"
			if i%3 == 0 {
				st, sev, owner = finding.Pass, finding.Medium, "ml"
			}
			obs = append(obs, dashboardObs(fmt.Sprintf("nb-%02d", i), owner, st, sev))
		}
		gone := dashboardObs("gone", "risk", finding.Fail, finding.Critical)
		first := save(t, s, record(t0, scope("us-east-1"), append(slices.Clone(obs), gone)...))
		second := save(t, s, record(t0.Add(24*time.Hour), scope("us-east-1"), obs...)) // gone is deleted

		if id, err := s.LatestRunID(ctx); err != nil || id != second {
			t.Errorf("latest run %d, %v; want %d", id, err, second)
		}
		high, risk := finding.High, "risk"
		f := store.FindingFilter{Status: finding.Fail, Severity: &high, Owner: &risk, Kind: "notebook-instance"}
		page1, total, err := s.FindingsPage(ctx, f, store.Page{Number: 1, Size: 5})
		if err != nil || total != 8 || len(page1) != 5 {
			t.Fatalf("page 1: %d rows of %d, %v; want 5 of 8", len(page1), total, err)
		}
		page2, _, err := s.FindingsPage(ctx, f, store.Page{Number: 2, Size: 5})
		if err != nil || len(page2) != 3 {
			t.Fatalf("page 2: %d rows, %v; want 3", len(page2), err)
		}
		if page1[4].Fingerprint >= page2[0].Fingerprint {
			t.Error("pages overlap or are out of order")
		}
		if r := page1[0]; r.Owner != "risk" || r.Detail.Remediation != "use a CMK" || len(r.Detail.Slots) != 1 || !r.Open() {
			t.Errorf("row %+v: owner, detail and open violation not kept", r)
		}
		if rows, total, _ := s.FindingsPage(ctx, f, store.Page{Number: 9, Size: 5}); len(rows) != 0 || total != 8 {
			t.Errorf("past the last page: %d rows of %d", len(rows), total)
		}
		// The deleted notebook is listed only on request, and still has its page.
		if _, total, _ := s.FindingsPage(ctx, store.FindingFilter{}, store.Page{Number: 1, Size: 50}); total != 12 {
			t.Errorf("present findings %d, want 12", total)
		}
		if _, total, _ := s.FindingsPage(ctx, store.FindingFilter{IncludeGone: true}, store.Page{Number: 1, Size: 50}); total != 13 {
			t.Errorf("with gone findings %d, want 13", total)
		}
		row, err := s.FindingByFingerprint(ctx, gone.Fingerprint())
		if err != nil || row.Gone.IsZero() || row.Detail.Name != "gone" || row.Owner != "risk" {
			t.Errorf("gone finding %+v, %v: want it gone with owner and detail kept", row, err)
		}
		if _, err := s.FindingByFingerprint(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown fingerprint: %v, want ErrNotFound", err)
		}
		eps, err := s.ViolationsOf(ctx, gone.Fingerprint())
		if err != nil || len(eps) != 1 || eps[0].OpenedRun != first || eps[0].ResolvedRun != second || eps[0].Resolution != history.ResolvedDeleted {
			t.Errorf("violations of the gone finding %+v, %v", eps, err)
		}

		bySev, err := s.OpenViolationCounts(ctx, "severity")
		if err != nil || !reflect.DeepEqual(bySev, []store.GroupCount{{Group: "high", Count: 8}}) {
			t.Errorf("open by severity %+v, %v", bySev, err)
		}
		byOwner, err := s.OpenViolationCounts(ctx, "owner")
		if err != nil || !reflect.DeepEqual(byOwner, []store.GroupCount{{Group: "risk", Count: 8}}) {
			t.Errorf("open by owner %+v, %v", byOwner, err)
		}
		if _, err := s.OpenViolationCounts(ctx, "tags; DROP TABLE runs"); !errors.Is(err, store.ErrBadGroup) {
			t.Errorf("unknown grouping: %v, want ErrBadGroup", err)
		}
		all, err := s.StatusCounts(ctx, "", true)
		want := []store.StatusCount{{Group: "all", Status: finding.Fail, Count: 8}, {Group: "all", Status: finding.Pass, Count: 4}}
		if err != nil || !reflect.DeepEqual(all, want) {
			t.Errorf("status counts %+v, %v; want %+v", all, err, want)
		}
		byKind, err := s.StatusCounts(ctx, "kind", true)
		if err != nil || len(byKind) != 2 || byKind[0].Group != "notebook-instance" {
			t.Errorf("status counts by kind %+v, %v", byKind, err)
		}

		fc, err := s.FindingFacets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fc.Owners, []string{"ml", "risk"}) || !reflect.DeepEqual(fc.Statuses, []string{"FAIL", "PASS"}) ||
			!reflect.DeepEqual(fc.Severities, []finding.Severity{finding.Medium, finding.High}) || !reflect.DeepEqual(fc.Regions, []string{"us-east-1"}) {
			t.Errorf("facets %+v", fc)
		}
		n := 0
		if err := s.EachFinding(ctx, store.FindingFilter{}, func(store.FindingRow) error { n++; return nil }); err != nil || n != 12 {
			t.Errorf("each finding walked %d, %v", n, err)
		}
		rows, total, err := s.RunRowsPage(ctx, store.Page{Number: 1, Size: 1})
		if err != nil || total != 2 || len(rows) != 1 || rows[0].Run.ID != second {
			t.Errorf("runs page %+v of %d, %v; want the latest of 2", rows, total, err)
		}
	})
}
