package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// BenchmarkSaveRunSQLite stores a daily scan of 5,000 resources into a
// history that already holds the previous day's, so every save advances
// 5,000 lifecycles (one in ten flips between PASS and FAIL).
func BenchmarkSaveRunSQLite(b *testing.B) {
	const resources = 5000
	s := open(b, filepath.Join(b.TempDir(), "history.db"))
	obs := func(day int) []history.Observation {
		out := make([]history.Observation, resources)
		for i := range out {
			st := finding.Pass
			if (i+day)%10 == 0 {
				st = finding.Fail
			}
			out[i] = observe(notebook(fmt.Sprintf("nb-%05d", i), "us-east-1"), st)
		}
		return out
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.SaveRun(ctx, record(t0.Add(time.Duration(i)*24*time.Hour), scope("us-east-1"), obs(i)...)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(resources, "findings/op")
}
