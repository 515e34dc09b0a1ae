package detect

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
)

const (
	keyA = "arn:aws:kms:us-east-1:111122223333:key/a"
	keyB = "arn:aws:kms:us-east-1:111122223333:key/b"
	nbX  = "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/x"
	epY  = "arn:aws:sagemaker:eu-west-1:444455556666:endpoint/y"
)

var t0 = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)

func res(arn, kind string) finding.Resource {
	region, account := arnPlace(arn)
	return finding.Resource{ARN: arn, Kind: kind, Name: arn[strings.LastIndex(arn, "/")+1:], Account: account, Region: region}
}

// cmk is a <kind>.cmk verdict on a resource whose one slot uses key.
func cmk(arn, kind string, st finding.Status, sev finding.Severity, key string) finding.Finding {
	return finding.Finding{
		CheckID: kind + ".cmk", Status: st, Severity: sev, Message: "verdict " + string(st), Resource: res(arn, kind),
		Slots: []finding.Slot{{Name: "KmsKeyId", KeyARN: key, Status: st}},
	}
}

func keyState(key string, st finding.Status, sev finding.Severity, protects ...finding.Resource) finding.Finding {
	return finding.Finding{CheckID: "kms-key.state", Status: st, Severity: sev, Resource: res(key, "kms-key"), Protects: protects}
}

func fp(f finding.Finding) string { return history.Observe([]finding.Finding{f}, nil)[0].Fingerprint() }

func opened(run int64, f finding.Finding, reopen bool) history.Episode {
	return history.Episode{Fingerprint: fp(f), Severity: f.Severity, OpenedAt: t0, OpenedRun: run, Reopen: reopen}
}

func gap(account, region, service, reason string) inventory.Gap {
	return inventory.Gap{Account: account, Region: region, Service: service, Reason: reason}
}

// scan builds an Input for run id.
func scan(id int64, keys map[string]string, fs []finding.Finding, eps []history.Episode, gaps ...inventory.Gap) Input {
	return Input{RunID: id, At: t0.Add(time.Duration(id) * time.Hour), KeyStates: keys, Findings: fs, Episodes: eps, Gaps: gaps}
}

// want is an event reduced to what the cases assert.
type want struct {
	Kind     Kind
	Severity finding.Severity
	Subject  string // resource ARN, or "" when the event has none
}

func reduce(es []Event) []want {
	out := []want{}
	for _, e := range es {
		out = append(out, want{e.Kind, e.Severity, e.Resource.ARN})
	}
	return out
}

