package collect

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sagekey/sagekey/internal/inventory"
)

// funcCollector is a Collector made of a function.
type funcCollector struct {
	name string
	run  func(ctx context.Context, t Target, sink Sink) error
}

func (c funcCollector) Name() string    { return c.name }
func (c funcCollector) Kinds() []string { return []string{"notebook-instance"} }
func (c funcCollector) Collect(ctx context.Context, t Target, sink Sink) error {
	return c.run(ctx, t, sink)
}

// emits reports one resource named after the collector and target.
func emits(name string) funcCollector {
	return funcCollector{name: name, run: func(_ context.Context, t Target, sink Sink) error {
		sink.Resource(inventory.Resource{Kind: "notebook-instance", Name: name, Account: t.Account, Region: t.Region,
			ARN: "arn:" + t.Region + ":" + name})
		return nil
	}}
}

var (
	east = Target{Account: "111122223333", Region: "us-east-1"}
	west = Target{Account: "111122223333", Region: "us-west-2"}
)

func names(inv inventory.Inventory) []string {
	var out []string
	for _, r := range inv.Resources {
		out = append(out, r.Region+"/"+r.Name)
	}
	return out
}

// One collector panicking or failing leaves a gap for it alone; the others
// (same region and other regions) still report.
func TestRunIsolatesFailures(t *testing.T) {
	jobs := []Job{
		{Target: east, Collector: emits("ok")},
		{Target: east, Collector: funcCollector{name: "panics", run: func(context.Context, Target, Sink) error {
			panic("boom")
		}}},
		{Target: west, Collector: funcCollector{name: "fails", run: func(context.Context, Target, Sink) error {
			return errors.New("socket closed")
		}}},
		{Target: west, Collector: emits("ok")},
	}
	jobs = append(jobs, Job{Target: east, Collector: funcCollector{name: "reports a gap", run: func(_ context.Context, t Target, sink Sink) error {
		sink.Gap(inventory.Gap{Account: t.Account, Region: t.Region, Service: "sagemaker:ListThings", Reason: "access denied"})
		return nil
	}}})
	sink := &MemorySink{}
	outcomes := Run(context.Background(), jobs, 2, sink)
	// Only a job that ran to the end without a gap proves what it did not see.
	var complete []bool
	for i, o := range outcomes {
		if !reflect.DeepEqual(o.Job.Target, jobs[i].Target) || o.Job.Collector.Name() != jobs[i].Collector.Name() {
			t.Errorf("outcome %d is for %+v, want job order", i, o.Job)
		}
		complete = append(complete, o.Complete)
	}
	if want := []bool{true, false, false, true, false}; !reflect.DeepEqual(complete, want) {
		t.Errorf("complete = %v, want %v", complete, want)
	}
	inv := sink.Inventory()
	if got, want := names(inv), []string{"us-east-1/ok", "us-west-2/ok"}; !reflect.DeepEqual(got, want) {
		t.Errorf("resources = %v, want %v", got, want)
	}
	want := []inventory.Gap{
		{Account: east.Account, Region: "us-east-1", Service: "panics", Reason: "internal error: panic: boom"},
		{Account: east.Account, Region: "us-east-1", Service: "sagemaker:ListThings", Reason: "access denied"},
		{Account: west.Account, Region: "us-west-2", Service: "fails", Reason: "fails: socket closed"},
	}
	if !reflect.DeepEqual(inv.Gaps, want) {
		t.Errorf("gaps = %+v\nwant %+v", inv.Gaps, want)
	}
}

// After cancellation every job that did not complete is a "canceled" gap:
// the one that was running and the ones that never started.
func TestRunCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started atomic.Int32
	blocking := funcCollector{name: "blocks", run: func(ctx context.Context, _ Target, _ Sink) error {
		started.Add(1)
		cancel()
		<-ctx.Done()
		return fmt.Errorf("sagemaker:ListNotebookInstances: %w", ctx.Err())
	}}
	jobs := []Job{
		{Target: east, Collector: blocking},
		{Target: west, Collector: emits("never")},
	}
	sink := &MemorySink{}
	Run(ctx, jobs, 1, sink) // limit 1: the second job waits for the first
	inv := sink.Inventory()
	if len(inv.Resources) != 0 {
		t.Errorf("resources = %+v, want none", inv.Resources)
	}
	want := []inventory.Gap{
		{Account: east.Account, Region: "us-east-1", Service: "blocks", Reason: "canceled: context canceled"},
		{Account: west.Account, Region: "us-west-2", Service: "never", Reason: "canceled: context canceled"},
	}
	if !reflect.DeepEqual(inv.Gaps, want) {
		t.Errorf("gaps = %+v\nwant %+v", inv.Gaps, want)
	}
	if started.Load() != 1 {
		t.Errorf("started %d collectors, want 1", started.Load())
	}
}

