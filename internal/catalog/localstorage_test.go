package catalog

import "testing"

func TestHasLocalStorage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		table Table
		typ   string
		want  bool
	}{
		{TableTraining, "ml.g4dn.xlarge", true},
		{TableTraining, "ml.p4d.24xlarge", true},
		{TableTraining, "ml.p6-b200.48xlarge", true},
		{TableTraining, "ml.m5.large", false},
		{TableTraining, "ml.m5d.large", false}, // not in the training enum's NVMe list
		{TableHosting, "ml.m5d.large", true},
		{TableHosting, "ml.c5d.xlarge", true},
		{TableHosting, "ml.inf2.xlarge", false},
		{TableTransform, "ml.g6e.xlarge", false},
		{TableNone, "ml.g4dn.xlarge", false},
		{TableHosting, "", false},
	}
	for _, tt := range tests {
		if got := HasLocalStorage(tt.table, tt.typ); got != tt.want {
			t.Errorf("HasLocalStorage(%q, %q) = %v, want %v", tt.table, tt.typ, got, tt.want)
		}
	}
}

func TestKindsAreComplete(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if seen[k.ID] {
			t.Errorf("duplicate kind %q", k.ID)
		}
		seen[k.ID] = true
		if k.Title == "" || k.ResourceType == "" || k.ListAPI == "" || k.Remediation == "" || len(k.Slots) == 0 {
			t.Errorf("kind %q has incomplete metadata: %+v", k.ID, k)
		}
		for _, s := range k.Slots {
			if s.ID == "" || s.Title == "" || s.APIField == "" || s.EmptyMeans == "" {
				t.Errorf("kind %q slot %q has incomplete metadata", k.ID, s.ID)
			}
		}
	}
	for _, id := range []string{"notebook-instance", "endpoint-config", "endpoint", "training-job", "cluster"} {
		if _, ok := Lookup(id); !ok {
			t.Errorf("kind %q missing", id)
		}
	}
}
