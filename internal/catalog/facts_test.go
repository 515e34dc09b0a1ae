package catalog

import "testing"

func TestFactsAreTheKinds(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		if IsImmutable(k.ID) != k.Immutable || IsJobHistory(k.ID) != k.JobHistory {
			t.Errorf("%s: IsImmutable %v IsJobHistory %v, kind says %v %v", k.ID, IsImmutable(k.ID), IsJobHistory(k.ID), k.Immutable, k.JobHistory)
		}
	}
	if IsImmutable("no-such-kind") || IsJobHistory("no-such-kind") {
		t.Error("an unknown kind has facts")
	}
}

func BenchmarkIsImmutable(b *testing.B) {
	for range b.N {
		IsImmutable("training-job")
	}
}
