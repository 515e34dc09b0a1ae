package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/store"
)

func alert(id, sink string, created time.Time) store.OutboxItem {
	return store.OutboxItem{ID: id, Sink: sink, Payload: json.RawMessage(fmt.Sprintf(`{"id":%q}`, id)), Created: created}
}

func enqueue(t *testing.T, s *store.Store, items ...store.OutboxItem) {
	t.Helper()
	if err := s.EnqueueAlerts(context.Background(), items); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func claim(t *testing.T, s *store.Store, now time.Time, limit int, lease time.Duration) []store.OutboxItem {
	t.Helper()
	items, err := s.ClaimDueAlerts(context.Background(), now, limit, lease)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return items
}

func stats(t *testing.T, s *store.Store) []store.OutboxStat {
	t.Helper()
	st, err := s.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestConformanceOutboxEnqueueIdempotent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		enqueue(t, s, alert("a", "webhook", t0), alert("a", "slack", t0), alert("b", "webhook", t0.Add(time.Second)))
		// The same transition enqueued again, even with another payload,
		// is left alone: it is sent once.
		again := alert("a", "webhook", t0.Add(time.Hour))
		again.Payload = json.RawMessage(`{"id":"a","again":true}`)
		enqueue(t, s, again)

		want := []store.OutboxStat{{Sink: "slack", Pending: 1}, {Sink: "webhook", Pending: 2}}
		if got := stats(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("stats %+v, want %+v", got, want)
		}
		items := claim(t, s, t0.Add(time.Minute), 10, time.Minute)
		if len(items) != 3 {
			t.Fatalf("claimed %+v, want 3 items", items)
		}
		first := items[0]
		wantFirst := store.OutboxItem{ID: "a", Sink: "slack", Payload: json.RawMessage(`{"id":"a"}`), Created: t0,
			NextAttempt: t0.Add(2 * time.Minute), Attempts: 1}
		if !reflect.DeepEqual(first, wantFirst) {
			t.Errorf("first claimed\n got %+v\nwant %+v", first, wantFirst)
		}
		for _, it := range items {
			if it.ID == "a" && string(it.Payload) != `{"id":"a"}` {
				t.Errorf("%s/%s payload %s: the second enqueue replaced the first", it.ID, it.Sink, it.Payload)
			}
		}

		for _, bad := range []store.OutboxItem{
			alert("c", "https://hooks.slack.com/services/T0/B0/secret", t0), // a URL is not a sink name
			{ID: "d", Sink: "webhook", Payload: json.RawMessage(`not json`), Created: t0},
			{ID: "e", Sink: "webhook", Payload: json.RawMessage(`{}`)}, // no created time
			alert("", "webhook", t0),
		} {
			if err := s.EnqueueAlerts(context.Background(), []store.OutboxItem{alert("ok", "webhook", t0), bad}); err == nil {
				t.Errorf("enqueue %+v: want an error", bad)
			}
		}
		if got := stats(t, s); got[1].Pending != 2 {
			t.Errorf("a rejected batch was partly stored: %+v", got)
		}
	})
}

// TestConformanceOutboxClaimExclusive races claimers in several goroutines
// on several Stores (as separate replicas would be) and checks that every
// item is handed out exactly once.
func TestConformanceOutboxClaimExclusive(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const total, stores, perStore, limit = 1000, 4, 4, 20
		var items []store.OutboxItem
		for i := range total {
			items = append(items, alert(fmt.Sprintf("alert-%03d", i), []string{"webhook", "slack"}[i%2], t0.Add(time.Duration(i)*time.Millisecond)))
		}
		enqueue(t, open(t, dsn), items...)

		var (
			mu      sync.Mutex
			claimed = map[string]int{}
			wg      sync.WaitGroup
			errs    = make(chan error, stores*perStore)
		)
		for range stores {
			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			for range perStore {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						got, err := s.ClaimDueAlerts(ctx, t0.Add(time.Minute), limit, time.Hour)
						if err != nil {
							errs <- err
							return
						}
						if len(got) == 0 {
							return
						}
						if len(got) > limit {
							errs <- fmt.Errorf("claimed %d items, more than the limit %d", len(got), limit)
							return
						}
						mu.Lock()
						for _, it := range got {
							claimed[it.ID+"/"+it.Sink]++
						}
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent claim: %v", err)
		}
		if len(claimed) != total {
			t.Errorf("%d distinct items claimed, want %d", len(claimed), total)
		}
		for k, n := range claimed {
			if n != 1 {
				t.Errorf("%s claimed %d times", k, n)
			}
		}
	})
}

