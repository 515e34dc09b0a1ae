package schedule

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// recorder's job records when it ran, takes took on the fake clock, returns
// errs[i] for run i, and cancels ctx after n runs.
type recorder struct {
	clock  *fakeClock
	cancel context.CancelFunc
	n      int
	took   time.Duration
	errs   map[int]error
	ran    []time.Time
}

func (r *recorder) job(ctx context.Context) error {
	i := len(r.ran)
	r.ran = append(r.ran, r.clock.Now())
	r.clock.advance(r.took)
	if len(r.ran) == r.n {
		r.cancel()
	}
	return r.errs[i]
}

type hookLog struct {
	waits    []time.Time
	retries  []bool
	failures []int
	skips    []time.Time
}

func (h *hookLog) hooks() Hooks {
	return Hooks{
		OnWait:    func(at time.Time, retry bool) { h.waits = append(h.waits, at); h.retries = append(h.retries, retry) },
		OnFailure: func(_ error, attempt int) { h.failures = append(h.failures, attempt) },
		OnSkip:    func(at time.Time) { h.skips = append(h.skips, at) },
	}
}

func equalTimes(t *testing.T, what string, got, want []time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range got {
		if !got[i].Equal(want[i]) {
			t.Fatalf("%s[%d] = %s, want %s (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

func TestRunnerRunsAtScheduledTimes(t *testing.T) {
	cronHourly, err := ParseCron("0 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		sched Schedule
		took  time.Duration
		start bool
		want  []time.Time
	}{
		{"every, instant job", Every{Interval: time.Hour}, 0, false, []time.Time{at(11, 30), at(12, 30), at(13, 30)}},
		{"every counts from the end of a run", Every{Interval: time.Hour}, 10 * time.Minute, false, []time.Time{at(11, 30), at(12, 40), at(13, 50)}},
		{"every with jitter", Every{Interval: time.Hour, Jitter: 10 * time.Minute, Rand: fracRand(0.5)}, 0, false, []time.Time{at(11, 35), at(12, 40), at(13, 45)}},
		{"cron", cronHourly, 10 * time.Minute, false, []time.Time{at(11, 0), at(12, 0), at(13, 0)}},
		{"cron, run overrunning a slot skips it", cronHourly, 70 * time.Minute, false, []time.Time{at(11, 0), at(13, 0), at(15, 0)}},
		{"run at start", Every{Interval: time.Hour}, 0, true, []time.Time{at(10, 30), at(11, 30), at(12, 30)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			clock := newFakeClock(at(10, 30))
			rec := &recorder{clock: clock, cancel: cancel, n: len(tt.want), took: tt.took}
			var log hookLog
			err := Runner{RunAtStart: tt.start}.Run(ctx, tt.sched, clock, rec.job, log.hooks())
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want context.Canceled", err)
			}
			equalTimes(t, "runs", rec.ran, tt.want)
			equalTimes(t, "waits", log.waits, tt.want)
			if len(log.failures) != 0 || len(log.skips) != 0 {
				t.Errorf("failures %v, skips %v; want none", log.failures, log.skips)
			}
			for i, r := range log.retries {
				if r {
					t.Errorf("wait %d reported as a retry", i)
				}
			}
		})
	}
}

func TestRunnerRetriesWithBackoffThenReturnsToSchedule(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock(at(10, 0))
	boom := errors.New("boom")
	rec := &recorder{clock: clock, cancel: cancel, n: 6, errs: map[int]error{0: boom, 1: boom, 2: boom}}
	var log hookLog
	r := Runner{Backoff: Backoff{Base: time.Minute, Max: 8 * time.Minute, Rand: maxRand{}}}
	err := r.Run(ctx, Every{Interval: time.Hour}, clock, rec.job, log.hooks())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	// 11:00 fails; retries after 1m, 2m, 4m; the 11:07 retry succeeds; the schedule
	// resumes where it was (12:00, from the 11:00 run), then 13:00.
	equalTimes(t, "runs", rec.ran, []time.Time{at(11, 0), at(11, 1), at(11, 3), at(11, 7), at(12, 0), at(13, 0)})
	if want := []int{1, 2, 3}; !equalInts(log.failures, want) {
		t.Errorf("OnFailure attempts = %v, want %v", log.failures, want)
	}
	if want := []bool{false, true, true, true, false, false}; !equalBools(log.retries, want) {
		t.Errorf("OnWait retry flags = %v, want %v", log.retries, want)
	}
}

func TestRunnerRetryNeverPassesTheSchedule(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock(at(10, 0))
	boom := errors.New("boom")
	errs := map[int]error{}
	for i := range 9 {
		errs[i] = boom
	}
	rec := &recorder{clock: clock, cancel: cancel, n: 10, errs: errs}
	var log hookLog
	r := Runner{Backoff: Backoff{Base: time.Minute, Max: time.Hour, Rand: maxRand{}}}
	if err := r.Run(ctx, Every{Interval: 10 * time.Minute}, clock, rec.job, log.hooks()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	// 10:10 fails (next 10:20); retries 10:11, 10:13, 10:17; the 8m retry is capped
	// at the scheduled 10:20 (next 10:30); the 16m retry is capped at 10:30; and so on.
	equalTimes(t, "runs", rec.ran, []time.Time{
		at(10, 10), at(10, 11), at(10, 13), at(10, 17), at(10, 20), at(10, 30), at(10, 40), at(10, 50), at(11, 0), at(11, 10),
	})
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9}; !equalInts(log.failures, want) {
		t.Errorf("OnFailure attempts = %v, want %v", log.failures, want)
	}
	if want := []bool{false, true, true, true, false, false, false, false, false, false}; !equalBools(log.retries, want) {
		t.Errorf("OnWait retry flags = %v, want %v", log.retries, want)
	}
}

func TestRunnerTryLock(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock(at(10, 0))
	var runs []time.Time
	job := func(context.Context) error {
		runs = append(runs, clock.Now())
		return nil
	}
	// Lock answers per call: held, another holder, error, held, held (then cancel).
	type answer struct {
		ok  bool
		err error
	}
	answers := []answer{{ok: true}, {ok: false}, {err: errors.New("db down")}, {ok: true}, {ok: true}}
	calls, held, released := 0, false, 0
	r := Runner{
		Backoff: Backoff{Base: time.Minute, Rand: minRand{}},
		TryLock: func(context.Context) (func(), bool, error) {
			a := answers[calls]
			calls++
			if calls == len(answers) {
				cancel()
			}
			if !a.ok || a.err != nil {
				return nil, a.ok, a.err
			}
			if held {
				t.Error("lock taken while held")
			}
			held = true
			return func() { held = false; released++ }, true, nil
		},
	}
	var log hookLog
	err := r.Run(ctx, Every{Interval: time.Hour}, clock, job, log.hooks())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	// 11:00 runs; 12:00 is skipped (another replica); 13:00 the lock errs and is
	// retried at 13:01; at 14:00 the lock is taken but shutdown began, so the job
	// does not start and the lock is released.
	equalTimes(t, "runs", runs, []time.Time{at(11, 0), at(13, 1)})
	equalTimes(t, "skips", log.skips, []time.Time{at(12, 0)})
	if want := []int{1}; !equalInts(log.failures, want) {
		t.Errorf("OnFailure attempts = %v, want %v", log.failures, want)
	}
	if held || released != 3 {
		t.Errorf("held %v, released %d times; want released after each of the 3 acquisitions", held, released)
	}
}

func TestRunnerStopsOnCancelWhileWaiting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := newFakeClock(at(10, 0))
	clock.block = true
	clock.waiting = make(chan struct{}, 1)
	ran := atomic.Int32{}
	done := make(chan error, 1)
	go func() {
		done <- Runner{}.Run(ctx, Every{Interval: time.Hour}, clock, func(context.Context) error { ran.Add(1); return nil }, Hooks{})
	}()
	<-clock.waiting
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if ran.Load() != 0 {
		t.Errorf("job ran %d times", ran.Load())
	}
}

func TestRunnerCancelDuringJobIsNotAFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock(at(10, 0))
	job := func(ctx context.Context) error {
		cancel()
		return ctx.Err()
	}
	var log hookLog
	if err := (Runner{}).Run(ctx, Every{Interval: time.Hour}, clock, job, log.hooks()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if len(log.failures) != 0 {
		t.Errorf("OnFailure called %v", log.failures)
	}
}

func TestRunnerAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clock := newFakeClock(at(10, 0))
	job := func(context.Context) error { t.Error("job ran"); return nil }
	if err := (Runner{RunAtStart: true}).Run(ctx, Every{Interval: time.Hour}, clock, job, Hooks{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func TestRunnerSurvivesPanic(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock(at(10, 0))
	n := 0
	job := func(context.Context) error {
		n++
		if n == 1 {
			panic("kaboom")
		}
		cancel()
		return nil
	}
	var got error
	hooks := Hooks{OnFailure: func(err error, _ int) { got = err }}
	if err := (Runner{}).Run(ctx, Every{Interval: time.Hour}, clock, job, hooks); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if n != 2 || got == nil || got.Error() != "scan panicked: kaboom" {
		t.Errorf("runs %d, failure %v; want a recovered panic then a second run", n, got)
	}
}

type neverAgain struct{ fired bool }

func (s *neverAgain) Next(after time.Time) time.Time {
	if s.fired {
		return time.Time{}
	}
	s.fired = true
	return after.Add(time.Minute)
}

func TestRunnerScheduleExhausted(t *testing.T) {
	clock := newFakeClock(at(10, 0))
	runs := 0
	err := Runner{}.Run(context.Background(), &neverAgain{}, clock, func(context.Context) error { runs++; return nil }, Hooks{})
	if !errors.Is(err, ErrNoNextTime) || runs != 1 {
		t.Errorf("Run = %v after %d runs, want ErrNoNextTime after 1", err, runs)
	}
	if err := (Runner{}).Run(context.Background(), Cron{}, clock, func(context.Context) error { return nil }, Hooks{}); !errors.Is(err, ErrNoNextTime) {
		t.Errorf("Run(Cron{}) = %v, want ErrNoNextTime", err)
	}
	if err := (Runner{}).Run(context.Background(), nil, clock, nil, Hooks{}); err == nil {
		t.Error("Run without a schedule and job: want an error")
	}
}

// TestRunnerNeverOverlaps runs a slow job on the real clock with a short schedule
// and checks that no two runs are ever in flight and that each lock is released
// before the next is taken (run it with -race).
func TestRunnerNeverOverlaps(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var inFlight, maxInFlight, runs atomic.Int32
	var locked atomic.Bool
	job := func(context.Context) error {
		n := inFlight.Add(1)
		if n > maxInFlight.Load() {
			maxInFlight.Store(n)
		}
		time.Sleep(3 * time.Millisecond) // longer than the interval
		inFlight.Add(-1)
		if runs.Add(1) == 5 {
			cancel()
		}
		return errors.New("fail, so retries come fast too")
	}
	r := Runner{
		Backoff: Backoff{Base: time.Microsecond, Max: time.Millisecond},
		TryLock: func(context.Context) (func(), bool, error) {
			if !locked.CompareAndSwap(false, true) {
				t.Error("lock taken while held")
			}
			return func() { locked.Store(false) }, true, nil
		},
	}
	err := r.Run(ctx, Every{Interval: time.Millisecond}, SystemClock{}, job, Hooks{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	if maxInFlight.Load() != 1 || runs.Load() != 5 {
		t.Errorf("max in flight %d over %d runs, want 1 over 5", maxInFlight.Load(), runs.Load())
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRunnerTrigger runs the job at once when triggered while waiting, and
// keeps the schedule: the next wait is still for the scheduled time.
func TestRunnerTrigger(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := newFakeClock(at(10, 0))
	clock.block = true
	clock.waiting = make(chan struct{}, 1)
	trigger := make(chan struct{}, 1)
	ran := make(chan time.Time, 4)
	done := make(chan error, 1)
	go func() {
		r := Runner{Trigger: trigger}
		done <- r.Run(ctx, Every{Interval: time.Hour}, clock, func(context.Context) error { ran <- clock.Now(); return nil }, Hooks{})
	}()
	for i := range 2 {
		<-clock.waiting
		trigger <- struct{}{}
		select {
		case got := <-ran:
			if !got.Equal(at(10, 0)) {
				t.Errorf("run %d at %v, want at once (10:00)", i, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("trigger %d did not run the job", i)
		}
	}
	<-clock.waiting
	cancel()
	<-done
	clock.mu.Lock()
	defer clock.mu.Unlock()
	for i, w := range clock.waits {
		if w != time.Hour {
			t.Errorf("wait %d = %v, want the scheduled hour", i, w)
		}
	}
}
