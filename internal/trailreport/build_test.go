package trailreport

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/trail"
)

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func ptr[T any](v T) *T { return &v }

// TestBuildFixture checks the fixture's totals against sums taken over its
// own groups, so the expectations follow the input.
func TestBuildFixture(t *testing.T) {
	in := fixtureInput()
	r := Build(in)
	if r.Schema != trail.Schema || r.Source != in.Source || r.Window != (Window{in.From, in.To}) || r.Read != in.Stats {
		t.Errorf("header = %q %q %+v %+v", r.Schema, r.Source, r.Window, r.Read)
	}
	var total, unnamed, unknown int64
	for _, d := range in.Aggregates.Denials {
		total += d.Count
		switch d.Policy {
		case trail.PolicyUnnamed:
			unnamed += d.Count
		case trail.PolicyUnknown:
			unknown += d.Count
		}
	}
	share := float64(unnamed) / float64(total-unknown)
	same(t, "denial totals", [3]int64{r.Denials.Total, r.Denials.Unauthorized, r.Denials.PolicyUnknown}, [3]int64{total, unnamed, unknown})
	if r.Denials.UnauthorizedShare == nil || *r.Denials.UnauthorizedShare != share {
		t.Errorf("unauthorized share = %v, want %v", r.Denials.UnauthorizedShare, share)
	}
	by := map[string]int64{}
	for _, b := range in.Aggregates.Blocked {
		by[b.Guardrail] += b.Count
		by["total"] += b.Count
	}
	same(t, "blocked totals", [4]int64{r.Blocked.Total, r.Blocked.Guardrail, r.Blocked.Other, r.Blocked.Unattributed},
		[4]int64{by["total"], by[trail.GuardrailYes], by[trail.GuardrailNo], by[trail.GuardrailUnknown]})
	var requests int64
	for _, q := range in.Aggregates.Requests {
		requests += q.Count
	}
	if r.Requests.Total != requests || r.Requests.EstimatedUSD == nil || *r.Requests.EstimatedUSD != *in.RequestsMonthlyUSD {
		t.Errorf("requests = %d, %v; want %d, %v", r.Requests.Total, r.Requests.EstimatedUSD, requests, *in.RequestsMonthlyUSD)
	}
	// The disabled key's resources are found although the scan stored its
	// ARN in another case; the doomed key's twelve are all kept.
	for _, e := range r.KeyEvents {
		want := map[string]int{disabled: 2, doomed: 12, spare: 0}[e.KeyARN]
		if len(e.Protects) != want {
			t.Errorf("%s on %s protects %d resources, want %d", e.Action, e.KeyARN, len(e.Protects), want)
		}
	}
	// Coverage: us-east-1 every day of the window, eu-west-1 all but two,
	// the second account ten; a day before the window and a cell read twice
	// do not count.
	c := r.Coverage
	same(t, "coverage", c, CoverageSummary{
		Sources: []string{"lookup-events", "s3://org-trail-logs/prod"}, Accounts: []string{acct, acct2},
		Regions: []string{euWest, usEast}, Days: 61, FirstDay: oct1, LastDay: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		Cells: 61 + 59 + 10, WindowDays: 61,
		Pairs: []PairCoverage{{acct, euWest, 59, 2}, {acct, usEast, 61, 0}, {acct2, usEast, 10, 51}},
	})
	// The bad-record problem the run saw and the store kept is one problem.
	if n := len(r.Problems); n != 4 {
		t.Errorf("problems = %+v, want 4", r.Problems)
	}
}

func TestDenialShare(t *testing.T) {
	d := func(policy string, n int64) trail.Denial { return trail.Denial{Policy: policy, Count: n} }
	cases := []struct {
		name    string
		denials []trail.Denial
		want    *float64
	}{
		{"no denials: no share", nil, nil},
		{"only unknown relations: no share", []trail.Denial{d(trail.PolicyUnknown, 5)}, nil},
		{"unknown left out of the denominator", []trail.Denial{d(trail.PolicyUnnamed, 1), d(trail.PolicyNamed, 1),
			d(trail.PolicyDelegated, 2), d(trail.PolicyUnknown, 10)}, ptr(0.25)},
		{"all unauthorized", []trail.Denial{d(trail.PolicyUnnamed, 3)}, ptr(1.0)},
		{"none unauthorized", []trail.Denial{d(trail.PolicyNamed, 3)}, ptr(0.0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Build(Input{Aggregates: &trail.Aggregates{Denials: tc.denials}}).Denials.UnauthorizedShare
			same(t, "share", got, tc.want)
		})
	}
}

