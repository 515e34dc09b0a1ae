package collect

import (
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/sagekey/sagekey/internal/inventory"
)

func TestDetachCopiesAndShares(t *testing.T) {
	// Built from one buffer, as the SDK's string arena builds a response.
	const kind, prefix, keyRef, tagKey, tagValue = "training-job", "arn:aws:sagemaker:us-east-1:123456789012:training-job/", "alias/ml", "team", "risk"
	arena := kind + prefix + keyRef + tagKey + tagValue
	part := func(before, s string) string { i := len(before); return arena[i : i+len(s)] }
	mk := func(name string) inventory.Resource {
		return inventory.Resource{
			Kind: part("", kind), ARN: part(kind, prefix) + name, Name: name, Account: "123456789012", Region: "us-east-1",
			Tags:           map[string]string{part(kind+prefix+keyRef, tagKey): part(kind+prefix+keyRef+tagKey, tagValue)},
			Slots:          []inventory.Slot{{Type: "output", Name: "output", Label: "model output", KeyRef: part(kind+prefix, keyRef), InstanceTypes: []string{"ml.m5.xlarge"}}},
			ExecutionRoles: []string{"arn:aws:iam::123456789012:role/exec"}, Attributes: map[string]string{"a": "b"},
		}
	}
	in := newInterner()
	orig := mk("a")
	got := detach(orig, in)
	if !reflect.DeepEqual(got, orig) {
		t.Fatalf("detach changed the resource:\n%+v\n%+v", got, orig)
	}
	if unsafe.StringData(got.Kind) == unsafe.StringData(orig.Kind) || unsafe.StringData(got.Slots[0].KeyRef) == unsafe.StringData(orig.Slots[0].KeyRef) {
		t.Error("a kept string still points into the response")
	}
	orig.Tags["team"], orig.Slots[0].KeyRef, orig.ExecutionRoles[0], orig.Attributes["a"] = "other", "x", "y", "z"
	if got.Tags["team"] != "risk" || got.Slots[0].KeyRef != "alias/ml" || got.ExecutionRoles[0] != "arn:aws:iam::123456789012:role/exec" || got.Attributes["a"] != "b" {
		t.Errorf("the copy shares a map or slice with the original: %+v", got)
	}
	second := detach(mk("b"), in)
	if unsafe.StringData(second.Slots[0].KeyRef) != unsafe.StringData(got.Slots[0].KeyRef) ||
		unsafe.StringData(second.Kind) != unsafe.StringData(got.Kind) {
		t.Error("a repeated value is not shared between resources")
	}
	if unsafe.SliceData(second.ExecutionRoles) != unsafe.SliceData(got.ExecutionRoles) {
		t.Error("resources run by the same role do not share its list")
	}
	// Lists of several roles are shared whole; a list that only starts
	// like another, or names the same roles in another order, is its own.
	two := []string{"arn:aws:iam::123456789012:role/exec", "arn:aws:iam::123456789012:role/model"}
	swapped := []string{two[1], two[0]}
	a, b := detach(inventory.Resource{ExecutionRoles: two}, in), detach(inventory.Resource{ExecutionRoles: slices.Clone(two)}, in)
	c := detach(inventory.Resource{ExecutionRoles: swapped}, in)
	if !slices.Equal(a.ExecutionRoles, two) || unsafe.SliceData(a.ExecutionRoles) != unsafe.SliceData(b.ExecutionRoles) {
		t.Errorf("two resources run by the same two roles: %v and %v, not one shared list", a.ExecutionRoles, b.ExecutionRoles)
	}
	if !slices.Equal(c.ExecutionRoles, swapped) || unsafe.SliceData(c.ExecutionRoles) == unsafe.SliceData(a.ExecutionRoles) ||
		!slices.Equal(got.ExecutionRoles, []string{two[0]}) {
		t.Errorf("role lists mixed up: %v, %v, %v", got.ExecutionRoles, a.ExecutionRoles, c.ExecutionRoles)
	}
	// A name that ends the ARN is that part of the detached ARN; one that
	// does not, or ends it only as part of a longer name, is a copy.
	if unsafe.StringData(got.Name) != unsafe.StringData(got.ARN[len(got.ARN)-1:]) {
		t.Error("the name is not the end of the detached ARN")
	}
	for _, r := range []inventory.Resource{
		{ARN: "arn:aws:sagemaker:us-east-1:123456789012:training-job/xa", Name: "a"},
		{ARN: "arn:aws:sagemaker:us-east-1:123456789012:training-job/a", Name: "b"},
	} {
		d := detach(r, in)
		if d.Name != r.Name || unsafe.StringData(d.Name) == unsafe.StringData(d.ARN[len(d.ARN)-1:]) {
			t.Errorf("%s named %s: detached as %q, sharing the ARN's bytes", r.ARN, r.Name, d.Name)
		}
	}
	if empty := detach(inventory.Resource{}, in); !reflect.DeepEqual(empty, inventory.Resource{}) {
		t.Errorf("detach of the zero resource = %+v", empty)
	}
}

