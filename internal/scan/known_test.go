package scan

import (
	"context"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/store"
)

// A window promises that every record of its kind is stored, so a kind
// with a record that could not be stored (an unreadable slot) gets none,
// while the fully read records are still stored.
func TestToStoreWithholdsTheWindowOfAKindWithAnUnstorableRecord(t *testing.T) {
	t.Parallel()
	const acct = "111122223333"
	created := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	record := func(kind, name, unknown string) inventory.Resource {
		return inventory.Resource{Kind: kind, ARN: "arn:" + name, Name: name, Account: acct, Region: "us-east-1", CreatedAt: created,
			Slots: []inventory.Slot{{Type: "volume", Name: "volume", Unknown: unknown}}}
	}
	inv := inventory.Inventory{Resources: []inventory.Resource{
		record("training-job", "tj-ok", ""),
		record("processing-job", "pj-ok", ""),
		record("processing-job", "pj-unreadable", "ProcessingResources not returned"),
		record("notebook-instance", "nb", ""), // mutable: never stored
	}}
	target := collect.Target{Account: acct, Region: "us-east-1"}
	outcomes := []collect.Outcome{
		{Job: collect.Job{Target: target, Collector: fakeCollector{kinds: []string{"training-job"}}}, Complete: true},
		{Job: collect.Job{Target: target, Collector: fakeCollector{kinds: []string{"processing-job"}}}, Complete: true},
		{Job: collect.Job{Target: target, Collector: fakeCollector{kinds: []string{"notebook-instance"}}}, Complete: true},
	}
	started := created.Add(time.Hour)
	records, windows := newKnownRecords(&knownFake{}, true).toStore(context.Background(), inv, outcomes, time.Time{}, started)
	var stored, windowed []string
	for _, r := range records {
		stored = append(stored, r.Name)
	}
	for _, w := range windows {
		windowed = append(windowed, w.Kind)
		if !w.Until.Equal(started) || !w.From.IsZero() {
			t.Errorf("window %+v, want [zero, %v)", w, started)
		}
	}
	if want := []string{"tj-ok", "pj-ok"}; !slices.Equal(stored, want) {
		t.Errorf("stored %v, want %v", stored, want)
	}
	if want := []string{"training-job"}; !slices.Equal(windowed, want) {
		t.Errorf("windows for %v, want %v", windowed, want)
	}
}

// A record stored before execution roles were recorded is described again;
// the new description must replace it, or every later scan would describe
// it again. A served record that comes back as it was is not stored again.
func TestToStoreReplacesARecordThatGainedItsRoles(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	job := func(name string, roles ...string) inventory.Resource {
		return inventory.Resource{Kind: "training-job", ARN: "arn:" + name, Name: name, Account: "111122223333",
			Region: "us-east-1", CreatedAt: created, ExecutionRoles: roles,
			Slots: []inventory.Slot{{Type: "volume", Name: "volume", KeyRef: "alias/k"}}}
	}
	stored := &knownFake{records: []inventory.Resource{
		job("old"), // stored without roles
		job("same", "arn:aws:iam::111122223333:role/r"),
	}}
	k := newKnownRecords(stored, true)
	inv := inventory.Inventory{Resources: []inventory.Resource{
		job("new", "arn:aws:iam::111122223333:role/r"),
		job("old", "arn:aws:iam::111122223333:role/r"),
		job("same", "arn:aws:iam::111122223333:role/r"),
	}}
	records, _ := k.toStore(context.Background(), inv, nil, time.Time{}, created.Add(time.Hour))
	var names []string
	for _, r := range records {
		names = append(names, r.Name)
	}
	if want := []string{"new", "old"}; !slices.Equal(names, want) {
		t.Errorf("stored %v, want %v", names, want)
	}
	// The store was asked about the three records at once, not one by one.
	if stored.lookups != 1 {
		t.Errorf("%d store lookups, want 1", stored.lookups)
	}
}

// knownFake is a KnownStore holding records in memory.
type knownFake struct {
	records []inventory.Resource
	lookups int
}

func (k *knownFake) KnownRecords(_ context.Context, account, region, kind string) iter.Seq2[inventory.Resource, error] {
	return func(yield func(inventory.Resource, error) bool) {
		for _, r := range k.records {
			if r.Account == account && r.Region == region && r.Kind == kind && !yield(r, nil) {
				return
			}
		}
	}
}

func (k *knownFake) KnownRecordsByARN(ctx context.Context, account, region, kind string, arns []string) (map[string]inventory.Resource, error) {
	k.lookups++
	out := map[string]inventory.Resource{}
	for r := range k.KnownRecords(ctx, account, region, kind) {
		if slices.Contains(arns, r.ARN) {
			out[r.ARN] = r
		}
	}
	return out, nil
}

func (k *knownFake) KnownWindow(context.Context, string, string, string) (store.KnownWindow, bool, error) {
	return store.KnownWindow{}, false, nil
}

func (k *knownFake) SaveKnown(context.Context, []*inventory.Resource, []store.KnownWindow) error {
	return nil
}
