package engine

import (
	"reflect"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
)

func TestFindingPartsShare(t *testing.T) {
	mk := func(keyState string) finding.Finding {
		return finding.Finding{
			Message: "all 1 applicable key slots use an Enabled customer-managed key",
			Slots:   []finding.Slot{{Name: "output", KeyRef: "alias/ml", KeyState: keyState, Status: finding.Pass}},
			Access:  []finding.Access{{Role: "r", KeyARN: "k", Slots: []string{"output"}, Actions: []string{"kms:Decrypt"}}},
		}
	}
	p := newFindingParts()
	a, b, c := mk("Enabled"), mk("Enabled"), mk("Disabled")
	want := mk("Disabled")
	for _, f := range []*finding.Finding{&a, &b, &c} {
		p.share(f)
	}
	if &a.Slots[0] != &b.Slots[0] || &a.Access[0] != &b.Access[0] {
		t.Error("equal slots or access entries are not shared")
	}
	if &a.Slots[0] == &c.Slots[0] {
		t.Error("slots that differ in key state are shared")
	}
	if &a.Access[0] != &c.Access[0] {
		t.Error("equal access entries of findings with different slots are not shared")
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("sharing changed a finding:\n%+v\n%+v", c, want)
	}
	empty := finding.Finding{Slots: []finding.Slot{}}
	p.share(&empty)
	if empty.Slots == nil || empty.Access != nil {
		t.Errorf("empty and nil slices must stay as they were: %+v", empty)
	}
}