func TestDetect(t *testing.T) {
	nbFail := cmk(nbX, "notebook-instance", finding.Fail, finding.High, keyB)
	nbPass := cmk(nbX, "notebook-instance", finding.Pass, finding.High, keyB)
	epFailLow := cmk(epY, "endpoint", finding.Fail, finding.Low, "")
	epPass := cmk(epY, "endpoint", finding.Pass, finding.High, keyA)
	epFailA := cmk(epY, "endpoint", finding.Fail, finding.Critical, keyA)
	aOK := keyState(keyA, finding.Pass, finding.High, res(epY, "endpoint"))
	aDisabled := keyState(keyA, finding.Fail, finding.High, res(epY, "endpoint"))
	aPending := keyState(keyA, finding.Fail, finding.Critical, res(epY, "endpoint"))
	enabled := map[string]string{keyA: "Enabled", keyB: "Enabled"}
	disabled := map[string]string{keyA: "Disabled", keyB: "Enabled"}
	pending := map[string]string{keyA: "PendingDeletion", keyB: "Enabled"}
	denied := gap("111122223333", "us-east-1", "sagemaker:ListEndpoints", "AccessDenied")

	// steady is a second scan that repeats the first: its violations were
	// opened by run 1, so they are in Episodes but not new.
	first := scan(1, disabled, []finding.Finding{nbFail, epFailLow, aDisabled},
		[]history.Episode{opened(1, nbFail, false), opened(1, epFailLow, false), opened(1, aDisabled, false)}, denied)
	steady := first
	steady.RunID, steady.At = 2, first.At.Add(time.Hour)

	cases := []struct {
		name      string
		prev, cur Input
		opts      Options
		want      []want
	}{
		{
			name: "first scan: violations at or above severity and gaps only",
			cur:  first, opts: Options{MinSeverity: finding.Medium, ComplianceThreshold: 90},
			want: []want{{NewGaps, NewGapsSeverity, ""}, {ViolationOpened, finding.High, keyA}, {ViolationOpened, finding.High, nbX}},
		},
		{
			name: "first scan with severity info: every violation",
			cur:  first,
			want: []want{{NewGaps, NewGapsSeverity, ""}, {ViolationOpened, finding.High, keyA}, {ViolationOpened, finding.High, nbX}, {ViolationOpened, finding.Low, epY}},
		},
		{
			name: "nothing changed: no event, even below threshold and with a key still disabled",
			prev: first, cur: steady, opts: Options{ComplianceThreshold: 90},
			want: []want{},
		},
		{
			name: "reopened violation is told apart",
			prev: scan(1, enabled, []finding.Finding{nbPass, epPass, aOK}, nil),
			cur:  scan(2, enabled, []finding.Finding{nbFail, epPass, aOK}, []history.Episode{opened(2, nbFail, true)}),
			want: []want{{ViolationReopened, finding.High, nbX}},
		},
		{
			name: "violation below the minimum severity raises nothing",
			prev: scan(1, enabled, []finding.Finding{nbPass, epPass, aOK}, nil),
			cur:  scan(2, enabled, []finding.Finding{nbPass, epFailLow, aOK}, []history.Episode{opened(2, epFailLow, false)}),
			opts: Options{MinSeverity: finding.Medium},
			want: []want{},
		},
		{
			name: "key disabled: one event with blast radius; the violations it causes fold in, others do not",
			prev: scan(1, enabled, []finding.Finding{nbPass, epPass, aOK}, nil),
			cur: scan(2, disabled, []finding.Finding{nbFail, epFailA, aDisabled},
				[]history.Episode{opened(2, nbFail, false), opened(2, epFailA, false), opened(2, aDisabled, false)}),
			want: []want{{KeyStateChanged, finding.High, keyA}, {ViolationOpened, finding.High, nbX}},
		},
		{
			name: "no repeat while a key stays disabled",
			prev: scan(2, disabled, []finding.Finding{epFailA, aDisabled}, []history.Episode{opened(2, epFailA, false)}),
			cur:  scan(3, disabled, []finding.Finding{epFailA, aDisabled}, []history.Episode{opened(2, epFailA, false)}),
			want: []want{},
		},
		{
			name: "disabled then scheduled for deletion: a new change, critical",
			prev: scan(2, disabled, []finding.Finding{epFailA, aDisabled}, nil),
			cur:  scan(3, pending, []finding.Finding{epFailA, aPending}, nil),
			want: []want{{KeyStateChanged, finding.Critical, keyA}},
		},
		{
			name: "key unknown before: left to its violation",
			prev: scan(1, map[string]string{keyB: "Enabled"}, []finding.Finding{nbPass}, nil),
			cur:  scan(2, pending, []finding.Finding{nbPass, aPending}, []history.Episode{opened(2, aPending, false)}),
			want: []want{{ViolationOpened, finding.Critical, keyA}},
		},
		{
			name: "key re-enabled: no event",
			prev: scan(1, disabled, []finding.Finding{aDisabled}, nil),
			cur:  scan(2, enabled, []finding.Finding{aOK}, nil),
			want: []want{},
		},
		{
			name: "compliance crosses down: 100% to 50%",
			prev: scan(1, enabled, []finding.Finding{nbPass, epPass}, nil),
			cur:  scan(2, enabled, []finding.Finding{nbPass, epFailLow}, nil),
			opts: Options{MinSeverity: finding.High, ComplianceThreshold: 80},
			want: []want{{ComplianceDropped, ComplianceDroppedSeverity, ""}},
		},
		{
			name: "compliance exactly at the threshold is not below it",
			prev: scan(1, enabled, []finding.Finding{nbPass, epPass}, nil),
			cur:  scan(2, enabled, []finding.Finding{nbPass, epFailLow}, nil),
			opts: Options{MinSeverity: finding.High, ComplianceThreshold: 50},
			want: []want{},
		},
		{
			name: "compliance crosses up: no event",
			prev: scan(1, enabled, []finding.Finding{nbPass, epFailLow}, nil),
			cur:  scan(2, enabled, []finding.Finding{nbPass, epPass}, nil),
			opts: Options{ComplianceThreshold: 80},
			want: []want{},
		},
		{
			name: "compliance with no verdicts crosses nothing",
			prev: scan(1, enabled, []finding.Finding{nbPass}, nil),
			cur:  scan(2, enabled, []finding.Finding{aOK}, nil),
			opts: Options{ComplianceThreshold: 80},
			want: []want{},
		},
		{
			name: "failed scan: only ScanFailed",
			prev: first,
			cur:  Input{At: t0.Add(5 * time.Hour), Failed: true, Error: "context deadline exceeded", Gaps: []inventory.Gap{gap("1", "r", "s", "x")}},
			want: []want{{ScanFailed, ScanFailedSeverity, ""}},
		},
		{
			name: "failed prev counts as none: no key or compliance events",
			prev: Input{RunID: 1, Failed: true, KeyStates: enabled, Findings: []finding.Finding{nbPass, epPass}},
			cur:  scan(2, disabled, []finding.Finding{nbPass, epFailLow, aDisabled}, nil),
			opts: Options{ComplianceThreshold: 80},
			want: []want{},
		},
		{
			name: "only gaps not in prev, by account, region and service",
			prev: scan(1, enabled, nil, nil, denied),
			cur: scan(2, enabled, nil, nil,
				gap("111122223333", "us-east-1", "sagemaker:ListEndpoints", "throttled"), // same gap, other words
				gap("111122223333", "eu-west-1", "sagemaker:ListEndpoints", "AccessDenied")),
			want: []want{{NewGaps, NewGapsSeverity, ""}},
		},
		{
			name: "violation with no finding given is still alerted",
			prev: scan(1, enabled, nil, nil),
			cur:  scan(2, enabled, nil, []history.Episode{{Fingerprint: "abc", Severity: finding.High, OpenedRun: 2}}),
			want: []want{{ViolationOpened, finding.High, ""}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Detect(c.prev, c.cur, c.opts)
			if r := reduce(got); !reflect.DeepEqual(r, c.want) {
				t.Fatalf("events\n got %+v\nwant %+v\n%+v", r, c.want, got)
			}
			keys := map[string]bool{}
			for _, e := range got {
				if e.Key == "" || keys[e.Key] || !strings.HasPrefix(e.Key, string(e.Kind)+":") {
					t.Errorf("bad or duplicate key %q", e.Key)
				}
				keys[e.Key] = true
			}
			if again := Detect(c.prev, c.cur, c.opts); !reflect.DeepEqual(again, got) {
				t.Errorf("second Detect differs:\n%+v\n%+v", again, got)
			}
		})
	}
}

