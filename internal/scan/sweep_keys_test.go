package scan

import (
	"slices"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/store"
)

func TestShardDefersKeyFindings(t *testing.T) {
	obs := func(kind, check string, st finding.Status) history.Observation {
		return history.Observation{Subject: history.Subject{Kind: kind, CheckID: check, ResourceARN: kind + "/" + check}, Status: st}
	}
	rec := store.RunRecord{
		Run: store.Run{Scope: history.Scope{Checks: []string{"notebook-instance.cmk", "kms-key.shared", "kms-key.state"}},
			Counts: map[finding.Status]int{finding.Fail: 2, finding.Pass: 1}},
		Observations: []history.Observation{
			obs("notebook-instance", "notebook-instance.cmk", finding.Fail),
			obs(rules.KeyKind, "kms-key.shared", finding.Pass),
			obs(rules.KeyKind, "kms-key.state", finding.Fail),
		},
	}
	got := withoutKeyFindings(rec)
	if kept := slices.Collect(got.Observed()); len(kept) != 1 || kept[0].Kind != "notebook-instance" {
		t.Errorf("observations = %+v, want the notebook's only", kept)
	}
	if !slices.Equal(got.Run.Scope.Checks, []string{"notebook-instance.cmk"}) ||
		!slices.Equal(got.Run.Scope.Deferred, []string{"kms-key.shared", "kms-key.state"}) {
		t.Errorf("checks %v deferred %v", got.Run.Scope.Checks, got.Run.Scope.Deferred)
	}
	if got.Run.Counts[finding.Fail] != 1 || got.Run.Counts[finding.Pass] != 0 {
		t.Errorf("counts = %v, want the stored findings'", got.Run.Counts)
	}
	if len(rec.Observations) != 3 || len(rec.Run.Scope.Checks) != 3 {
		t.Errorf("the record given was changed")
	}
	// The shard covers no key finding: the sweep's judgement does.
	key := history.Subject{Kind: rules.KeyKind, CheckID: "kms-key.state", Account: "1", Region: "r"}
	shardScope := got.Run.Scope
	shardScope.Complete = []history.Coverage{{Account: "1", Region: "r", Kinds: []string{"notebook-instance", rules.KeyKind}}}
	if shardScope.Covers(key) {
		t.Errorf("a shard's scope covers a key finding")
	}
	sweep := sweepKeyScope("s1", []store.Run{{Scope: shardScope}, {Scope: history.Scope{Accounts: []string{"2"}, Regions: []string{"r"},
		Complete: []history.Coverage{{Account: "2", Region: "r", Kinds: []string{"notebook-instance"}}}}}}, []string{"kms-key.state"})
	if !sweep.Covers(key) {
		t.Errorf("the sweep's key scope does not cover a key of a unit seen completely: %+v", sweep)
	}
	key.Account = "2" // its unit had a gap: its keys were not all seen
	if sweep.Covers(key) {
		t.Errorf("the sweep's key scope covers a key of a unit with a gap")
	}
	if sweep.Covers(history.Subject{Kind: "notebook-instance", CheckID: "kms-key.state", Account: "1", Region: "r", ResourceARN: "nb"}) {
		t.Errorf("the sweep's key scope covers a resource")
	}
}
