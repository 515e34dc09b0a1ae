package sagemaker

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
)

func TestExecutionRolesSortsDedupesAndDropsEmpty(t *testing.T) {
	assertEqual(t, "roles", executionRoles(roleARN, "", roleARN2, roleARN), []string{roleARN2, roleARN})
	assertEqual(t, "none", executionRoles("", ""), []string(nil))
}

// Every kind the brief names as running as a role has a role field, and
// kinds without a role of the customer's have none.
func TestExecutionRoleField(t *testing.T) {
	for _, kind := range []string{kindNotebook, kindTrainingJob, kindProcessingJob, kindCluster, kindTuningJob, kindDomain,
		kindUserProfile, kindFeatureGroup, "data-quality-job-definition", "model-quality-job-definition",
		"model-bias-job-definition", "model-explainability-job-definition", kindMonitoringSchedule, kindPipeline,
		kindAutoMLJob, kindLabelingJob, kindCompilationJob, kindEdgePackagingJob, kindRecommendationsJob, kindOptimizationJob,
		kindInferenceExperiment, kindDeviceFleet, kindFlowDefinition, kindPartnerApp, kindCustomizationJob,
		kindEndpointConfig, kindEndpoint, kindTransformJob, kindAlgorithm} {
		if !runsAsRole(kind) {
			t.Errorf("%s: no role field", kind)
		}
	}
	for _, kind := range []string{kindModelCard, kindModelPackage} {
		if runsAsRole(kind) {
			t.Errorf("%s: runs as no one role", kind)
		}
	}
}

// The local predicate and the catalog agree on which kinds run as a role:
// a kind the catalog checks for key access must get roles from its
// collector, and one it does not check must not carry any.
func TestRoleKindsMatchTheCatalog(t *testing.T) {
	for _, k := range catalog.Kinds() {
		if got, want := runsAsRole(k.ID), k.RoleField != ""; got != want {
			t.Errorf("%s: collector records roles = %v, catalog RoleField = %q", k.ID, got, k.RoleField)
		}
	}
}

// Concurrent callers for one key share a single call and its result.
func TestFlightSharesOneCall(t *testing.T) {
	var f flight[string, string]
	var calls atomic.Int32
	release := make(chan struct{})
	fn := func(context.Context) (string, error) {
		calls.Add(1)
		<-release
		return "v", nil
	}
	var wg sync.WaitGroup
	got := make([]string, 10)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = f.do(context.Background(), "k", fn)
		}()
	}
	time.Sleep(20 * time.Millisecond) // let them pile up behind the first
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("calls = %d, want 1", calls.Load())
	}
	for _, v := range got {
		if v != "v" {
			t.Errorf("got %q, want v", v)
		}
	}
	// Later callers get the cached result, failures included.
	if v, _ := f.do(context.Background(), "k", fn); v != "v" || calls.Load() != 1 {
		t.Errorf("cached: %q after %d calls", v, calls.Load())
	}
	boom := errors.New("boom")
	failing := func(context.Context) (string, error) { calls.Add(1); return "", boom }
	f.do(context.Background(), "bad", failing)
	if _, err := f.do(context.Background(), "bad", failing); !errors.Is(err, boom) || calls.Load() != 2 {
		t.Errorf("failure not kept: %v after %d calls", err, calls.Load())
	}
}

// A call that failed because its caller's ctx ended says nothing about the
// key: a waiter with a live ctx asks again instead of inheriting it.
func TestFlightRetriesAfterTheLeaderIsCanceled(t *testing.T) {
	var f flight[string, string]
	leaderCtx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	leaderDone := make(chan error)
	go func() {
		_, err := f.do(leaderCtx, "k", func(ctx context.Context) (string, error) {
			close(started)
			<-ctx.Done()
			return "", ctx.Err()
		})
		leaderDone <- err
	}()
	<-started
	waiter := make(chan string)
	go func() {
		v, _ := f.do(context.Background(), "k", func(context.Context) (string, error) { return "fresh", nil })
		waiter <- v
	}()
	time.Sleep(10 * time.Millisecond) // the waiter waits on the leader's call
	cancel()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v, want canceled", err)
	}
	if v := <-waiter; v != "fresh" {
		t.Errorf("waiter got %q, want its own call's result", v)
	}
}

// A panicking call must not leave its waiters blocked forever.
func TestFlightPanicReleasesWaiters(t *testing.T) {
	var f flight[string, string]
	started := make(chan struct{})
	release := make(chan struct{})
	go func() {
		defer func() { _ = recover() }()
		f.do(context.Background(), "k", func(context.Context) (string, error) {
			close(started)
			<-release
			panic("boom")
		})
	}()
	<-started
	waiter := make(chan string)
	go func() {
		v, _ := f.do(context.Background(), "k", func(context.Context) (string, error) { return "after", nil })
		waiter <- v
	}()
	time.Sleep(10 * time.Millisecond)
	close(release)
	select {
	case v := <-waiter:
		if v != "after" {
			t.Errorf("waiter got %q", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter still blocked after the call panicked")
	}
}
