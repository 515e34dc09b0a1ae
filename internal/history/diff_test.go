package history

import (
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
)

func TestCompare(t *testing.T) {
	fixed, newFail, deleted, moved, muted, sev, elsewhere := nb("fixed", east), nb("new", east), nb("deleted", east), nb("moved", east), nb("muted", east), nb("sev", east), nb("w", west)
	a := []Observation{
		obs(fixed, finding.Fail), obs(newFail, finding.Pass), obs(deleted, finding.Fail),
		obs(moved, finding.Pass), obs(muted, finding.Fail), obs(sev, finding.Fail), obs(elsewhere, finding.Fail),
	}
	sevLow := obs(sev, finding.Fail)
	sevLow.Severity = finding.Low
	b := []Observation{
		obs(fixed, finding.Pass), obs(newFail, finding.Fail), obs(moved, finding.Error), obs(muted, finding.Muted), sevLow,
	}
	d := Compare(a, b, fullScope(east))
	if len(d.New) != 1 || d.New[0].ResourceARN != newFail.ResourceARN {
		t.Errorf("new = %+v, want only %s", d.New, newFail.ResourceARN)
	}
	want := map[string]Resolution{fixed.ResourceARN: ResolvedPassed, deleted.ResourceARN: ResolvedDeleted, muted.ResourceARN: ResolvedMuted}
	if len(d.Resolved) != len(want) {
		t.Errorf("resolved = %+v", d.Resolved)
	}
	for _, r := range d.Resolved {
		if want[r.ResourceARN] != r.Resolution {
			t.Errorf("%s resolved as %q, want %q", r.ResourceARN, r.Resolution, want[r.ResourceARN])
		}
	}
	if len(d.Changed) != 2 {
		t.Errorf("changed = %+v, want the PASS→ERROR and the severity change", d.Changed)
	}
	if len(d.Unverified) != 1 || d.Unverified[0].ResourceARN != elsewhere.ResourceARN {
		t.Errorf("unverified = %+v, want the eu-west-1 notebook", d.Unverified)
	}
}

func TestFingerprintIsStable(t *testing.T) {
	a := nb("a", east)
	b := a
	b.Region, b.Kind = "", "" // only check, ARN and slot identify
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("fingerprint depends on more than check, ARN and slot")
	}
	c := a
	c.Slot = "volume"
	if a.Fingerprint() == c.Fingerprint() {
		t.Error("slot does not change the fingerprint")
	}
	if got := len(a.Fingerprint()); got != 32 {
		t.Errorf("fingerprint length %d", got)
	}
}
