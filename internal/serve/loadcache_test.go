package serve

import (
	"context"
	"testing"

	"github.com/sagekey/sagekey/internal/store"
)

func TestLoadCacheReadsEachRunOnce(t *testing.T) {
	reads := map[int64]int{}
	load := func(_ context.Context, id int64) (Stored, error) {
		reads[id]++
		return Stored{Run: store.Run{ID: id}}, nil
	}
	var c loadCache
	// Three cycles: each compares run n with n-1 and then gauges run n.
	for n := int64(2); n <= 4; n++ {
		for _, id := range []int64{n, n - 1, n} {
			st, err := c.load(context.Background(), id, load)
			if err != nil || st.Run.ID != id {
				t.Fatalf("load %d = %+v, %v", id, st.Run, err)
			}
		}
	}
	for id, n := range reads {
		if n != 1 {
			t.Errorf("run %d read %d times, want once", id, n)
		}
	}
}
