package kpi

import (
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// TestSweepTrend: a complete sweep is one trend point with every shard's
// verdicts, an incomplete one has none and is named, and every shard's run
// still counts for its own units in the overall figure.
func TestSweepTrend(t *testing.T) {
	shardRun := func(id int64, sweep string, index int, region string, at time.Time) store.Run {
		return store.Run{ID: id, Started: at, Finished: at.Add(time.Minute),
			Shard: &store.RunShard{Sweep: sweep, Index: index, Count: 2},
			Scope: history.Scope{Accounts: []string{acct}, Regions: []string{region}, Checks: []string{"notebook-instance.cmk"},
				Complete: []history.Coverage{{Account: acct, Region: region, Kinds: []string{"notebook-instance"}}}}}
	}
	verdict := func(region, name string, s finding.Status) history.Observation {
		return history.Observation{Subject: history.Subject{CheckID: "notebook-instance.cmk", Kind: "notebook-instance",
			Account: acct, Region: region, ResourceARN: "arn:aws:sagemaker:" + region + ":" + acct + ":notebook-instance/" + name},
			Status: s}
	}
	runs := []store.Run{
		shardRun(1, "s1", 0, "us-east-1", t0),
		shardRun(2, "s1", 1, "eu-west-1", t0.Add(time.Minute)),
		shardRun(3, "s2", 0, "us-east-1", t0.Add(time.Hour)),
	}
	obs := map[int64][]history.Observation{
		1: {verdict("us-east-1", "a", finding.Pass)},
		2: {verdict("eu-west-1", "b", finding.Fail)},
		3: {verdict("us-east-1", "a", finding.Fail)},
	}
	o := Options{From: t0.Add(-time.Hour), To: t0.Add(2 * time.Hour), Trend: TrendRun}
	c := replayCompliance(runs, obs, o)
	if len(c.Trend) != 1 || c.Trend[0].Run != 2 || !c.Trend[0].At.Equal(t0) || c.Trend[0].Tally.Pass != 1 || c.Trend[0].Tally.Fail != 1 {
		t.Errorf("trend = %+v, want one point for sweep s1 (1 pass, 1 fail)", c.Trend)
	}
	if c.Overall.Pass != 0 || c.Overall.Fail != 2 {
		t.Errorf("overall = %+v, want both failing (s2's shard 0 is the latest for us-east-1)", c.Overall)
	}
	inc := incompleteSweeps(runs, o)
	if len(inc) != 1 || inc[0].ID != "s2" || len(inc[0].Missing) != 1 || inc[0].Missing[0] != 1 {
		t.Errorf("incomplete sweeps = %+v, want s2 missing shard 1", inc)
	}
}

// TestUnitsOfShard: a shard with two accounts owning one region each does
// not claim the other two (account, region) pairs.
func TestUnitsOfShard(t *testing.T) {
	r := store.Run{Shard: &store.RunShard{Sweep: "s", Count: 2},
		Scope: history.Scope{Accounts: []string{"1", "2"}, Regions: []string{"r1", "r2"},
			Complete: []history.Coverage{{Account: "1", Region: "r1"}, {Account: "2", Region: "r2"}}}}
	if got := unitsOf(r); len(got) != 2 || got[0] != (pair{"1", "r1"}) || got[1] != (pair{"2", "r2"}) {
		t.Errorf("units = %v", got)
	}
	r.Shard = nil
	if got := unitsOf(r); len(got) != 4 {
		t.Errorf("unsharded units = %v, want the 4 pairs", got)
	}
}