func TestCoverageSummary(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	cell := func(account, region string, d int) trail.Coverage {
		return trail.Coverage{Source: "file:/trail", Account: account, Region: region, Day: day(d)}
	}
	cases := []struct {
		name     string
		cov      []trail.Coverage
		from, to time.Time
		want     CoverageSummary
	}{
		{"nothing covered", nil, day(1), day(10), CoverageSummary{WindowDays: 10}},
		{"an open window has no window days and no missing days",
			[]trail.Coverage{cell(acct, usEast, 3), cell(acct, usEast, 5)}, time.Time{}, time.Time{},
			CoverageSummary{Sources: []string{"file:/trail"}, Accounts: []string{acct}, Regions: []string{usEast}, Days: 2,
				FirstDay: day(3), LastDay: day(5), Cells: 2, Pairs: []PairCoverage{{acct, usEast, 2, 0}}}},
		{"cells outside the window are left out; the window's bounds count by UTC day",
			[]trail.Coverage{cell(acct, usEast, 1), cell(acct, usEast, 2), cell(acct, usEast, 4), cell(acct, usEast, 5)},
			day(2).Add(23 * time.Hour), day(4).Add(time.Hour),
			CoverageSummary{Sources: []string{"file:/trail"}, Accounts: []string{acct}, Regions: []string{usEast}, Days: 2,
				FirstDay: day(2), LastDay: day(4), Cells: 2, WindowDays: 3, Pairs: []PairCoverage{{acct, usEast, 2, 1}}}},
		{"a day covered in two regions is one day and two cells",
			[]trail.Coverage{cell(acct, usEast, 3), cell(acct, euWest, 3), cell(acct, euWest, 3)}, day(3), day(3),
			CoverageSummary{Sources: []string{"file:/trail"}, Accounts: []string{acct}, Regions: []string{euWest, usEast}, Days: 1,
				FirstDay: day(3), LastDay: day(3), Cells: 2, WindowDays: 1,
				Pairs: []PairCoverage{{acct, euWest, 1, 0}, {acct, usEast, 1, 0}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			same(t, "coverage", summarizeCoverage(tc.cov, tc.from, tc.to), tc.want)
		})
	}
}

func TestMergeProblems(t *testing.T) {
	p := func(unit, kind string, n int64) trail.Problem {
		return trail.Problem{Unit: unit, Kind: kind, Reason: "r", Count: n}
	}
	got := mergeProblems(
		[]trail.Problem{p("a", trail.ProblemUnreadable, 1), p("b", trail.ProblemBadRecord, 2)},
		[]trail.Problem{p("b", trail.ProblemBadRecord, 5), p("c", trail.ProblemBadRecord, 1)})
	// Unreadable units first: they hide the most.
	same(t, "problems", got, []trail.Problem{
		p("a", trail.ProblemUnreadable, 1), p("b", trail.ProblemBadRecord, 5), p("c", trail.ProblemBadRecord, 1),
	})
}

// TestBuildCopies checks that the report keeps its own copies: the caller
// may reuse or change its input afterwards.
func TestBuildCopies(t *testing.T) {
	in := fixtureInput()
	r := Build(in)
	before, _ := json.Marshal(r)
	in.Aggregates.Denials[0].Samples[0] = "changed"
	in.Aggregates.Denials[0].Count = 999
	in.Aggregates.Creators[0].Tool = "changed"
	in.Gaps[0].Reason = "changed"
	in.Problems[0].Count = 999
	for k := range in.Protects {
		in.Protects[k][0].Name = "changed"
	}
	in.APICalls[0].Calls = 999
	*in.RequestsMonthlyUSD = 999
	after, _ := json.Marshal(r)
	if string(before) != string(after) {
		t.Error("changing the input changed the built report")
	}
}

func TestBuildEmpty(t *testing.T) {
	r := Build(Input{})
	if r.Schema != trail.Schema || r.Denials.Total != 0 || r.Denials.UnauthorizedShare != nil || len(r.KeyEvents) != 0 {
		t.Errorf("empty report = %+v", r)
	}
}

func TestMakesDataUnreadable(t *testing.T) {
	for _, a := range trail.KeyLifecycleActions() {
		e := KeyEventImpact{KeyEvent: trail.KeyEvent{Action: "kms:" + a}}
		want := slices.Contains([]string{"DisableKey", "ScheduleKeyDeletion", "DeleteImportedKeyMaterial"}, a)
		if got := e.MakesDataUnreadable(); got != want {
			t.Errorf("%s: MakesDataUnreadable = %v, want %v", a, got, want)
		}
	}
}

func TestImpactText(t *testing.T) {
	res := func(n int) []finding.Resource {
		var out []finding.Resource
		for i := range n {
			out = append(out, finding.Resource{Kind: "training-job", Name: string(rune('a' + i))})
		}
		return out
	}
	names := func(n int) string {
		var out []string
		for _, r := range res(n) {
			out = append(out, r.Kind+"/"+r.Name)
		}
		return strings.Join(out, ", ")
	}
	cases := []struct {
		action string
		n      int
		want   string
	}{
		{"kms:DisableKey", 0, "the latest scan has no resource this key protects"},
		{"kms:DisableKey", 1, "1 resource loses its data: training-job/a"},
		{"kms:ScheduleKeyDeletion", 2, "2 resources lose their data: training-job/a, training-job/b"},
		{"kms:DeleteImportedKeyMaterial", 2, "2 resources lose their data: training-job/a, training-job/b"},
		{"kms:PutKeyPolicy", 2, "the key protects 2 resources: training-job/a, training-job/b"},
		{"kms:DisableKey", maxListed + 2, "12 resources lose their data: " + names(maxListed) + ", and 2 more"},
	}
	for _, tc := range cases {
		got := impactText(KeyEventImpact{KeyEvent: trail.KeyEvent{Action: tc.action}, Protects: res(tc.n)})
		if got != tc.want {
			t.Errorf("impactText(%s, %d) =\n %q\nwant %q", tc.action, tc.n, got, tc.want)
		}
	}
}

func TestTexts(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		w    Window
		want string
	}{
		{Window{}, "every stored day"},
		{Window{From: d(1)}, "2026-11-01 onwards"},
		{Window{To: d(2)}, "every stored day to 2026-11-02"},
		{Window{From: d(1), To: d(2)}, "2026-11-01 to 2026-11-02 (UTC days)"},
	} {
		if got := windowText(tc.w); got != tc.want {
			t.Errorf("windowText(%v) = %q, want %q", tc.w, got, tc.want)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 12_345_678: "12.3 MB", 5_000_000_000_000: "5.0 TB"} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %q, want %q", n, got, want)
		}
	}
	if got := oneLine("a\x1b[2Jb\u009bc\u202ed\u2066e\nf"); got != "a [2Jb c d e f" {
		t.Errorf("oneLine = %q", got)
	}
}

