package compose

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
)

const (
	nbARN  = "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/research"
	keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd"
)

var t0 = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)

var nb = finding.Resource{ARN: nbARN, Kind: "notebook-instance", Name: "research", Account: "111122223333",
	Region: "us-east-1", Tags: map[string]string{"team": "ml-platform", "owner": "someone-else"}}

var key = finding.Resource{ARN: keyARN, Kind: "kms-key", Account: "111122223333", Region: "us-east-1",
	Tags: map[string]string{"team": "security"}}

func TestFromEvents(t *testing.T) {
	opts := Options{OwnerTag: "team", DashboardURL: "https://sagekey.example.com/", ComplianceThreshold: 90}
	cases := []struct {
		name    string
		event   detect.Event
		kind    alert.Kind
		runID   string
		title   string
		check   string
		hasKey  bool
		hasRes  bool
		details map[string]string
		links   []string
		remedy  string // a substring of the remediation; "" means it must be empty
	}{
		{
			name: "violation opened",
			event: detect.Event{Kind: detect.ViolationOpened, Severity: finding.High, At: t0, RunID: 7,
				Account: "111122223333", Region: "us-east-1", Resource: nb, CheckID: "notebook-instance.cmk",
				Fingerprint: "fp1", Message: "new violation", Key: "violation-opened:1"},
			kind: alert.ViolationOpened, runID: "7", title: "New violation: notebook-instance research fails notebook-instance.cmk",
			check: "notebook-instance.cmk", hasRes: true,
			details: map[string]string{alert.DetailFingerprint: "fp1", alert.DetailOwner: "ml-platform"},
			links: []string{"https://github.com/sagekey/sagekey/blob/main/docs/checks/notebook-instance.cmk.md",
				"https://sagekey.example.com/findings/fp1"},
			remedy: "KmsKeyId",
		},
		{
			name: "violation reopened of an unknown check, no owner",
			event: detect.Event{Kind: detect.ViolationReopened, Severity: finding.Low, At: t0, RunID: 8,
				Resource: finding.Resource{ARN: nbARN, Kind: "notebook-instance"}, CheckID: "future.check",
				Fingerprint: "fp2", Key: "violation-reopened:2"},
			kind: alert.ViolationReopened, runID: "8", title: "Violation reopened: notebook-instance " + nbARN + " fails future.check",
			check: "future.check", hasRes: true,
			details: map[string]string{alert.DetailFingerprint: "fp2"},
			links:   []string{"https://sagekey.example.com/findings/fp2"},
		},
		{
			name: "violation without its finding",
			event: detect.Event{Kind: detect.ViolationOpened, Severity: finding.High, At: t0, RunID: 9,
				Fingerprint: "fp3", Key: "violation-opened:3"},
			kind: alert.ViolationOpened, runID: "9", title: "New violation fp3",
			details: map[string]string{alert.DetailFingerprint: "fp3"},
			links:   []string{"https://sagekey.example.com/findings/fp3"},
		},
		{
			name: "key state changed",
			event: detect.Event{Kind: detect.KeyStateChanged, Severity: finding.Critical, At: t0, RunID: 7,
				Account: "111122223333", Region: "us-east-1", Resource: key, CheckID: "kms-key.state",
				FromState: "Enabled", ToState: "PendingDeletion", BlastRadius: []finding.Resource{nb}, Key: "key-state-changed:1"},
			kind: alert.KeyStateChanged, runID: "7", title: "Key 1234abcd went from Enabled to PendingDeletion",
			check: "kms-key.state", hasKey: true,
			details: map[string]string{alert.DetailOwner: "security"},
			links: []string{"https://github.com/sagekey/sagekey/blob/main/docs/checks/kms-key.state.md",
				"https://sagekey.example.com/keys/arn:aws:kms:us-east-1:111122223333:key%2F1234abcd"},
			remedy: "cancel-key-deletion --key-id " + keyARN,
		},
		{
			name: "compliance dropped",
			event: detect.Event{Kind: detect.ComplianceDropped, Severity: finding.High, At: t0, RunID: 7,
				Before: 100, After: 33.333, Key: "compliance-dropped:1"},
			kind: alert.ComplianceDropped, runID: "7", title: "Percent compliant fell to 33.33%",
			details: map[string]string{alert.DetailPercentCompliant: "33.33", alert.DetailPreviousPercentCompliant: "100.00",
				alert.DetailThreshold: "90.00"},
			links:  []string{"https://sagekey.example.com/runs"},
			remedy: "violations",
		},
		{
			name: "scan failed has no run",
			event: detect.Event{Kind: detect.ScanFailed, Severity: finding.High, At: t0,
				Message: "scan failed: context deadline exceeded", Key: "scan-failed:1"},
			kind: alert.ScanFailed, title: "Scan failed",
			details: map[string]string{alert.DetailError: "context deadline exceeded"},
			links:   []string{"https://sagekey.example.com/runs"},
			remedy:  "retried",
		},
		{
			name: "new gaps",
			event: detect.Event{Kind: detect.NewGaps, Severity: finding.Medium, At: t0, RunID: 7,
				Account: "111122223333", Region: "us-east-1",
				Gaps: []inventory.Gap{{Service: "a"}, {Service: "b"}}, Key: "new-gaps:1"},
			kind: alert.NewGaps, runID: "7", title: "The scan could not read 2 thing(s) it could read before in 111122223333/us-east-1",
			details: map[string]string{alert.DetailGaps: "2"},
			links:   []string{"https://sagekey.example.com/runs"},
			remedy:  "permissions",
		},
		{
			name: "denial spike",
			event: detect.Event{Kind: detect.KMSDenialSpike, Severity: finding.High, At: t0,
				Account: "111122223333", Region: "us-east-1", Resource: key, Denials: 42, Baseline: 1.5,
				Principal: "arn:aws:iam::111122223333:role/app", Action: "kms:Decrypt", Key: "kms-denial-spike:1"},
			kind: alert.KMSDenialSpike, title: "42 KMS access denials on key 1234abcd", hasKey: true,
			details: map[string]string{alert.DetailDenials: "42", alert.DetailBaseline: "1.50",
				alert.DetailPrincipal: "arn:aws:iam::111122223333:role/app", "operation": "kms:Decrypt", alert.DetailOwner: "security"},
			links:  []string{"https://sagekey.example.com/keys/arn:aws:kms:us-east-1:111122223333:key%2F1234abcd"},
			remedy: "CloudTrail",
		},
		{
			name: "key lifecycle event",
			event: detect.Event{Kind: detect.KeyLifecycleEvent, Severity: finding.High, At: t0,
				Account: "111122223333", Region: "us-east-1", Resource: finding.Resource{ARN: keyARN, Kind: "kms-key"},
				ToState: "Disabled", Principal: "arn:aws:iam::111122223333:role/ops", Action: "kms:DisableKey",
				EventID: "ev-1", Key: "key-lifecycle-event:1"},
			kind: alert.KeyLifecycleEvent, title: "DisableKey on key 1234abcd", hasKey: true,
			details: map[string]string{alert.DetailEvent: "DisableKey", alert.DetailPrincipal: "arn:aws:iam::111122223333:role/ops",
				"event_id": "ev-1"},
			links:  []string{"https://sagekey.example.com/keys/arn:aws:kms:us-east-1:111122223333:key%2F1234abcd"},
			remedy: "enable-key --key-id " + keyARN,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := FromEvents([]detect.Event{c.event}, opts)
			if len(got) != 1 {
				t.Fatalf("%d alerts", len(got))
			}
			a := got[0]
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
			if a.Kind != c.kind || a.RunID != c.runID || a.Title != c.title || a.CheckID != c.check ||
				a.Severity != c.event.Severity || !a.Time.Equal(c.event.At) ||
				a.Account != c.event.Account || a.Region != c.event.Region {
				t.Errorf("alert %+v", a)
			}
			if (a.Key != nil) != c.hasKey || (a.Resource != nil) != c.hasRes {
				t.Errorf("key %v resource %v", a.Key, a.Resource)
			}
			if !maps.Equal(a.Details, c.details) {
				t.Errorf("details %v, want %v", a.Details, c.details)
			}
			var links []string
			for _, l := range a.Links {
				links = append(links, l.URL)
			}
			if !slices.Equal(links, c.links) {
				t.Errorf("links %v, want %v", links, c.links)
			}
			if (c.remedy == "") != (a.Remediation == "") || !strings.Contains(a.Remediation, c.remedy) {
				t.Errorf("remediation %q, want it to contain %q", a.Remediation, c.remedy)
			}
			if again := FromEvents([]detect.Event{c.event}, opts); again[0].ID != a.ID {
				t.Error("alert id is not stable")
			}
		})
	}
}

