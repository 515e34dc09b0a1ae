package finding

import (
	"reflect"
	"testing"
)

// countingSource makes finding i on demand and counts how often.
type countingSource struct{ made *int }

func (s countingSource) Len() int { return 5 }
func (s countingSource) Finding(i int) Finding {
	*s.made++
	return Finding{CheckID: string(rune('a' + i)), Status: []Status{Fail, Pass}[i%2]}
}

func TestList(t *testing.T) {
	t.Parallel()
	made := 0
	lazy := Lazy(countingSource{made: &made})
	plain := NewList(lazy.Collect())
	if made != 5 {
		t.Fatalf("Collect made %d findings, want 5", made)
	}
	var zero List
	if zero.Len() != 0 || len(zero.Collect()) != 0 {
		t.Errorf("the zero list is not empty")
	}
	for name, l := range map[string]List{"lazy": lazy, "plain": plain} {
		failed := l.Where(func(f *Finding) bool { return f.Status == Fail })
		if got := checkIDs(failed); !reflect.DeepEqual(got, []string{"a", "c", "e"}) {
			t.Errorf("%s: Where kept %v", name, got)
		}
		// Where of Where keeps positions in the first list.
		if got := checkIDs(failed.Where(func(f *Finding) bool { return f.CheckID != "c" })); !reflect.DeepEqual(got, []string{"a", "e"}) {
			t.Errorf("%s: Where of Where kept %v", name, got)
		}
		if f := failed.At(1); f.CheckID != "c" {
			t.Errorf("%s: At(1) of the failures = %q", name, f.CheckID)
		}
		n := 0
		for range l.All() {
			n++
			break
		}
		if n != 1 {
			t.Errorf("%s: All did not stop when asked", name)
		}
	}
}

func checkIDs(l List) []string {
	var out []string
	for _, f := range l.All() {
		out = append(out, f.CheckID)
	}
	return out
}
