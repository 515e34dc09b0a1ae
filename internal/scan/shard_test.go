package scan

import (
	"context"
	"testing"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/shard"
	"github.com/sagekey/sagekey/internal/store"
)

func TestOwnedUnitsSplitsTheEstate(t *testing.T) {
	t.Parallel()
	regions := []string{"eu-central-1", "eu-west-1", "us-east-1", "us-east-2", "us-west-2"}
	var (
		accounts []awsclient.Account
		reached  []reachedAccount
		gaps     []inventory.Gap
	)
	for _, id := range []string{"111111111111", "222222222222", "333333333333", "444444444444"} {
		a := awsclient.Account{ID: id}
		accounts = append(accounts, a)
		reached = append(reached, reachedAccount{Account: a, regions: regions})
	}
	for _, id := range []string{"555555555555", "666666666666", "777777777777"} {
		accounts = append(accounts, awsclient.Account{ID: id})
		gaps = append(gaps, inventory.Gap{Account: id, Service: "sts:AssumeRole", Reason: "denied"})
	}

	const n = 3
	units := map[[2]string]int{}
	gapOwners := map[string]int{}
	for i := range n {
		spec := shard.Spec{Index: i, Count: n}
		acc, got, g := ownedUnits(spec, accounts, reached, gaps)
		listed := map[string]bool{}
		for _, a := range acc {
			listed[a.ID] = true
		}
		for _, a := range got {
			if len(a.regions) == 0 || !listed[a.ID] {
				t.Errorf("shard %d: account %s kept with regions %v, listed %v", i, a.ID, a.regions, listed[a.ID])
			}
			for _, r := range a.regions {
				if !spec.Owns(a.ID, r) {
					t.Errorf("shard %d kept %s/%s, which it does not own", i, a.ID, r)
				}
				units[[2]string{a.ID, r}]++
			}
		}
		for _, gap := range g {
			gapOwners[gap.Account]++
			if !listed[gap.Account] {
				t.Errorf("shard %d reports a gap for %s but does not list the account", i, gap.Account)
			}
		}
		// The input is not modified: every shard splits the same estate.
		if len(reached[0].regions) != len(regions) {
			t.Fatal("ownedUnits changed its input")
		}
	}
	if len(units) != 4*len(regions) {
		t.Errorf("%d units scanned, want %d", len(units), 4*len(regions))
	}
	for u, c := range units {
		if c != 1 {
			t.Errorf("%v scanned by %d shards", u, c)
		}
	}
	for _, gap := range gaps {
		if gapOwners[gap.Account] != 1 {
			t.Errorf("gap of %s reported by %d shards, want 1", gap.Account, gapOwners[gap.Account])
		}
	}

	acc, got, g := ownedUnits(shard.Spec{}, accounts, reached, gaps)
	if len(acc) != len(accounts) || len(got) != len(reached) || len(g) != len(gaps) {
		t.Error("an unsharded scan must keep everything")
	}
}

type recordingSaver struct{ got store.RunRecord }

func (r *recordingSaver) SaveRun(_ context.Context, rec store.RunRecord) (int64, error) {
	r.got = rec
	return 7, nil
}

func TestSaverRecordsTheSweep(t *testing.T) {
	t.Parallel()
	rs := &recordingSaver{}
	o := Options{Store: rs, Shard: shard.Spec{Index: 1, Count: 3}, Sweep: "sagekey-sweep-29421180"}
	if _, err := o.saver().SaveRun(context.Background(), store.RunRecord{}); err != nil {
		t.Fatal(err)
	}
	want := store.RunShard{Sweep: "sagekey-sweep-29421180", Index: 1, Count: 3}
	if rs.got.Run.Shard == nil || *rs.got.Run.Shard != want {
		t.Errorf("stored shard %+v, want %+v", rs.got.Run.Shard, want)
	}
	if plain := (Options{Store: rs}); plain.saver() != Saver(rs) {
		t.Error("an unsharded scan must store through Store as is")
	}
	if none := (Options{Shard: shard.Spec{Index: 0, Count: 2}}); none.saver() != nil {
		t.Error("no store, no saver")
	}
}

func TestRunRefusesAShardWithoutASweep(t *testing.T) {
	t.Parallel()
	_, err := Run(context.Background(), Options{Shard: shard.Spec{Index: 0, Count: 2}})
	if err == nil {
		t.Fatal("a shard without a sweep id was run")
	}
}
