package shard

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParse(t *testing.T) {
	good := []struct {
		in   string
		env  map[string]string
		want Spec
	}{
		{"", nil, Spec{}},
		{"0/3", nil, Spec{0, 3}},
		{" 2/3 ", nil, Spec{2, 3}},
		{"0/1", nil, Spec{0, 1}},
		{"auto", map[string]string{EnvK8sIndex: "1", EnvCount: "4"}, Spec{1, 4}},
		{"auto", map[string]string{EnvBatchIndex: "7", EnvBatchSize: "10"}, Spec{7, 10}},
		{"auto", map[string]string{EnvBatchIndex: "1", EnvCount: "2"}, Spec{1, 2}},
		{"auto", map[string]string{EnvBatchIndex: "1", EnvBatchSize: "2", EnvCount: "2"}, Spec{1, 2}},
	}
	for _, c := range good {
		got, err := Parse(c.in, env(c.env))
		if err != nil || got != c.want {
			t.Errorf("Parse(%q, %v) = %v, %v; want %v", c.in, c.env, got, err, c.want)
		}
	}
	bad := []struct {
		in  string
		env map[string]string
	}{
		{"3/3", nil}, {"-1/3", nil}, {"0/0", nil}, {"1", nil}, {"a/3", nil}, {"1/b", nil},
		{"auto", nil},
		{"auto", map[string]string{EnvK8sIndex: "1"}}, // Kubernetes does not expose completions
		{"auto", map[string]string{EnvK8sIndex: "4", EnvCount: "4"}},
		{"auto", map[string]string{EnvBatchIndex: "1"}},
		{"auto", map[string]string{EnvBatchIndex: "1", EnvBatchSize: "3", EnvCount: "2"}},
	}
	for _, c := range bad {
		if got, err := Parse(c.in, env(c.env)); err == nil {
			t.Errorf("Parse(%q, %v) = %v, want an error", c.in, c.env, got)
		}
	}
}

// units is an estate of 6,000 (account, region) units: 200 accounts × 30
// regions, the scale an organization-wide sweep meets.
func units() [][2]string {
	regions := make([]string, 30)
	for i := range regions {
		regions[i] = fmt.Sprintf("xx-region-%d", i)
	}
	var out [][2]string
	for a := range 200 {
		for _, r := range regions {
			out = append(out, [2]string{fmt.Sprintf("%012d", 111122220000+a), r})
		}
	}
	return out
}

func TestEveryUnitHasExactlyOneOwner(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7} {
		for _, u := range units()[:600] {
			owners := 0
			for i := range n {
				if (Spec{Index: i, Count: n}).Owns(u[0], u[1]) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("N=%d: %v has %d owners", n, u, owners)
			}
		}
	}
	if !(Spec{}).Owns("111122223333", "us-east-1") || (Spec{}).Sharded() {
		t.Error("the zero Spec must own everything and not be a shard")
	}
	if one := (Spec{Index: 0, Count: 1}); !one.Owns("111122223333", "us-east-1") || !one.Sharded() {
		t.Error("a sweep of one shard must own everything and still be a shard")
	}
}

func TestBalanced(t *testing.T) {
	us := units()
	for _, n := range []int{2, 3, 5, 10} {
		counts := make([]int, n)
		for _, u := range us {
			counts[Owner(u[0], u[1], n)]++
		}
		want := float64(len(us)) / float64(n)
		for i, c := range counts {
			// 10% of the mean is over 4 standard deviations at 6,000 units.
			if math.Abs(float64(c)-want) > 0.10*want {
				t.Errorf("N=%d: shard %d owns %d units, want %.0f ± 10%%", n, i, c, want)
			}
		}
	}
}

func TestAddingAShardMovesFew(t *testing.T) {
	us := units()
	for _, n := range []int{2, 3, 5, 9} {
		moved := 0
		for _, u := range us {
			before, after := Owner(u[0], u[1], n), Owner(u[0], u[1], n+1)
			if before != after {
				moved++
				if after != n {
					t.Fatalf("N=%d→%d: %v moved from %d to %d, not to the new shard", n, n+1, u, before, after)
				}
			}
		}
		want := float64(len(us)) / float64(n+1)
		if math.Abs(float64(moved)-want) > 0.15*want {
			t.Errorf("N=%d→%d: %d units moved, want about %.0f", n, n+1, moved, want)
		}
	}
}

// pinnedWeight is SHA-256("111122223333/us-east-1/0")[:8], big-endian.
const pinnedWeight = 0x68a4220852750602

// TestStable pins the hash: shards of one sweep may run different sagekey
// versions, and a changed hash would reassign every unit.
func TestStable(t *testing.T) {
	got := []int{Owner("111122223333", "us-east-1", 3), Owner("111122223333", "eu-west-1", 3), Owner("444455556666", "us-east-1", 5)}
	if want := []int{2, 2, 0}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("owners %v, want %v: the unit hash changed", got, want)
	}
	if w := weight("111122223333", "us-east-1", 0); w != pinnedWeight {
		t.Errorf("weight = %#x, want %#x: the unit hash changed", w, uint64(pinnedWeight))
	}
}

func TestDefaultSweep(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 41, 5, 0, time.FixedZone("x", 3600))
	if got := DefaultSweep(env(nil), at, time.Hour); got != "2026-12-07T09:00Z" {
		t.Errorf("hourly: %q", got)
	}
	if got := DefaultSweep(env(nil), at, 15*time.Minute); got != "2026-12-07T09:30Z" {
		t.Errorf("15m: %q", got)
	}
	if got := DefaultSweep(env(nil), at, 0); got != "2026-12-07T09:00Z" {
		t.Errorf("default interval: %q", got)
	}
	b := env(map[string]string{EnvBatchJobID: "5f1c-parent:3"})
	if got := DefaultSweep(b, at, time.Hour); got != "5f1c-parent" {
		t.Errorf("batch child: %q", got)
	}
	for _, ok := range []string{"sagekey-sweep-29421180", "2026-12-07T10:00Z"} {
		if err := ValidSweep(ok); err != nil {
			t.Errorf("ValidSweep(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a b", "a\nb"} {
		if ValidSweep(bad) == nil {
			t.Errorf("ValidSweep(%q) accepted", bad)
		}
	}
}
