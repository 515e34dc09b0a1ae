package scan

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
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
	created := createdTimes(res.Inventory.Resources)
	// Observations are made as the store goes over them, never all held:
	// a scan of 100,000 jobs would hold 300,000.
	observeOne := func(f finding.Finding) history.Observation {
		o := history.ObserveOne(&f, created.of(f.Resource.ARN))
		o.Owner = o.Tags[ownerTag]
		return o
	}
	observe := func(yield func(history.Observation) bool) {
		for _, f := range rep.Findings.All() {
			if !yield(observeOne(f)) {
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
		Observe:   observe,
		ObserveAt: func(i int) history.Observation { return observeOne(rep.Findings.At(i)) },
		Snapshot:  store.Snapshot{SchemaVersion: inventory.SchemaVersion, Inventory: res.Inventory, Keys: res.Keys, KeyRefs: res.KeyRefs},
	}
}

func localUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// createdIndex finds a resource's creation time by ARN: its inventory
// positions sorted by ARN, 4 bytes a resource where a map by ARN took 80.
type createdIndex struct {
	resources []inventory.Resource
	byARN     []int32
}

func createdTimes(resources []inventory.Resource) createdIndex {
	idx := createdIndex{resources: resources, byARN: make([]int32, len(resources))}
	for i := range idx.byARN {
		idx.byARN[i] = int32(i)
	}
	slices.SortFunc(idx.byARN, func(a, b int32) int { return strings.Compare(resources[a].ARN, resources[b].ARN) })
	return idx
}

// of is the creation time of the resource with this ARN; zero for a key or
// a resource the inventory does not hold.
func (c createdIndex) of(arn string) time.Time {
	i, found := slices.BinarySearchFunc(c.byARN, arn, func(e int32, arn string) int { return strings.Compare(c.resources[e].ARN, arn) })
	if !found {
		return time.Time{}
	}
	return c.resources[c.byARN[i]].CreatedAt
}
