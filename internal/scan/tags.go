package scan

import (
	"slices"
	"sync"
	"time"

	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"

	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
)

// tagIndexes are the scan's tag indexes, one per account and region, kept
// so the scan can report why one could not serve (its note).
type tagIndexes struct {
	started time.Time
	lag     time.Duration

	mu    sync.Mutex
	units []unitIndex
}

type unitIndex struct {
	account, region string
	idx             *smcollect.TagIndex
}

// forUnit returns the tag index of one account and region, reading the
// tags of the kinds needed whose collectors read them with ListTags; nil
// when there are none (or t is nil).
func (t *tagIndexes) forUnit(a reachedAccount, region string, kinds map[string]bool) *smcollect.TagIndex {
	if t == nil {
		return nil
	}
	filters := smcollect.TaggingFilters(kinds)
	if len(filters) == 0 {
		return nil
	}
	api := smcollect.TaggingClientAPI(rgt.NewFromConfig(a.cfg, func(o *rgt.Options) { o.Region = region }))
	idx := smcollect.NewTagIndex(api, filters, t.started, t.lag)
	t.mu.Lock()
	t.units = append(t.units, unitIndex{account: a.ID, region: region, idx: idx})
	t.mu.Unlock()
	return idx
}

// notes are the report's api_calls notes: per account and region, why
// tags were read with ListTags instead of in pages.
func (t *tagIndexes) notes() []string {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, u := range t.units {
		if n := u.idx.Note(); n != "" {
			out = append(out, u.account+" "+u.region+": "+n)
		}
	}
	slices.Sort(out)
	return out
}