func TestConformanceOutboxLease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		later := alert("later", "webhook", t0)
		later.NextAttempt = t0.Add(time.Hour)
		enqueue(t, s, alert("now", "webhook", t0), later)

		got := claim(t, s, t0, 10, time.Minute)
		if len(got) != 1 || got[0].ID != "now" || got[0].Attempts != 1 || !got[0].NextAttempt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("first claim %+v, want only the due item, leased for a minute", got)
		}
		if got := claim(t, s, t0.Add(30*time.Second), 10, time.Minute); len(got) != 0 {
			t.Errorf("claimed %+v during the lease", got)
		}
		// The claimer crashed: after the lease the item is due again.
		got = claim(t, s, t0.Add(61*time.Second), 10, time.Minute)
		if len(got) != 1 || got[0].ID != "now" || got[0].Attempts != 2 {
			t.Errorf("after the lease %+v, want the item again with 2 attempts", got)
		}
		got = claim(t, s, t0.Add(time.Hour), 10, time.Minute)
		if len(got) != 2 || got[0].ID != "later" || got[0].Attempts != 1 {
			t.Errorf("at its next attempt %+v, want the later item beside the unfinished one", got)
		}
		if got := claim(t, s, t0.Add(2*time.Hour), 0, time.Minute); len(got) != 0 {
			t.Errorf("limit 0 claimed %+v", got)
		}
		var many []store.OutboxItem
		for i := range 5 {
			many = append(many, alert(fmt.Sprintf("many-%d", i), "slack", t0.Add(time.Duration(i)*time.Second)))
		}
		enqueue(t, s, many...)
		got = claim(t, s, t0.Add(3*time.Hour), 2, time.Minute)
		if len(got) != 2 {
			t.Errorf("limit 2 claimed %d items", len(got))
		}
	})
}

func TestConformanceOutboxTransitions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		enqueue(t, s, alert("ok", "webhook", t0), alert("flaky", "webhook", t0), alert("poison", "sns", t0))
		claim(t, s, t0, 10, time.Minute)

		if err := s.MarkDelivered(ctx, "ok", "webhook", t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		secretErr := `Post "https://user:pw@hooks.slack.com/services/T0/B0/s3cr3t?token=x": dial tcp: refused`
		if err := s.MarkFailed(ctx, "flaky", "webhook", secretErr, t0.Add(5*time.Minute), false); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkFailed(ctx, "poison", "sns", "InvalidParameter", t0.Add(5*time.Minute), true); err != nil {
			t.Fatal(err)
		}
		want := []store.OutboxStat{{Sink: "sns", Dead: 1}, {Sink: "webhook", Pending: 1, Delivered: 1}}
		if got := stats(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("stats %+v, want %+v", got, want)
		}

		if got := claim(t, s, t0.Add(4*time.Minute), 10, time.Minute); len(got) != 0 {
			t.Errorf("claimed %+v before the retry time", got)
		}
		got := claim(t, s, t0.Add(5*time.Minute), 10, time.Minute)
		if len(got) != 1 || got[0].ID != "flaky" || got[0].Attempts != 2 {
			t.Fatalf("retry claim %+v, want flaky only, attempt 2", got)
		}
		if e := got[0].LastError; strings.Contains(e, "s3cr3t") || strings.Contains(e, "pw") || strings.Contains(e, "token") ||
			!strings.Contains(e, "https://hooks.slack.com/") || !strings.Contains(e, "dial tcp: refused") {
			t.Errorf("last error %q: want the URL reduced to scheme and host, the rest kept", e)
		}

		dead, err := s.DeadLetters(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 1 || dead[0].ID != "poison" || dead[0].LastError != "InvalidParameter" || dead[0].Dead.IsZero() || dead[0].Attempts != 1 {
			t.Errorf("dead letters %+v, want poison with its error", dead)
		}

		// A claimer whose lease ran out fails after another delivered: the
		// item stays delivered.
		if err := s.MarkDelivered(ctx, "flaky", "webhook", t0.Add(6*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkFailed(ctx, "flaky", "webhook", "late", t0.Add(time.Hour), true); err != nil {
			t.Errorf("late failure of a delivered item: %v", err)
		}
		want = []store.OutboxStat{{Sink: "sns", Dead: 1}, {Sink: "webhook", Delivered: 2}}
		if got := stats(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("stats %+v, want %+v", got, want)
		}
		if got := claim(t, s, t0.Add(48*time.Hour), 10, time.Minute); len(got) != 0 {
			t.Errorf("delivered or dead items claimed: %+v", got)
		}

		if err := s.MarkDelivered(ctx, "nope", "webhook", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deliver unknown: %v, want ErrNotFound", err)
		}
		if err := s.MarkFailed(ctx, "nope", "webhook", "x", t0, false); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("fail unknown: %v, want ErrNotFound", err)
		}
	})
}