// TestKeyAccessVerdicts checks which key-access pairs decide a denial:
// matched by role (path or not) and key (any case), then by operation, and
// for an allowed operation by the path the call took.
func TestKeyAccessVerdicts(t *testing.T) {
	const (
		role   = "arn:aws:iam::111122223333:role/ml/Trainer"
		s3Via  = "s3.us-east-1.amazonaws.com"
		smVia  = "sagemaker.us-east-1.amazonaws.com"
		check  = "training-job.key-access"
		check2 = "notebook-instance.key-access"
	)
	access := func(via string, actions, missing, unverified []string) finding.Access {
		a := finding.Access{Role: role, KeyARN: healthy, ViaService: via, Actions: actions, Missing: missing, Unverified: unverified,
			Status: finding.Pass}
		switch {
		case len(missing) > 0:
			a.Status = finding.Fail
		case len(unverified) > 0:
			a.Status = finding.Error
		}
		return a
	}
	dataKey := []string{"kms:Decrypt", "kms:GenerateDataKey"}
	grant := []string{"kms:CreateGrant"}
	denial := func(op, via string) trail.Denial {
		// CloudTrail names the role without its path, the key in lower case.
		return trail.Denial{Principal: "arn:aws:iam::111122223333:role/Trainer", KeyARN: healthy, Operation: op, Via: via, Count: 1}
	}
	for _, tt := range []struct {
		name     string
		findings []finding.Finding
		denial   trail.Denial
		want     *KeyAccess
	}{
		{"no pair of the role", nil, denial("kms:Decrypt", trail.ViaDirect), nil},
		{"a FAIL missing the operation explains it",
			[]finding.Finding{{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, dataKey, nil)}}},
			denial("kms:Decrypt", trail.ViaDirect), &KeyAccess{Verdict: KeyAccessMissing, CheckIDs: []string{check}, Missing: dataKey}},
		{"whatever path the call took",
			[]finding.Finding{{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, dataKey, nil)}}},
			denial("kms:decrypt", trail.ViaSageMaker), &KeyAccess{Verdict: KeyAccessMissing, CheckIDs: []string{check}, Missing: dataKey}},
		{"a PASS with the operation: allowed",
			[]finding.Finding{{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, nil, nil)}}},
			denial("kms:GenerateDataKey", trail.ViaDirect), &KeyAccess{Verdict: KeyAccessAllowed, CheckIDs: []string{check}}},
		{"a PASS through SageMaker for SageMaker's call",
			[]finding.Finding{{CheckID: check2, Access: []finding.Access{access(smVia, grant, nil, nil)}}},
			denial("kms:CreateGrant", trail.ViaSageMaker), &KeyAccess{Verdict: KeyAccessAllowed, CheckIDs: []string{check2}}},
		{"a PASS through SageMaker says nothing of a direct call",
			[]finding.Finding{{CheckID: check2, Access: []finding.Access{access(smVia, grant, nil, nil)}}},
			denial("kms:CreateGrant", trail.ViaDirect), nil},
		{"a PASS through S3 says nothing of SageMaker's call",
			[]finding.Finding{{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, nil, nil)}}},
			denial("kms:Decrypt", trail.ViaSageMaker), nil},
		{"a PASS not needing the operation says nothing",
			[]finding.Finding{{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, nil, nil)}}},
			denial("kms:Encrypt", trail.ViaDirect), nil},
		{"a FAIL for another action: the operation itself was allowed",
			[]finding.Finding{{CheckID: check2, Access: []finding.Access{access(smVia, []string{"kms:CreateGrant", "kms:DescribeKey"}, []string{"kms:CreateGrant"}, nil)}}},
			denial("kms:DescribeKey", trail.ViaSageMaker), &KeyAccess{Verdict: KeyAccessAllowed, CheckIDs: []string{check2}}},
		{"an unverified operation is no verdict",
			[]finding.Finding{{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, nil, []string{"kms:Decrypt"})}}},
			denial("kms:Decrypt", trail.ViaDirect), nil},
		{"nor when another pair allowed it",
			[]finding.Finding{
				{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, nil, []string{"kms:Decrypt"})}},
				{CheckID: check2, Access: []finding.Access{access(s3Via, dataKey, nil, nil)}},
			},
			denial("kms:Decrypt", trail.ViaDirect), nil},
		{"missing wins over allowed, and checks and actions are merged",
			[]finding.Finding{
				{CheckID: check2, Access: []finding.Access{access(s3Via, dataKey, nil, nil)}},
				{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, []string{"kms:GenerateDataKey"}, nil)}},
				{CheckID: check, Access: []finding.Access{access(s3Via, dataKey, dataKey, nil)}},
			},
			denial("kms:GenerateDataKey", trail.ViaDirect), &KeyAccess{Verdict: KeyAccessMissing, CheckIDs: []string{check}, Missing: dataKey}},
		{"another role's pair does not match",
			[]finding.Finding{{CheckID: check, Access: []finding.Access{{Role: "arn:aws:iam::111122223333:role/Other", KeyARN: healthy,
				Actions: dataKey, Missing: dataKey, Status: finding.Fail}}}},
			denial("kms:Decrypt", trail.ViaDirect), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(Input{Aggregates: &trail.Aggregates{Denials: []trail.Denial{tt.denial}}, KeyAccess: tt.findings})
			same(t, "key access", r.Denials.Groups[0].KeyAccess, tt.want)
		})
	}
}

