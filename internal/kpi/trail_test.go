package kpi

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cost"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/term"
	"github.com/sagekey/sagekey/internal/testutil/golden"
	"github.com/sagekey/sagekey/internal/trail"
)

const (
	acctA, acctB = "111111111111", "222222222222"
	east1, west1 = "us-east-1", "eu-west-1"
	kRisk        = "arn:aws:kms:us-east-1:111111111111:key/risk"
	kFraud       = "arn:aws:kms:us-east-1:111111111111:key/fraud"
	kB           = "arn:aws:kms:eu-west-1:222222222222:key/aws-sagemaker"
	roleX        = "arn:aws:iam::111111111111:role/x"
	roleY        = "arn:aws:iam::111111111111:role/y"
	roleZ        = "arn:aws:iam::222222222222:role/z"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fakeSource is an in-memory Source: the scans, their snapshot, and the
// CloudTrail aggregates and coverage the trail store would hold. Trail and
// TrailCoverage return everything whatever the filter, so the tests show
// that kpi itself keeps to the window's covered cells.
type fakeSource struct {
	runs       []store.Run
	snap       store.Snapshot
	agg        *trail.Aggregates
	cov        []trail.Coverage
	filters    []trail.Filter
	trailReads int
}

func (f *fakeSource) Runs(context.Context) ([]store.Run, error) { return f.runs, nil }
func (f *fakeSource) Observations(context.Context, int64) ([]history.Observation, error) {
	return nil, nil
}
func (f *fakeSource) States(context.Context) ([]history.State, error)     { return nil, nil }
func (f *fakeSource) Episodes(context.Context) ([]history.Episode, error) { return nil, nil }
func (f *fakeSource) Snapshot(context.Context, int64) (store.Snapshot, error) {
	return f.snap, nil
}

func (f *fakeSource) Trail(_ context.Context, flt trail.Filter) (*trail.Aggregates, error) {
	f.filters = append(f.filters, flt)
	f.trailReads++
	return f.agg, nil
}

func (f *fakeSource) TrailCoverage(_ context.Context, flt trail.Filter) ([]trail.Coverage, error) {
	f.filters = append(f.filters, flt)
	return f.cov, nil
}

var _ Source = (*fakeSource)(nil)

// The fixture's window is April 1 to 8, 2026 (--to is the 9th at midnight).
var (
	winFrom = day("2026-04-01")
	winTo   = day("2026-04-09")
)

// trailFixture: account A's us-east-1 trail was read March 31 to April 7
// (the 8th is not read yet), account B's eu-west-1 trail April 5 and 6, and
// A's eu-west-1 never. The aggregates also hold counts on days and regions
// nobody covered, which must count nowhere.
func trailFixture() *fakeSource {
	var cov []trail.Coverage
	for d := day("2026-03-31"); !d.After(day("2026-04-07")); d = d.AddDate(0, 0, 1) {
		cov = append(cov, trail.Coverage{Source: "s3://org-trail/AWSLogs", Account: acctA, Region: east1, Day: d})
	}
	for _, d := range []string{"2026-04-05", "2026-04-06"} {
		cov = append(cov, trail.Coverage{Source: "lookup-events", Account: acctB, Region: west1, Day: day(d)})
	}
	den := func(d, account, region, key, principal, via, policy string, n int64) trail.Denial {
		return trail.Denial{Day: day(d), Account: account, Region: region, KeyARN: key, Principal: principal,
			Operation: "kms:Decrypt", Via: via, ErrorCode: "AccessDeniedException", Policy: policy, Count: n}
	}
	blk := func(d, account, region, action, typ, policy, guard string, n int64) trail.Blocked {
		return trail.Blocked{Day: day(d), Account: account, Region: region, Action: action, PolicyType: typ,
			PolicyARN: policy, Guardrail: guard, Principal: roleX, Count: n}
	}
	agg := &trail.Aggregates{
		Denials: []trail.Denial{
			den("2026-04-05", acctA, east1, kRisk, roleX, trail.ViaDirect, trail.PolicyUnnamed, 3), // a Sunday
			den("2026-04-06", acctA, east1, kRisk, roleY, trail.ViaSageMaker, trail.PolicyNamed, 2),
			den("2026-04-06", acctB, west1, kB, roleZ, trail.ViaDirect, trail.PolicyDelegated, 4),
			den("2026-04-07", acctA, east1, "alias/gone", roleX, trail.ViaDirect, trail.PolicyUnknown, 1),
			den("2026-04-08", acctA, east1, kFraud, roleX, trail.ViaDirect, trail.PolicyUnnamed, 100), // not read yet
			den("2026-03-31", acctA, east1, kFraud, roleX, trail.ViaDirect, trail.PolicyUnnamed, 50),  // before the window
			den("2026-04-06", acctA, west1, kRisk, roleX, trail.ViaDirect, trail.PolicyUnnamed, 7),    // region never read
		},
		Blocked: []trail.Blocked{
			blk("2026-04-02", acctA, east1, "sagemaker:CreateNotebookInstance", trail.PolicySCP,
				"arn:aws:organizations::999999999999:policy/o-1/service_control_policy/p-guard", trail.GuardrailYes, 2),
			blk("2026-04-06", acctB, west1, "sagemaker:CreateTrainingJob", trail.PolicyIdentity,
				"arn:aws:iam::222222222222:policy/deny-all", trail.GuardrailNo, 1),
			blk("2026-04-07", acctA, east1, "sagemaker:CreateProcessingJob", trail.PolicySCP, "", trail.GuardrailUnknown, 1),
			blk("2026-04-08", acctA, east1, "sagemaker:CreateProcessingJob", trail.PolicySCP, "", trail.GuardrailUnknown, 10),
			blk("2026-03-31", acctA, east1, "sagemaker:CreateProcessingJob", trail.PolicySCP, "", trail.GuardrailUnknown, 20),
		},
	}
	for d := day("2026-03-31"); !d.After(day("2026-04-08")); d = d.AddDate(0, 0, 1) {
		agg.Requests = append(agg.Requests, trail.RequestCount{Day: d, Account: acctA, Region: east1, KeyARN: kRisk,
			Operation: "kms:GenerateDataKey", Count: 100_000})
	}
	for _, d := range []string{"2026-04-05", "2026-04-06"} {
		agg.Requests = append(agg.Requests, trail.RequestCount{Day: day(d), Account: acctB, Region: west1, KeyARN: kB,
			Operation: "kms:Decrypt", Count: 1_000})
	}

	res := func(name, account, region, center, key string) inventory.Resource {
		tags := map[string]string{}
		if center != "" {
			tags["cost-center"] = center
		}
		return inventory.Resource{Kind: "notebook-instance", ARN: "arn:aws:sagemaker:" + region + ":" + account + ":notebook-instance/" + name,
			Account: account, Region: region, Tags: tags, Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: key}}}
	}
	key := func(arn, account, region string, m keys.Manager, tags map[string]string) keys.Key {
		return keys.Key{ARN: arn, Account: account, Region: region, Manager: m, State: keys.StateEnabled,
			CreatedAt: day("2026-01-01"), Tags: tags}
	}
	snap := store.Snapshot{
		Inventory: inventory.Inventory{Resources: []inventory.Resource{
			res("risk", acctA, east1, "cc-risk", kRisk), res("fraud", acctA, east1, "cc-fraud", kFraud), res("b", acctB, west1, "", kB)}},
		Keys: []keys.Key{
			key(kRisk, acctA, east1, keys.ManagerCustomer, map[string]string{"team": "risk", "cost-center": "cc-risk"}),
			key(kFraud, acctA, east1, keys.ManagerCustomer, map[string]string{"team": "fraud"}),
			key(kB, acctB, west1, keys.ManagerAWS, nil),
		},
		KeyRefs: map[string]string{},
	}
	for _, k := range snap.Keys {
		snap.KeyRefs[keys.ParseRef(k.ARN, k.Account, k.Region).Canonical()] = k.ARN
	}
	return &fakeSource{
		runs: []store.Run{{ID: 1, Started: winFrom.Add(time.Hour), Finished: winFrom.Add(2 * time.Hour),
			Scope: history.Scope{Accounts: []string{acctA, acctB}, Regions: []string{east1, west1}}}},
		snap: snap, agg: agg, cov: cov,
	}
}