func TestFromEventsKeyAndBlastRadius(t *testing.T) {
	br := make([]finding.Resource, alert.MaxBlastResources+3)
	for i := range br {
		br[i] = nb
	}
	e := detect.Event{Kind: detect.KeyStateChanged, Severity: finding.High, At: t0, RunID: 3, Resource: key,
		FromState: "Enabled", ToState: "Disabled", BlastRadius: br, Key: "k"}
	a := FromEvents([]detect.Event{e}, Options{})[0]
	if a.Key.ARN != keyARN || a.Key.State != "Disabled" || a.Key.BlastRadius.Count != len(br) ||
		len(a.Key.BlastRadius.Resources) != alert.MaxBlastResources || a.Key.BlastRadius.Resources[0].Name != "research" {
		t.Errorf("key %+v", a.Key)
	}
	// No dashboard: only the check's documentation.
	if len(a.Links) != 1 || !strings.HasPrefix(a.Links[0].URL, "https://github.com/") {
		t.Errorf("links %+v", a.Links)
	}
	// The default owner tag is "owner".
	e.Resource.Tags = map[string]string{"owner": "team-a"}
	if got := FromEvents([]detect.Event{e}, Options{})[0].Details[alert.DetailOwner]; got != "team-a" {
		t.Errorf("owner %q", got)
	}
}

