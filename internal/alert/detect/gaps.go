package detect

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/inventory"
)

// gapID is what makes a gap the same gap in two scans. The reason is left
// out: the same denied listing often words its error differently.
type gapID struct{ account, region, service string }

func idOf(g inventory.Gap) gapID { return gapID{g.Account, g.Region, g.Service} }

// newGaps raises one event listing the gaps of cur that prev did not have
// (with no prev, all of them), one per account, region and service.
func newGaps(prev, cur Input) (Event, bool) {
	old := make(map[gapID]bool, len(prev.Gaps))
	for _, g := range prev.Gaps {
		old[idOf(g)] = true
	}
	seen := map[gapID]bool{}
	var fresh []inventory.Gap
	for _, g := range cur.Gaps {
		id := idOf(g)
		if old[id] || seen[id] {
			continue
		}
		seen[id] = true
		fresh = append(fresh, g)
	}
	if len(fresh) == 0 {
		return Event{}, false
	}
	slices.SortFunc(fresh, func(a, b inventory.Gap) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Service, b.Service))
	})
	e := Event{Kind: NewGaps, Severity: NewGapsSeverity, At: cur.At, RunID: cur.RunID, Gaps: fresh}
	// Route by place when every gap is in one.
	e.Account, e.Region = fresh[0].Account, fresh[0].Region
	parts := make([]string, 0, len(fresh))
	for _, g := range fresh {
		if g.Account != e.Account {
			e.Account = ""
		}
		if g.Region != e.Region {
			e.Region = ""
		}
		parts = append(parts, g.Account+"/"+g.Region+"/"+g.Service)
	}
	e.Message = fmt.Sprintf("%d new gap(s): the scan could not read %s", len(fresh), strings.Join(parts, ", "))
	e.Key = eventKey(NewGaps, cur.RunID, strings.Join(parts, "\n"))
	return e, true
}
