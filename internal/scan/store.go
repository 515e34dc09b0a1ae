package scan

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"time"

	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/version"
)

// Saver is the store stage: it keeps a scan and advances the findings'
// lifecycle. *store.Store satisfies it.
type Saver interface {
	SaveRun(ctx context.Context, rec store.RunRecord) (int64, error)
}

var _ Saver = (*store.Store)(nil)

// save stores res and records the run id in its report. A canceled scan is
// not stored: what it missed would read as a smaller estate.
func save(ctx context.Context, s Saver, res *Result, ownerTag string) error {
	if ctx.Err() != nil {
		slog.WarnContext(ctx, "scan canceled: not stored")
		return nil
	}
	id, err := s.SaveRun(ctx, Record(res, ownerTag))
	if err != nil {
		return fmt.Errorf("storing the scan: %w", err)
	}
	res.Report.RunID = id
	slog.InfoContext(ctx, "scan stored", "run", id)
	return nil
}

// DefaultOwnerTag is the tag that names a resource's owning team when the
// settings name none (config's default owner_tag).
const DefaultOwnerTag = "owner"

// Record is what the store keeps of a scan. Each finding's owner is read
// from ownerTag ("" means the default), so the dashboard can filter by it.
func Record(res *Result, ownerTag string) store.RunRecord {
	if ownerTag == "" {
		ownerTag = DefaultOwnerTag
	}
	rep := res.Report
	created := make(map[string]time.Time, len(res.Inventory.Resources))
	for _, r := range res.Inventory.Resources {
		created[r.ARN] = r.CreatedAt
	}
	// Observations are made as the store goes over them, never all held:
	// a scan of 100,000 jobs would hold 300,000.
	observe := func(yield func(history.Observation) bool) {
		for _, f := range rep.Findings.All() {
			o := history.ObserveOne(&f, created[f.Resource.ARN])
			o.Owner = o.Tags[ownerTag]
			if !yield(o) {
				return
			}
		}
	}
	return store.RunRecord{
		Run: store.Run{
			Started: rep.Started, Finished: rep.Finished,
			Principal: res.Caller.ARN, User: localUser(), ToolVersion: version.String(),
			Scope: res.Scope, Counts: rep.Counts(), Gaps: len(rep.Gaps),
		},
		Observe:  observe,
		Snapshot: store.Snapshot{SchemaVersion: inventory.SchemaVersion, Inventory: res.Inventory, Keys: res.Keys, KeyRefs: res.KeyRefs},
	}
}

func localUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}
