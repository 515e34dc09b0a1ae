package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/store"
)

// TestConformanceServeMarks sets, replaces and reads a mark from a second
// Store on the same database, as a replica taking over the schedule would.
func TestConformanceServeMarks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := open(t, dsn), open(t, dsn)
		if got, err := a.ServeTime(ctx, store.MarkLastFullScan); err != nil || !got.IsZero() {
			t.Fatalf("unset mark: %v err=%v", got, err)
		}
		first := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		second := first.Add(7 * 24 * time.Hour)
		for _, at := range []time.Time{first, second} {
			if err := a.SetServeTime(ctx, store.MarkLastFullScan, at); err != nil {
				t.Fatal(err)
			}
		}
		got, err := b.ServeTime(ctx, store.MarkLastFullScan)
		if err != nil || !got.Equal(second) {
			t.Fatalf("mark = %v err=%v, want %v", got, err, second)
		}
		if err := b.SetServeMark(ctx, store.MarkAlertedRun, 42); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := a.ServeMark(ctx, store.MarkAlertedRun); err != nil || !ok || v != 42 {
			t.Fatalf("alerted run = %d ok=%v err=%v, want 42", v, ok, err)
		}
		if _, ok, _ := b.ServeMark(ctx, store.MarkTrailAlerted); ok {
			t.Fatal("another mark reads as set")
		}
		if err := b.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