func TestKeyStateEventDetails(t *testing.T) {
	ep := res(epY, "endpoint")
	prev := scan(1, map[string]string{keyA: "Enabled"}, nil, nil)
	cur := scan(2, map[string]string{keyA: "PendingDeletion"}, []finding.Finding{
		{CheckID: "kms-key.rotation", Status: finding.Pass, Resource: res(keyA, "kms-key"), Protects: []finding.Resource{ep}},
	}, nil)
	es := Detect(prev, cur, Options{})
	if len(es) != 1 {
		t.Fatalf("want 1 event, got %+v", es)
	}
	e := es[0]
	if e.FromState != "Enabled" || e.ToState != "PendingDeletion" || e.Severity != finding.Critical ||
		e.Account != "111122223333" || e.Region != "us-east-1" || e.RunID != 2 || !e.At.Equal(cur.At) ||
		!reflect.DeepEqual(e.BlastRadius, []finding.Resource{ep}) || !strings.Contains(e.Message, epY) {
		t.Errorf("event %+v", e)
	}
	// A later key state for the same key and run is a different subject.
	cur.KeyStates[keyA] = "Disabled"
	if other := Detect(prev, cur, Options{}); other[0].Key == e.Key {
		t.Errorf("Disabled and PendingDeletion share key %q", e.Key)
	}
}

