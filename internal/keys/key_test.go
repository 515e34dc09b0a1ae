package keys

import (
	"reflect"
	"testing"
)

// TestSetFromInvertsDistinctAndRefIndex stores a set the way a scan does
// and rebuilds it: every reference must find the same key again.
func TestSetFromInvertsDistinctAndRefIndex(t *testing.T) {
	t.Parallel()
	a := &Key{Ref: "arn:aws:kms:us-east-1:111122223333:key/a", ARN: "arn:aws:kms:us-east-1:111122223333:key/a", State: "Disabled"}
	b := &Key{Ref: "arn:aws:kms:us-east-1:111122223333:key/b", ARN: "arn:aws:kms:us-east-1:111122223333:key/b", State: StateEnabled}
	orig := NewSet()
	orig.Put("arn:aws:kms:us-east-1:111122223333:alias/a", a)
	orig.Put(a.ARN, a)
	orig.Put(b.ARN, b)

	got := SetFrom(orig.Distinct(), orig.RefIndex())
	for ref, want := range map[string]*Key{"arn:aws:kms:us-east-1:111122223333:alias/a": a, a.ARN: a, b.ARN: b} {
		k, ok := got.Get(ref)
		if !ok || !reflect.DeepEqual(*k, *want) {
			t.Errorf("Get(%s) = %+v, %v; want %+v", ref, k, ok, want)
		}
	}
	if !reflect.DeepEqual(got.RefIndex(), orig.RefIndex()) {
		t.Errorf("RefIndex differs: %v vs %v", got.RefIndex(), orig.RefIndex())
	}
	if _, ok := SetFrom(nil, map[string]string{"x": "missing"}).Get("x"); ok {
		t.Error("a reference to a key that was not stored resolved")
	}
}
