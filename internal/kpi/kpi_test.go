package kpi

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/cost"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/term"
	"github.com/sagekey/sagekey/internal/testutil/golden"
	"github.com/sagekey/sagekey/internal/trail"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday

const acct = "111122223333"

// scans saves runs into a real SQLite store, so the KPIs are computed from
// exactly what SaveRun persists (no second copy of the lifecycle here).
type scans struct {
	t  *testing.T
	st *store.Store
}

func (s scans) add(at time.Time, sc history.Scope, snap store.Snapshot, obs ...history.Observation) {
	s.t.Helper()
	rec := store.RunRecord{Run: store.Run{Started: at, Finished: at.Add(time.Minute), Scope: sc, Counts: map[finding.Status]int{}},
		Observations: obs, Snapshot: snap}
	if _, err := s.st.SaveRun(context.Background(), rec); err != nil {
		s.t.Fatal(err)
	}
}

func nb(name string) history.Subject {
	return history.Subject{CheckID: "notebook-instance.cmk", Kind: "notebook-instance", Account: acct, Region: "us-east-1",
		ResourceARN: "arn:aws:sagemaker:us-east-1:" + acct + ":notebook-instance/" + name}
}

func ob(s history.Subject, st finding.Status, sev finding.Severity, team string) history.Observation {
	return history.Observation{Subject: s, Status: st, Severity: sev, Tags: map[string]string{"team": team}}
}

func east() history.Scope {
	return history.Scope{Accounts: []string{acct}, Regions: []string{"us-east-1"},
		Checks:   []string{"notebook-instance.cmk", "kms-key.rotation"},
		Complete: []history.Coverage{{Account: acct, Region: "us-east-1", Kinds: []string{"kms-key", "notebook-instance"}}}}
}

// snapshot has two notebooks using one untagged key; their cost-center tags
// decide who pays for it.
func snapshot() store.Snapshot {
	keyARN := "arn:aws:kms:us-east-1:" + acct + ":key/k1"
	res := func(name, center string) inventory.Resource {
		return inventory.Resource{Kind: "notebook-instance", ARN: "arn:" + name, Account: acct, Region: "us-east-1",
			Tags: map[string]string{"cost-center": center}, Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: "alias/ml"}}}
	}
	return store.Snapshot{
		Inventory: inventory.Inventory{Resources: []inventory.Resource{res("a", "cc-risk"), res("b", "cc-fraud")}},
		Keys: []keys.Key{{ARN: keyARN, Account: acct, Region: "us-east-1", Manager: keys.ManagerCustomer, State: keys.StateEnabled,
			CreatedAt: t0.AddDate(-1, 0, -1), Rotation: keys.Rotation{Enabled: true, PeriodDays: 365}}},
		KeyRefs: map[string]string{keys.ParseRef("alias/ml", acct, "us-east-1").Canonical(): keyARN},
	}
}

// history10Days stores four scans: day 0 three notebooks fail and one passes; day 1 one is fixed; day
// 8 (next week) one more is fixed and a new one fails; day 9 the fixed one
// regresses.
func history10Days(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, b, c, d, e := nb("a"), nb("b"), nb("c"), nb("d"), nb("e")
	m := scans{t: t, st: st}
	m.add(t0, east(), snapshot(), ob(a, finding.Fail, finding.High, "risk"), ob(b, finding.Fail, finding.Critical, "risk"),
		ob(c, finding.Fail, finding.High, "fraud"), ob(d, finding.Pass, finding.High, "fraud"))
	m.add(t0.Add(24*time.Hour), east(), snapshot(), ob(a, finding.Pass, finding.High, "risk"), ob(b, finding.Fail, finding.Critical, "risk"),
		ob(c, finding.Fail, finding.High, "fraud"), ob(d, finding.Pass, finding.High, "fraud"))
	m.add(t0.Add(8*24*time.Hour), east(), snapshot(), ob(a, finding.Pass, finding.High, "risk"), ob(b, finding.Pass, finding.Critical, "risk"),
		ob(c, finding.Error, finding.High, "fraud"), ob(d, finding.Pass, finding.High, "fraud"), ob(e, finding.Fail, finding.Medium, "fraud"))
	m.add(t0.Add(9*24*time.Hour), east(), snapshot(), ob(a, finding.Fail, finding.High, "risk"), ob(b, finding.Pass, finding.Critical, "risk"),
		ob(c, finding.Muted, finding.High, "fraud"), ob(d, finding.Pass, finding.High, "fraud"), ob(e, finding.Fail, finding.Medium, "fraud"))
	return st
}

// scansOnly is a real store whose CloudTrail side is empty: these tests are
// about the scan history, and the trail KPIs are tested in trail_test.go
// against fakes of the trail store's contract.
type scansOnly struct{ *store.Store }

func (scansOnly) Trail(context.Context, trail.Filter) (*trail.Aggregates, error) {
	return &trail.Aggregates{}, nil
}

func (scansOnly) TrailCoverage(context.Context, trail.Filter) ([]trail.Coverage, error) {
	return nil, nil
}