func TestFromEventsIDsAndEdgeCases(t *testing.T) {
	base := detect.Event{Kind: detect.ViolationOpened, Severity: finding.High, At: t0, RunID: 1, Resource: nb, Key: "k1"}
	other := base
	other.Key = "k2"
	nextRun := base
	nextRun.RunID = 2
	unknown := base
	unknown.Kind = "something-new"
	wild := base
	wild.Severity = 42
	noTime := detect.Event{Kind: detect.ScanFailed, Key: "k3"}
	got := FromEvents([]detect.Event{base, other, nextRun, unknown, wild, noTime}, Options{})
	if len(got) != 5 {
		t.Fatalf("want the unknown kind skipped: %d alerts", len(got))
	}
	if got[0].ID == got[1].ID || got[0].ID == got[2].ID {
		t.Error("different events share an id")
	}
	if got[3].Severity != finding.Critical {
		t.Errorf("out-of-range severity became %v", got[3].Severity)
	}
	for _, a := range got {
		if err := a.Validate(); err != nil {
			t.Error(err)
		}
	}
	if FromEvents(nil, Options{}) == nil {
		t.Error("nil events should give an empty, non-nil list")
	}
}

func TestAlertKindCoversDetect(t *testing.T) {
	for _, k := range []detect.Kind{detect.ViolationOpened, detect.ViolationReopened, detect.KeyStateChanged,
		detect.ComplianceDropped, detect.ScanFailed, detect.NewGaps, detect.KMSDenialSpike, detect.KeyLifecycleEvent} {
		ak, ok := AlertKind(k)
		if !ok || !ak.Valid() || strings.ReplaceAll(string(k), "-", "_") != string(ak) {
			t.Errorf("%s maps to %q, %v", k, ak, ok)
		}
	}
}