// coveredIn is the test's own reading of the rule: a cell counts when its
// trail was read and its day lies in [first, last].
func coveredIn(cov []trail.Coverage, first, last time.Time) map[cell]bool {
	out := map[cell]bool{}
	for _, c := range cov {
		if !c.Day.Before(first) && !c.Day.After(last) {
			out[cell{c.Account, c.Region, c.Day}] = true
		}
	}
	return out
}

func computeTrail(t *testing.T, src Source, o Options) *Report {
	t.Helper()
	rep, err := Compute(context.Background(), src, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestTrailKPIsCountOnlyCoveredDaysOfTheWindow(t *testing.T) {
	src := trailFixture()
	rep := computeTrail(t, src, Options{From: winFrom, To: winTo})
	first, last := winFrom, winTo.AddDate(0, 0, -1)
	in := coveredIn(src.cov, first, last)

	var total, unauth int64
	for _, d := range src.agg.Denials {
		if in[cell{d.Account, d.Region, d.Day}] {
			total += d.Count
			if d.Policy == trail.PolicyUnnamed {
				unauth += d.Count
			}
		}
	}
	var blocked BlockedCounts
	for _, b := range src.agg.Blocked {
		if in[cell{b.Account, b.Region, b.Day}] {
			blocked.add(b)
		}
	}
	if rep.Denials == nil || rep.Denials.Total != total || rep.Denials.Unauthorized != unauth {
		t.Fatalf("denials %+v, want total %d unauthorized %d", rep.Denials, total, unauth)
	}
	if rep.Blocked == nil || rep.Blocked.BlockedCounts != blocked {
		t.Errorf("blocked %+v, want %+v", rep.Blocked, blocked)
	}

	days := map[time.Time]bool{}
	for c := range in {
		days[c.day] = true
	}
	sc := rep.Trail
	if sc.CoveredCells != len(in) || sc.CoveredDays != len(days) || sc.WindowDays != int(last.Sub(first).Hours()/24)+1 {
		t.Errorf("scope %+v, want %d cells on %d days", sc, len(in), len(days))
	}
	if sc.FirstDay == nil || *sc.FirstDay != "2026-04-01" || sc.LastDay == nil || *sc.LastDay != "2026-04-07" || sc.Reason != "" {
		t.Errorf("covered days %v to %v (reason %q), want 2026-04-01 to 2026-04-07", sc.FirstDay, sc.LastDay, sc.Reason)
	}
	if !slices.Equal(sc.Accounts, []string{acctA, acctB}) || !slices.Equal(sc.Regions, []string{west1, east1}) ||
		!slices.Equal(sc.Sources, []string{"lookup-events", "s3://org-trail/AWSLogs"}) {
		t.Errorf("scope accounts %v regions %v sources %v", sc.Accounts, sc.Regions, sc.Sources)
	}
	for _, p := range sc.Partitions {
		n := 0
		for c := range in {
			if c.account == p.Account && c.region == p.Region {
				n++
			}
		}
		if p.CoveredDays != n {
			t.Errorf("partition %+v, want %d days", p, n)
		}
	}
	for _, f := range src.filters {
		if !f.From.Equal(first) || !f.To.Equal(last) {
			t.Errorf("asked the store for %v to %v, want the window's days %v to %v", f.From, f.To, first, last)
		}
	}
}

func TestWindowDays(t *testing.T) {
	tests := []struct {
		name        string
		from, to    time.Time
		first, last time.Time
		ok          bool
	}{
		{"dates: --to at midnight ends the day before", day("2026-03-01"), day("2026-04-01"), day("2026-03-01"), day("2026-03-31"), true},
		{"times: a partly covered day counts", day("2026-03-01").Add(8 * time.Hour), day("2026-03-03").Add(9 * time.Hour),
			day("2026-03-01"), day("2026-03-03"), true},
		{"empty window", day("2026-03-01"), day("2026-03-01"), time.Time{}, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, last, ok := windowDays(tt.from, tt.to)
			if ok != tt.ok || !first.Equal(tt.first) || !last.Equal(tt.last) {
				t.Errorf("got %v..%v %v, want %v..%v %v", first, last, ok, tt.first, tt.last, tt.ok)
			}
		})
	}
}

func TestTrailKPIsAreNullWhenNoTrailCoversTheWindow(t *testing.T) {
	src := trailFixture()
	src.cov = slices.DeleteFunc(src.cov, func(c trail.Coverage) bool { return !c.Day.Before(winFrom) }) // only March 31
	rep := computeTrail(t, src, Options{From: winFrom, To: winTo})
	if rep.Denials != nil || rep.Blocked != nil || rep.Cost.Requests != nil {
		t.Errorf("denials %+v blocked %+v requests %+v, want all null", rep.Denials, rep.Blocked, rep.Cost.Requests)
	}
	if rep.Trail.Reason != NoTrailReason || rep.Trail.CoveredCells != 0 || rep.Trail.FirstDay != nil {
		t.Errorf("scope %+v, want no cells and the reason", rep.Trail)
	}
	if !strings.Contains(rep.Cost.Note, "request charges are not estimated") {
		t.Errorf("cost note %q", rep.Cost.Note)
	}
	if src.trailReads != 0 {
		t.Errorf("read the aggregates %d times though nothing is covered", src.trailReads)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kms_access_denials", "violations_blocked"} {
		if string(doc[k]) != "null" {
			t.Errorf("%s is %s, want null", k, doc[k])
		}
	}
}

func TestTrailKPIsAreZeroWhenCoveredWithoutEvents(t *testing.T) {
	src := trailFixture()
	src.agg = &trail.Aggregates{}
	rep := computeTrail(t, src, Options{From: winFrom, To: winTo})
	if rep.Denials == nil || rep.Denials.Total != 0 || rep.Blocked == nil || rep.Blocked.Total != 0 {
		t.Fatalf("denials %+v blocked %+v, want 0, not null", rep.Denials, rep.Blocked)
	}
	if rep.Denials.UnauthorizedShare != nil {
		t.Errorf("unauthorized share %v of no denials, want null", *rep.Denials.UnauthorizedShare)
	}
	if rep.Cost.Requests == nil || rep.Cost.Requests.MonthlyUSD != 0 || rep.Cost.Requests.ObservedRequests != 0 {
		t.Errorf("requests %+v, want a zero estimate", rep.Cost.Requests)
	}
	cells := 0
	for _, w := range rep.Denials.ByWeek {
		if w.Count != 0 {
			t.Errorf("week %+v has denials", w)
		}
		cells += w.CoveredCells
	}
	if cells != rep.Trail.CoveredCells || len(rep.Blocked.ByMonth) != 1 || rep.Blocked.ByMonth[0].CoveredCells != cells {
		t.Errorf("weeks hold %d cells, months %+v; want every covered cell (%d) listed with 0", cells, rep.Blocked.ByMonth, rep.Trail.CoveredCells)
	}
}

func TestUnauthorizedShare(t *testing.T) {
	tests := []struct {
		name   string
		counts map[string]int64 // policy relation → denials
	}{
		{"mixed", map[string]int64{trail.PolicyNamed: 2, trail.PolicyDelegated: 1, trail.PolicyUnnamed: 3}},
		{"unknown ones are apart, not authorized", map[string]int64{trail.PolicyUnnamed: 1, trail.PolicyUnknown: 5}},
		{"only unknown: null", map[string]int64{trail.PolicyUnknown: 4}},
		{"none: null", map[string]int64{}},
		{"a relation this version does not know counts as unknown", map[string]int64{"future": 2, trail.PolicyNamed: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cov := &coverage{cells: map[cell]bool{{acctA, east1, day("2026-04-06")}: true}}
			var ds []trail.Denial
			var judged, unnamed int64
			for rel, n := range tt.counts {
				ds = append(ds, trail.Denial{Day: day("2026-04-06"), Account: acctA, Region: east1, KeyARN: kRisk, Policy: rel, Count: n})
				switch rel {
				case trail.PolicyNamed, trail.PolicyDelegated:
					judged += n
				case trail.PolicyUnnamed:
					judged += n
					unnamed += n
				}
			}
			d := computeDenials(ds, cov, "", nil)
			if judged == 0 {
				if d.UnauthorizedShare != nil {
					t.Errorf("share %v, want null", *d.UnauthorizedShare)
				}
				return
			}
			if want := float64(unnamed) / float64(judged); d.UnauthorizedShare == nil || math.Abs(*d.UnauthorizedShare-want) > 1e-4 {
				t.Errorf("share %v, want %.4f", d.UnauthorizedShare, want)
			}
			var sum int64
			for _, n := range d.ByPolicyRelation {
				sum += n
			}
			if sum != d.Total || d.ByPolicyRelation[trail.PolicyUnnamed] != d.Unauthorized {
				t.Errorf("relations %v do not add up to %d / %d", d.ByPolicyRelation, d.Total, d.Unauthorized)
			}
		})
	}
}

// calendarFixture covers five days around two ISO-week edges: a Sunday and
// the Monday after it, and New Year 2027, which falls in 2026's week 53.
// Each day's denial count is a distinct power of two, so a sum shows which
// days it holds; the February cell has no events.
func calendarFixture() *fakeSource {
	days := []string{"2026-04-05", "2026-04-06", "2026-12-31", "2027-01-01", "2027-01-04"}
	src := &fakeSource{agg: &trail.Aggregates{}}
	for i, d := range days {
		src.cov = append(src.cov, trail.Coverage{Source: "file:logs", Account: acctA, Region: east1, Day: day(d)})
		src.agg.Denials = append(src.agg.Denials, trail.Denial{Day: day(d), Account: acctA, Region: east1, KeyARN: kRisk,
			Principal: roleX, Via: trail.ViaDirect, Policy: trail.PolicyUnnamed, Count: 1 << i})
	}
	src.cov = append(src.cov, trail.Coverage{Source: "file:logs", Account: acctA, Region: east1, Day: day("2027-02-15")})
	src.agg.Blocked = []trail.Blocked{
		{Day: day("2026-12-31"), Account: acctA, Region: east1, Action: "sagemaker:CreateNotebookInstance", Guardrail: trail.GuardrailYes, Count: 2},
		{Day: day("2027-01-01"), Account: acctA, Region: east1, Action: "sagemaker:CreateNotebookInstance", Guardrail: trail.GuardrailNo, Count: 3},
		{Day: day("2027-01-04"), Account: acctA, Region: east1, Action: "sagemaker:CreateNotebookInstance", Guardrail: trail.GuardrailUnknown, Count: 5},
	}
	return src
}

func TestDenialsPerISOWeek(t *testing.T) {
	src := calendarFixture()
	rep := computeTrail(t, src, Options{From: day("2026-04-01"), To: day("2027-03-01")})
	countOn := map[string]int64{}
	for _, d := range src.agg.Denials {
		countOn[d.Day.Format(time.DateOnly)] += d.Count
	}
	want := []struct {
		week, monday string
		days         []string
	}{
		{"2026-W14", "2026-03-30", []string{"2026-04-05"}}, // Sunday ends ISO week 14
		{"2026-W15", "2026-04-06", []string{"2026-04-06"}}, // Monday starts week 15
		{"2026-W53", "2026-12-28", []string{"2026-12-31", "2027-01-01"}},
		{"2027-W01", "2027-01-04", []string{"2027-01-04"}},
		{"2027-W07", "2027-02-15", nil}, // covered, no denials: 0
	}
	got := rep.Denials.ByWeek
	if len(got) != len(want) {
		t.Fatalf("weeks %+v, want %d", got, len(want))
	}
	for i, w := range want {
		var n int64
		for _, d := range w.days {
			n += countOn[d]
		}
		cells := max(len(w.days), 1)
		if got[i].Week != w.week || !got[i].Start.Equal(day(w.monday)) || got[i].Count != n || got[i].Unauthorized != n ||
			got[i].CoveredCells != cells {
			t.Errorf("week %d: %+v, want %s from %s with %d denials on %d cells", i, got[i], w.week, w.monday, n, cells)
		}
	}
}

func TestBlockedAndTrailMonths(t *testing.T) {
	src := calendarFixture()
	from, to := day("2026-11-01"), day("2027-03-01") // November has no coverage: absent, not 0
	rep := computeTrail(t, src, Options{From: from, To: to})
	months, cells, err := TrailMonths(context.Background(), src, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*BlockedMonth{}
	for _, c := range src.cov {
		if c.Day.Before(from) {
			continue
		}
		m := c.Day.Format("2006-01")
		if want[m] == nil {
			want[m] = &BlockedMonth{Month: m}
		}
		want[m].CoveredCells++
	}
	denials := map[string][2]int64{}
	for _, d := range src.agg.Denials {
		if m := d.Day.Format("2006-01"); want[m] != nil {
			denials[m] = [2]int64{denials[m][0] + d.Count, denials[m][1] + d.Count} // all unnamed
		}
	}
	for _, b := range src.agg.Blocked {
		want[b.Day.Format("2006-01")].add(b)
	}
	if got := rep.Blocked.ByMonth; len(got) != len(want) || len(months) != len(want) {
		t.Fatalf("months %+v / %+v, want %d", got, months, len(want))
	}
	total := 0
	for i, got := range rep.Blocked.ByMonth {
		w := want[got.Month]
		if w == nil || got.BlockedCounts != w.BlockedCounts || got.CoveredCells != w.CoveredCells || got.Start.Format("2006-01") != got.Month {
			t.Errorf("month %+v, want %+v", got, w)
			continue
		}
		if i > 0 && !rep.Blocked.ByMonth[i-1].Start.Before(got.Start) {
			t.Errorf("months out of order at %s", got.Month)
		}
		tm := months[i]
		if tm.Month.Format("2006-01") != got.Month || tm.CoveredCells != w.CoveredCells || tm.Blocked != w.Total ||
			tm.ByGuardrail != w.Guardrail || tm.Denials != denials[got.Month][0] || tm.Unauthorized != denials[got.Month][1] {
			t.Errorf("TrailMonths %+v, want %s: %+v, denials %v", tm, got.Month, w, denials[got.Month])
		}
		total += w.CoveredCells
	}
	if cells != total || cells != rep.Trail.CoveredCells {
		t.Errorf("TrailMonths covers %d cells, the report %d, want %d", cells, rep.Trail.CoveredCells, total)
	}
	if m, c, err := TrailMonths(context.Background(), src, day("2025-01-01"), day("2025-02-01")); err != nil || m != nil || c != 0 {
		t.Errorf("uncovered window: %v, %d, %v; want nothing", m, c, err)
	}
}

func TestTrailGroupBy(t *testing.T) {
	keyTeam := map[string]string{kRisk: "risk", kB: "(no team tag)", "alias/gone": "(key not in the latest scans)"}
	actionKind := map[string]string{"sagemaker:CreateNotebookInstance": "notebook-instance",
		"sagemaker:CreateTrainingJob": "training-job", "sagemaker:CreateProcessingJob": "processing-job"}
	tests := []struct {
		by      string
		denial  func(trail.Denial) string
		blocked func(trail.Blocked) string
	}{
		{"", nil, nil},
		{"account", func(d trail.Denial) string { return d.Account }, func(b trail.Blocked) string { return b.Account }},
		{"region", func(d trail.Denial) string { return d.Region }, func(b trail.Blocked) string { return b.Region }},
		{"kind", func(trail.Denial) string { return NotApplicable }, func(b trail.Blocked) string { return actionKind[b.Action] }},
		{"tag:team", func(d trail.Denial) string { return keyTeam[d.KeyARN] }, func(trail.Blocked) string { return NotApplicable }},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			src := trailFixture()
			rep := computeTrail(t, src, Options{From: winFrom, To: winTo, By: tt.by})
			in := coveredIn(src.cov, winFrom, winTo.AddDate(0, 0, -1))
			wantD, wantB := map[string]int64{}, map[string]int64{}
			if tt.by != "" {
				for _, d := range src.agg.Denials {
					if in[cell{d.Account, d.Region, d.Day}] {
						wantD[tt.denial(d)] += d.Count
					}
				}
				for _, b := range src.agg.Blocked {
					if in[cell{b.Account, b.Region, b.Day}] {
						wantB[tt.blocked(b)] += b.Count
					}
				}
			}
			gotD, gotB := map[string]int64{}, map[string]int64{}
			for _, g := range rep.Denials.Groups {
				gotD[g.Group] = g.Count
			}
			for _, g := range rep.Blocked.Groups {
				gotB[g.Group] = g.Total
			}
			if !mapsEqual(gotD, wantD) || !mapsEqual(gotB, wantB) {
				t.Errorf("denials %v, want %v; blocked %v, want %v", gotD, wantD, gotB, wantB)
			}
		})
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestTrailBreakdowns(t *testing.T) {
	src := trailFixture()
	rep := computeTrail(t, src, Options{From: winFrom, To: winTo})
	in := coveredIn(src.cov, winFrom, winTo.AddDate(0, 0, -1))
	key, principal, via := map[string]int64{}, map[string]int64{}, map[string]int64{trail.ViaDirect: 0, trail.ViaSageMaker: 0}
	for _, d := range src.agg.Denials {
		if in[cell{d.Account, d.Region, d.Day}] {
			key[d.KeyARN] += d.Count
			principal[d.Principal] += d.Count
			via[d.Via] += d.Count
		}
	}
	action, account, policy := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, b := range src.agg.Blocked {
		if in[cell{b.Account, b.Region, b.Day}] {
			action[b.Action] += b.Count
			account[b.Account] += b.Count
			policy[b.PolicyType+" "+b.PolicyARN] += b.Count
		}
	}
	flat := func(cs []DenialCount) map[string]int64 {
		m := map[string]int64{}
		for i, c := range cs {
			m[c.Group] = c.Count
			if i > 0 && cs[i-1].Count < c.Count {
				t.Errorf("%v: not most denied first", cs)
			}
		}
		return m
	}
	flatB := func(gs []BlockedGroup) map[string]int64 {
		m := map[string]int64{}
		for _, g := range gs {
			m[g.Group] = g.Total
		}
		return m
	}
	gotPolicy := map[string]int64{}
	for _, p := range rep.Blocked.ByPolicy {
		gotPolicy[p.PolicyType+" "+p.PolicyARN] = p.Total
	}
	d, b := rep.Denials, rep.Blocked
	for name, pair := range map[string][2]map[string]int64{
		"by key": {flat(d.ByKey), key}, "by principal": {flat(d.ByPrincipal), principal}, "by via": {flat(d.ByVia), via},
		"by action": {flatB(b.ByAction), action}, "by account": {flatB(b.ByAccount), account}, "by policy": {gotPolicy, policy},
	} {
		if !mapsEqual(pair[0], pair[1]) {
			t.Errorf("%s: %v, want %v", name, pair[0], pair[1])
		}
	}
}

func TestRequestCostFromCoveredDays(t *testing.T) {
	src := trailFixture()
	rep := computeTrail(t, src, Options{From: winFrom, To: winTo})
	in := coveredIn(src.cov, winFrom, winTo.AddDate(0, 0, -1))
	type id struct{ account, region, key string }
	observed, days := map[id]int64{}, map[pair]int{}
	for c := range in {
		days[pair{c.account, c.region}]++
	}
	for _, r := range src.agg.Requests {
		if in[cell{r.Account, r.Region, r.Day}] {
			observed[id{r.Account, r.Region, r.KeyARN}] += r.Count
		}
	}
	// Each account's monthly requests, and what it pays after the free tier.
	monthly := map[id]float64{}
	perAccount := map[string]float64{}
	for k, n := range observed {
		monthly[k] = float64(n) / float64(days[pair{k.account, k.region}]) * 365.25 / 12
		perAccount[k.account] += monthly[k]
	}
	price := func(n float64) float64 { return n / 10_000 * 0.03 }
	wantUSD := map[string]float64{}
	for k, m := range monthly {
		bill := price(max(perAccount[k.account]-20_000, 0))
		wantUSD[k.key] = bill * m / perAccount[k.account]
	}
	req := rep.Cost.Requests
	if req == nil || len(req.Keys) != len(observed) {
		t.Fatalf("requests %+v, want %d keys", req, len(observed))
	}
	var sum float64
	for _, k := range req.Keys {
		i := id{k.Account, k.Region, k.ARN}
		if k.ObservedRequests != observed[i] || k.CoveredDays != days[pair{k.Account, k.Region}] ||
			math.Abs(k.MonthlyUSD-wantUSD[k.ARN]) > 1e-4 {
			t.Errorf("key %+v, want %d requests on %d days, $%.4f", k, observed[i], days[pair{k.Account, k.Region}], wantUSD[k.ARN])
		}
		sum += wantUSD[k.ARN]
	}
	// kRisk is tagged cc-risk; kB is AWS-managed (no fee) and its resource
	// untagged, so its requests are unattributed.
	centers := map[string]cost.CenterCost{}
	for _, c := range rep.Cost.ByCostCenter {
		centers[c.CostCenter] = c
	}
	for center, want := range map[string]float64{"cc-risk": wantUSD[kRisk], cost.UnattributedCenter: wantUSD[kB], "cc-fraud": 0} {
		c, ok := centers[center]
		if !ok || c.RequestMonthlyUSD == nil || math.Abs(*c.RequestMonthlyUSD-want) > 1e-4 {
			t.Errorf("%s: %+v, want requests $%.4f", center, c, want)
		}
	}
	keyFees := 2.0 // kRisk and kFraud, customer-managed, not rotated
	if math.Abs(rep.Cost.MonthlyUSD-(keyFees+sum)) > 1e-3 {
		t.Errorf("total $%.4f, want key fees $%.2f + requests $%.4f", rep.Cost.MonthlyUSD, keyFees, sum)
	}
}

func TestTrailGoldenOutputs(t *testing.T) {
	rep := computeTrail(t, trailFixture(), Options{From: winFrom, To: winTo, By: "tag:team"})
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
			golden.Check(t, "kpi_trail."+format, buf.Bytes())
		})
	}
}