func TestKeyAccessNote(t *testing.T) {
	var none *KeyAccess
	for _, tt := range []struct {
		k    *KeyAccess
		want string
	}{
		{none, ""},
		{&KeyAccess{Verdict: KeyAccessAllowed, CheckIDs: []string{"training-job.key-access"}},
			"denied although the policy seems to allow it: check SCPs and VPC endpoint policies"},
		{&KeyAccess{Verdict: KeyAccessMissing, CheckIDs: []string{"training-job.key-access"}, Missing: []string{"kms:CreateGrant"}},
			"explained by training-job.key-access FAIL: the role may not kms:CreateGrant"},
	} {
		if got := tt.k.Note(); got != tt.want {
			t.Errorf("Note() = %q, want %q", got, tt.want)
		}
	}
}

// TestTableKeyAccessColumn checks that the KEY ACCESS column appears only
// when a row has a verdict.
func TestTableKeyAccessColumn(t *testing.T) {
	in := fixtureInput()
	for _, tt := range []struct {
		name string
		ka   []finding.Finding
		want bool
	}{{"with verdicts", in.KeyAccess, true}, {"without", nil, false}} {
		in.KeyAccess = tt.ka
		var buf strings.Builder
		if err := WriteTable(&buf, Build(in)); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "KEY ACCESS"); got != tt.want {
			t.Errorf("%s: KEY ACCESS column shown = %v", tt.name, got)
		}
	}
}
