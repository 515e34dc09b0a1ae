package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// The runs page's rows: a sweep is one row, paged as one; targeted runs
// are told apart; the latest scan is never a targeted run or an incomplete
// sweep.
func TestConformanceRunRows(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		if _, ok, err := s.LatestScanRow(ctx); err != nil || ok {
			t.Fatalf("LatestScanRow on an empty store: ok %v, %v", ok, err)
		}
		plain := save(t, s, record(t0, scope("us-east-1")))
		a0 := save(t, s, sweepRecord(t0.Add(time.Hour), "A", 0, 2, "us-east-1"))
		a1 := save(t, s, sweepRecord(t0.Add(time.Hour+time.Minute), "A", 1, 2, "eu-west-1"))
		a1again := save(t, s, sweepRecord(t0.Add(time.Hour+2*time.Minute), "A", 1, 2, "eu-west-1"))
		keysSc := history.Scope{Targeted: true, Sweep: "s", Checks: []string{"kms-key.state"}, Accounts: []string{acct},
			Complete: []history.Coverage{{Account: acct, Region: "us-east-1", Kinds: []string{"kms-key"}}}}
		keys := save(t, s, record(t0.Add(2*time.Hour), keysSc))
		b0 := save(t, s, sweepRecord(t0.Add(3*time.Hour), "B", 0, 3, "us-east-1"))
		evSc := history.Scope{Targeted: true, Checks: []string{"notebook-instance.cmk", "kms-key.state"}, Accounts: []string{acct},
			Resources: []string{notebook("nb-1", "us-east-1").ResourceARN}}
		ev := save(t, s, record(t0.Add(4*time.Hour), evSc, observe(notebook("nb-1", "us-east-1"), finding.Pass)))

		type row struct {
			kind store.RunKind
			ids  []int64
		}
		want := []row{{store.KindEventCheck, []int64{ev}}, {store.KindSweep, []int64{b0}}, {store.KindSweepKeys, []int64{keys}},
			{store.KindSweep, []int64{a0, a1, a1again}}, {store.KindScan, []int64{plain}}}
		var got []row
		for n := 1; n <= 3; n++ {
			rows, total, err := s.RunRowsPage(ctx, store.Page{Number: n, Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(want) {
				t.Errorf("page %d: total %d rows, want %d", n, total, len(want))
			}
			for _, r := range rows {
				got = append(got, row{r.Kind, r.IDs})
				if r.Kind == store.KindSweep && r.Sweep.Status.ID == "A" {
					if ids := runIDs(r.Sweep.Latest); !reflect.DeepEqual(ids, []int64{a0, a1again}) {
						t.Errorf("sweep A's latest runs %v, want %v", ids, []int64{a0, a1again})
					}
					if r.Sweep.Latest[1].Counts[finding.Fail] != 1 || r.Sweep.Latest[1].Scope.Regions[0] != "eu-west-1" {
						t.Errorf("sweep A's shard 1 is not read whole: %+v", r.Sweep.Latest[1])
					}
				}
				if r.Kind == store.KindSweep && r.Sweep.Status.ID == "B" && !reflect.DeepEqual(r.Sweep.Status.Missing, []int{1, 2}) {
					t.Errorf("sweep B misses %v, want [1 2]", r.Sweep.Status.Missing)
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("rows over three pages:\n got %v\nwant %v", got, want)
		}
		if rows, total, err := s.RunRowsPage(ctx, store.Page{Number: 9, Size: 2}); err != nil || len(rows) != 0 || total != len(want) {
			t.Errorf("a page past the end: %d rows of %d, %v", len(rows), total, err)
		}

		latest, ok, err := s.LatestScanRow(ctx)
		if err != nil || !ok || latest.Kind != store.KindSweep || latest.Sweep.Status.ID != "A" {
			t.Errorf("LatestScanRow = %v %+v, %v; want the complete sweep A", ok, latest, err)
		}
	})
}