// Run honours the concurrency limit.
func TestRunLimit(t *testing.T) {
	const limit = 3
	var mu sync.Mutex
	running, peak := 0, 0
	release := make(chan struct{})
	c := funcCollector{name: "c", run: func(context.Context, Target, Sink) error {
		mu.Lock()
		running++
		peak = max(peak, running)
		reached := running == limit
		mu.Unlock()
		if reached {
			close(release)
		}
		<-release
		mu.Lock()
		running--
		mu.Unlock()
		return nil
	}}
	jobs := make([]Job, limit)
	for i := range jobs {
		jobs[i] = Job{Target: east, Collector: c}
	}
	sink := &MemorySink{}
	Run(context.Background(), append(jobs, Job{Target: west, Collector: emits("after")}), limit, sink)
	if peak != limit {
		t.Errorf("peak concurrency = %d, want %d", peak, limit)
	}
	if got := names(sink.Inventory()); !reflect.DeepEqual(got, []string{"us-west-2/after"}) {
		t.Errorf("resources = %v", got)
	}
}

func TestMemorySinkInventoryIsSorted(t *testing.T) {
	sink := &MemorySink{}
	if inv := sink.Inventory(); inv.Resources == nil || inv.Gaps == nil || inv.SchemaVersion != inventory.SchemaVersion {
		t.Errorf("empty inventory = %+v, want empty non-nil slices and the schema version", inv)
	}
	var wg sync.WaitGroup
	for _, r := range []inventory.Resource{
		{Kind: "training-job", Region: "eu-west-1", ARN: "b"},
		{Kind: "endpoint", Region: "us-east-1", ARN: "a"},
		{Kind: "training-job", Region: "eu-west-1", ARN: "a"},
		{Kind: "endpoint", Region: "eu-west-1", ARN: "z"},
	} {
		wg.Go(func() { sink.Resource(r) })
	}
	for _, g := range []inventory.Gap{
		{Account: "1", Region: "us-east-1", Service: "b"},
		{Account: "1", Region: "eu-west-1", Service: "z"},
		{Account: "1", Region: "us-east-1", Service: "a"},
	} {
		wg.Go(func() { sink.Gap(g) })
	}
	wg.Wait()
	inv := sink.Inventory()
	var got []string
	for _, r := range inv.Resources {
		got = append(got, r.Kind+"|"+r.Region+"|"+r.ARN)
	}
	want := []string{"endpoint|eu-west-1|z", "endpoint|us-east-1|a", "training-job|eu-west-1|a", "training-job|eu-west-1|b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resources order = %v, want %v", got, want)
	}
	var gaps []string
	for _, g := range inv.Gaps {
		gaps = append(gaps, g.Region+"|"+g.Service)
	}
	if want := []string{"eu-west-1|z", "us-east-1|a", "us-east-1|b"}; !reflect.DeepEqual(gaps, want) {
		t.Errorf("gaps order = %v, want %v", gaps, want)
	}
}

// Jobs start in turn across targets, each target's in the order given, so
// every region's first (longest) collectors start first; outcomes stay in
// job order.
func TestRunStartsTargetsInTurn(t *testing.T) {
	var mu sync.Mutex
	var started []string
	job := func(target Target, name string) Job {
		return Job{Target: target, Collector: funcCollector{name: name, run: func(context.Context, Target, Sink) error {
			mu.Lock()
			started = append(started, name)
			mu.Unlock()
			return nil
		}}}
	}
	jobs := []Job{job(east, "east-1"), job(east, "east-2"), job(east, "east-3"), job(west, "west-1"), job(west, "west-2")}
	outcomes := Run(context.Background(), jobs, 1, &MemorySink{})
	if want := []string{"east-1", "west-1", "east-2", "west-2", "east-3"}; !reflect.DeepEqual(started, want) {
		t.Errorf("started %v, want %v", started, want)
	}
	for i, o := range outcomes {
		if o.Job.Collector.Name() != jobs[i].Collector.Name() || !o.Complete {
			t.Errorf("outcome %d = %s (complete %v), want %s complete", i, o.Job.Collector.Name(), o.Complete, jobs[i].Collector.Name())
		}
	}
}