func TestComplianceEventDetails(t *testing.T) {
	prev := scan(1, nil, []finding.Finding{cmk(nbX, "notebook-instance", finding.Pass, finding.High, keyA)}, nil)
	cur := scan(2, nil, []finding.Finding{
		cmk(nbX, "notebook-instance", finding.Pass, finding.High, keyA),
		cmk(epY, "endpoint", finding.Fail, finding.High, keyA),
		cmk(epY+"2", "endpoint", finding.Fail, finding.High, keyA),
		cmk(epY+"3", "endpoint", finding.NotApplicable, finding.High, ""), // excluded, as in the report
		cmk(epY+"4", "endpoint", finding.Error, finding.High, ""),         // counted apart
	}, nil)
	es := Detect(prev, cur, Options{MinSeverity: finding.Critical, ComplianceThreshold: 95})
	if len(es) != 1 || es[0].Before != 100 || es[0].After != 33.33 {
		t.Fatalf("events %+v", es)
	}
}

func TestNewGapsEventDetails(t *testing.T) {
	cur := scan(3, nil, nil, nil,
		gap("2", "us-east-1", "sagemaker:ListModels", "denied"),
		gap("1", "us-east-1", "sagemaker:ListModels", "denied"),
		gap("1", "us-east-1", "sagemaker:ListModels", "denied again"))
	es := Detect(Input{}, cur, Options{})
	if len(es) != 1 {
		t.Fatalf("events %+v", es)
	}
	e := es[0]
	if len(e.Gaps) != 2 || e.Gaps[0].Account != "1" || e.Account != "" || e.Region != "us-east-1" {
		t.Errorf("event %+v", e)
	}
	// Gaps in any order give the same key.
	slices.Reverse(cur.Gaps)
	if again := Detect(Input{}, cur, Options{}); again[0].Key != e.Key {
		t.Errorf("key depends on gap order: %q vs %q", again[0].Key, e.Key)
	}
}

func TestDeterministicOrder(t *testing.T) {
	fs := []finding.Finding{
		cmk(nbX, "notebook-instance", finding.Fail, finding.High, keyB),
		cmk(epY, "endpoint", finding.Fail, finding.Critical, ""),
		cmk(epY+"2", "endpoint", finding.Fail, finding.High, ""),
	}
	var eps []history.Episode
	for _, f := range fs {
		eps = append(eps, opened(4, f, false))
	}
	cur := scan(4, nil, fs, eps)
	a := Detect(Input{}, cur, Options{})
	slices.Reverse(cur.Findings)
	slices.Reverse(cur.Episodes)
	b := Detect(Input{}, cur, Options{})
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("order depends on input order:\n%+v\n%+v", a, b)
	}
	if a[0].Severity != finding.Critical {
		t.Errorf("worst first: %+v", a)
	}
}

func TestScanFailedKey(t *testing.T) {
	a := Detect(Input{}, Input{At: t0, Failed: true}, Options{})
	b := Detect(Input{}, Input{At: t0.Add(time.Minute), Failed: true}, Options{})
	if a[0].Key == b[0].Key {
		t.Error("two failures share a key")
	}
	if a[0].Message != "scan failed" {
		t.Errorf("message %q", a[0].Message)
	}
}