func TestTagSetsShare(t *testing.T) {
	var s TagSets
	a := s.Share(map[string]string{"team": "risk", "cost-center": "cc-1"})
	b := s.Share(map[string]string{"cost-center": "cc-1", "team": "risk"})
	c := s.Share(map[string]string{"team": "risk"})
	if reflect.ValueOf(a).UnsafePointer() != reflect.ValueOf(b).UnsafePointer() {
		t.Error("equal tag sets are not shared")
	}
	if reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(c).UnsafePointer() || len(c) != 1 {
		t.Errorf("different tag sets shared: %v %v", a, c)
	}
	// A key and value that differ only in where the separator falls must
	// not be taken for each other.
	d := s.Share(map[string]string{"a": "b\x00c"})
	e := s.Share(map[string]string{"a\x00b": "c"})
	if d["a"] != "b\x00c" || e["a\x00b"] != "c" {
		t.Errorf("tag sets with separators mixed up: %q %q", d, e)
	}
	if s.Share(nil) != nil {
		t.Error("nil tags must stay nil (never tagged or all removed)")
	}
	if empty := s.Share(map[string]string{}); empty == nil || len(empty) != 0 {
		t.Errorf("empty tags = %v, want empty and not nil", empty)
	}
}

func TestDetachSharesEqualSlots(t *testing.T) {
	in := newInterner()
	slots := func(out string) []inventory.Slot {
		return []inventory.Slot{
			{Type: "volume", Name: "volume", Label: "ML volume", KeyRef: "alias/ml", InstanceTypes: []string{"ml.m5.xlarge"}},
			{Type: "output", Name: "output", Label: "output in S3", KeyRef: "alias/ml", OutputURI: out},
		}
	}
	a := detach(inventory.Resource{ARN: "a", Slots: slots("s3://b/out/")}, in)
	b := detach(inventory.Resource{ARN: "b", Slots: slots("s3://b/out/")}, in)
	c := detach(inventory.Resource{ARN: "c", Slots: slots("s3://b/other/")}, in)
	if &a.Slots[0] != &b.Slots[0] {
		t.Error("equal slots are not shared")
	}
	if &a.Slots[0] == &c.Slots[0] || c.Slots[1].OutputURI != "s3://b/other/" {
		t.Errorf("slots that differ in their output are shared: %+v", c.Slots)
	}
	if !reflect.DeepEqual(a.Slots, slots("s3://b/out/")) {
		t.Errorf("shared slots changed: %+v", a.Slots)
	}
	// The same bytes split between fields otherwise are other slots, even
	// should their hashes meet.
	e := detach(inventory.Resource{ARN: "e", Slots: []inventory.Slot{{Type: "vol", Name: "umevolume"}}}, in)
	f := detach(inventory.Resource{ARN: "f", Slots: []inventory.Slot{{Type: "volume", Name: "volume"}}}, in)
	if e.Slots[0].Name != "umevolume" || f.Slots[0].Name != "volume" {
		t.Errorf("slots split otherwise are shared: %+v %+v", e.Slots, f.Slots)
	}
	if d := detach(inventory.Resource{ARN: "d"}, in); d.Slots != nil {
		t.Errorf("no slots became %+v", d.Slots)
	}
}