func compute(t *testing.T, o Options) *Report {
	t.Helper()
	rep, err := Compute(context.Background(), scansOnly{history10Days(t)}, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestComplianceAsOfWindowEnd(t *testing.T) {
	tests := []struct {
		name                  string
		to                    time.Time
		pass, fail, err, mute int
	}{
		{"after day 0", t0.Add(time.Hour), 1, 3, 0, 0},
		{"after day 1", t0.Add(25 * time.Hour), 2, 2, 0, 0},
		{"after day 8: ERROR apart", t0.Add(8*24*time.Hour + time.Hour), 3, 1, 1, 0},
		{"after day 9: MUTED apart", t0.Add(9*24*time.Hour + time.Hour), 2, 2, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compute(t, Options{From: t0.Add(-time.Hour), To: tt.to}).Compliance.Overall
			if c.Pass != tt.pass || c.Fail != tt.fail || c.Error != tt.err || c.Muted != tt.mute {
				t.Errorf("tally %+v, want pass %d fail %d error %d muted %d", c, tt.pass, tt.fail, tt.err, tt.mute)
			}
			if want := compliance.Round(100 * float64(tt.pass) / float64(tt.pass+tt.fail)); c.Percent == nil || *c.Percent != want {
				t.Errorf("percent %v, want %v", c.Percent, want)
			}
		})
	}
}

func TestMTTRAndNewViolations(t *testing.T) {
	rep := compute(t, Options{From: t0.Add(-time.Hour), To: t0.Add(10 * 24 * time.Hour)})
	// a fixed after 24h, b after 192h; c muted (apart); a reopened, e open.
	if rep.MTTR.Resolved != 2 || rep.MTTR.Muted != 1 || *rep.MTTR.MeanHours != 108 || *rep.MTTR.MedianHours != 108 {
		t.Errorf("MTTR %+v (mean %v median %v)", rep.MTTR, *rep.MTTR.MeanHours, *rep.MTTR.MedianHours)
	}
	if rep.Open.Count != 2 {
		t.Errorf("open %+v, want a (reopened) and e", rep.Open)
	}
	if len(rep.NewViolations) != 2 || rep.NewViolations[0].New != 3 || rep.NewViolations[1].New != 1 || rep.NewViolations[1].Reopened != 1 {
		t.Errorf("new per week %+v, want W45: 3 new, W46: 1 new + 1 reopened", rep.NewViolations)
	}
	// The window decides what counts: only b's fix falls in week 46.
	later := compute(t, Options{From: t0.Add(7 * 24 * time.Hour), To: t0.Add(10 * 24 * time.Hour)})
	if later.MTTR.Resolved != 1 || *later.MTTR.MeanHours != 192 {
		t.Errorf("week-46 MTTR %+v", later.MTTR)
	}
}

func TestGroupingAndDailyTrend(t *testing.T) {
	rep := compute(t, Options{From: t0.Add(-time.Hour), To: t0.Add(10 * 24 * time.Hour), By: "tag:team", Trend: TrendDay})
	got := map[string][2]int{}
	for _, g := range rep.Compliance.Groups {
		got[g.Group] = [2]int{g.Pass, g.Fail}
	}
	if got["risk"] != [2]int{1, 1} || got["fraud"] != [2]int{1, 1} {
		t.Errorf("by team %v", got)
	}
	if len(rep.Compliance.Trend) != 4 || *rep.Compliance.Trend[0].Tally.Percent != 25 || *rep.Compliance.Trend[1].Tally.Percent != 50 {
		t.Errorf("daily trend %+v", rep.Compliance.Trend)
	}
}

func TestGoldenOutputs(t *testing.T) {
	rep := compute(t, Options{From: t0.Add(-time.Hour), To: t0.Add(10 * 24 * time.Hour), By: "tag:team"})
	for _, format := range []string{"table", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			w, err := Lookup(format, term.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w(&buf, rep); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "kpi."+format, buf.Bytes())
		})
	}
}

func TestKeyHygieneNeverGuessesRotation(t *testing.T) {
	k := func(arn string, rot keys.Rotation) cost.KeyUse {
		return cost.KeyUse{Key: keys.Key{ARN: arn, Manager: keys.ManagerCustomer, State: keys.StateEnabled, Rotation: rot}}
	}
	h := hygiene([]cost.KeyUse{
		k("arn:off", keys.Rotation{}),
		k("arn:on", keys.Rotation{Enabled: true}),
		k("arn:denied", keys.Rotation{Error: "access denied"}),
		k("arn:imported", keys.Rotation{NotApplicable: "imported key material"}),
		{Key: keys.Key{ARN: "arn:gone", NotFound: true}},
	})
	if h.CustomerManaged != 4 || h.Unknown != 1 {
		t.Errorf("counts %+v", h)
	}
	if len(h.WithoutRotation) != 1 || h.WithoutRotation[0] != "arn:off" || len(h.RotationUnknown) != 1 || h.RotationUnknown[0] != "arn:denied" {
		t.Errorf("without rotation %v, rotation unknown %v; want [arn:off] and [arn:denied]", h.WithoutRotation, h.RotationUnknown)
	}
}
