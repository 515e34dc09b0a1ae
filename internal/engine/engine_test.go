package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

const keyARN = "arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111"

func testInventory() (inventory.Inventory, *keys.Set) {
	ks := keys.NewSet()
	k := &keys.Key{ARN: keyARN, Ref: keyARN, Account: "111122223333", Region: "us-east-1",
		Manager: keys.ManagerCustomer, State: "Enabled", Rotation: keys.Rotation{Enabled: true}}
	ks.Put(keyARN, k)
	ks.Put("arn:aws:kms:us-east-1:111122223333:alias/team", k)
	nb := func(name, ref, owner string) inventory.Resource {
		return inventory.Resource{Kind: "notebook-instance", Name: name, Account: "111122223333", Region: "us-east-1",
			ARN:   "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/" + name,
			Tags:  map[string]string{"owner": owner, "env": "sandbox"},
			Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: ref}}}
	}
	inv := inventory.Inventory{Resources: []inventory.Resource{
		nb("a", keyARN, "team-a"),
		nb("b", "alias/team", "team-b"),
		nb("c", "", "team-a"),
		nb("d", "alias/aws/sagemaker", "team-a"),
	}}
	return inv, ks
}

func byCheck(fs []finding.Finding, check, arnSuffix string) *finding.Finding {
	for i := range fs {
		f := &fs[i]
		if f.CheckID == check && len(f.Resource.ARN) >= len(arnSuffix) && f.Resource.ARN[len(f.Resource.ARN)-len(arnSuffix):] == arnSuffix {
			return f
		}
	}
	return nil
}

func TestEvaluateOneFindingPerResourceAndBlastRadius(t *testing.T) {
	t.Parallel()
	inv, ks := testInventory()
	fs := Evaluate(inv, ks, Settings{Checks: []string{"notebook-instance.cmk", "kms-key.*"}, OwnerTag: "owner"})
	cmk := 0
	for _, f := range fs {
		if f.CheckID == "notebook-instance.cmk" {
			cmk++
		}
	}
	if cmk != len(inv.Resources) {
		t.Errorf("want one cmk finding per resource, got %d", cmk)
	}
	// The alias and the key ARN are the same key: one key finding per rule,
	// protecting a and b; the AWS-managed alias produces no key finding.
	shared := byCheck(fs, "kms-key.shared", keyARN[len(keyARN)-10:])
	if shared == nil || len(shared.Protects) != 2 || shared.Status != finding.Fail {
		t.Fatalf("kms-key.shared = %+v", shared)
	}
	for _, f := range fs {
		if f.Resource.Kind == "kms-key" && f.Resource.ARN != keyARN {
			t.Errorf("unexpected key finding for %s", f.Resource.ARN)
		}
	}
	if fs[0].Status != finding.Fail {
		t.Errorf("failures must sort first, got %s", fs[0].Status)
	}
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	inv, ks := testInventory()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		sup     Suppression
		want    finding.Status
		expired bool
	}{
		{"by ARN glob", Suppression{Check: "notebook-instance.cmk", Resource: "arn:aws:sagemaker:*:notebook-instance/c", Reason: "legacy"}, finding.Muted, false},
		{"by tag", Suppression{Check: "notebook-instance.*", Tags: map[string]string{"env": "sandbox"}, Reason: "sandbox"}, finding.Muted, false},
		{"tag mismatch", Suppression{Check: "notebook-instance.cmk", Tags: map[string]string{"env": "prod"}, Reason: "x"}, finding.Fail, false},
		{"other check", Suppression{Check: "training-job.cmk", Reason: "x"}, finding.Fail, false},
		{"not yet expired", Suppression{Check: "notebook-instance.cmk", Reason: "x", Expires: now.Add(time.Hour)}, finding.Muted, false},
		{"expired stops applying", Suppression{Check: "notebook-instance.cmk", Reason: "until migration", Expires: now.Add(-time.Hour)}, finding.Fail, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := Evaluate(inv, ks, Settings{Checks: []string{"notebook-instance.cmk"}, Suppressions: []Suppression{tt.sup}, Now: now})
			f := byCheck(fs, "notebook-instance.cmk", "/c")
			if f == nil || f.Status != tt.want {
				t.Fatalf("got %+v, want %s", f, tt.want)
			}
			if tt.want == finding.Muted && (f.Suppression == nil || f.Suppression.Reason != tt.sup.Reason) {
				t.Errorf("muted finding must carry the reason: %+v", f.Suppression)
			}
			if tt.expired && (f.Suppression == nil || !f.Suppression.Expired || !strings.Contains(f.Message, "suppression expired")) {
				t.Errorf("expired suppression must say so: %q %+v", f.Message, f.Suppression)
			}
			// A suppression never mutes a PASS.
			if a := byCheck(fs, "notebook-instance.cmk", "/a"); a.Status != finding.Pass {
				t.Errorf("PASS changed to %s", a.Status)
			}
		})
	}
}

func TestSeverityOverrideAndSelection(t *testing.T) {
	t.Parallel()
	inv, ks := testInventory()
	fs := Evaluate(inv, ks, Settings{
		Checks: []string{"notebook-instance.*"}, SkipChecks: []string{"*.tags", "*.key-access"},
		SeverityOverrides: map[string]finding.Severity{"notebook-instance.cmk": finding.Critical},
	})
	for _, f := range fs {
		if f.CheckID != "notebook-instance.cmk" {
			t.Errorf("unselected check ran: %s", f.CheckID)
		}
		if f.Severity != finding.Critical {
			t.Errorf("override not applied: %s", f.Severity)
		}
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	g := CompileGlob("arn:aws:sagemaker:*:notebook-instance/legacy-*")
	if !g.Match("arn:aws:sagemaker:us-east-1:1:notebook-instance/legacy-x") || g.Match("arn:aws:sagemaker:us-east-1:1:notebook-instance/new") {
		t.Error("glob mismatch")
	}
	if !CompileGlob("a.b").Match("a.b") || CompileGlob("a.b").Match("axb") {
		t.Error("dots must be literal")
	}
}
