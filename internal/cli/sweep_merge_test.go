package cli

import (
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
)

func TestMergeSweep(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	run := store.Run{ID: 4, Started: t0.Add(time.Minute), Finished: t0.Add(3 * time.Minute),
		Counts: map[finding.Status]int{finding.Fail: 2}, Gaps: 1,
		Scope: history.Scope{Accounts: []string{"1"}, Regions: []string{"r2"}, Checks: []string{"x.cmk"}}}
	m := mergeRuns([]store.Run{
		{ID: 3, Started: t0, Finished: t0.Add(2 * time.Minute), Counts: map[finding.Status]int{finding.Fail: 1, finding.Pass: 3},
			Scope: history.Scope{Accounts: []string{"1"}, Regions: []string{"r1"}, Checks: []string{"x.cmk"}, Since: t0}},
		run,
	})
	if m.ID != 4 || !m.Started.Equal(t0) || !m.Finished.Equal(t0.Add(3*time.Minute)) || m.Counts[finding.Fail] != 3 ||
		m.Gaps != 1 || len(m.Scope.Accounts) != 1 || len(m.Scope.Regions) != 2 || len(m.Scope.Checks) != 1 || !m.Scope.Since.Equal(t0) {
		t.Errorf("merged run = %+v", m)
	}

	role := func(arn string) inventory.Role { return inventory.Role{ARN: arn} }
	s := store.MergeSnapshots([]store.Snapshot{
		{Inventory: inventory.Inventory{Resources: []inventory.Resource{{ARN: "a"}},
			IAM: []inventory.AccountIAM{{Account: "1", Roles: []inventory.Role{role("r/b")}}}},
			Keys: []keys.Key{{ARN: "k1"}}, KeyRefs: map[string]string{"ref1": "k1"}},
		{Inventory: inventory.Inventory{Resources: []inventory.Resource{{ARN: "b"}}, Gaps: []inventory.Gap{{Account: "1"}},
			IAM: []inventory.AccountIAM{{Account: "1", Roles: []inventory.Role{role("r/a"), role("r/b")}, Unknown: "denied"}}},
			Keys: []keys.Key{{ARN: "k1"}, {ARN: "k2"}}, KeyRefs: map[string]string{"ref2": "k2"}},
	})
	inv := s.Inventory
	if len(inv.Resources) != 2 || len(inv.Gaps) != 1 || len(s.Keys) != 2 || len(s.KeyRefs) != 2 {
		t.Errorf("merged snapshot = %+v", s)
	}
	// Each shard read only its own resources' roles: the account has both,
	// and stays unknown because one shard could not read it.
	if len(inv.IAM) != 1 || len(inv.IAM[0].Roles) != 2 || inv.IAM[0].Roles[0].ARN != "r/a" || inv.IAM[0].Unknown != "denied" {
		t.Errorf("merged IAM = %+v", inv.IAM)
	}
}
