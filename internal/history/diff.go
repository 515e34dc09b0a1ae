package history

import (
	"sort"

	"github.com/sagekey/sagekey/internal/finding"
)

// Diff is what changed between two scans.
type Diff struct {
	// New are violations in the later scan that the earlier one did not have.
	New []Observation `json:"new"`
	// Resolved are the earlier scan's violations that the later scan saw
	// pass, muted, or gone (only when it covered them).
	Resolved []Resolved `json:"resolved"`
	// Changed are every other change of status or severity.
	Changed []Changed `json:"changed"`
	// Unverified are earlier findings the later scan did not cover (another
	// region, an unfinished listing): neither resolved nor still open.
	Unverified []Observation `json:"unverified"`
}

// Resolved is a violation that ended between the two scans.
type Resolved struct {
	Observation
	Resolution Resolution `json:"resolution"`
}

// Changed is a finding whose status or severity changed.
type Changed struct {
	Before Observation `json:"before"`
	After  Observation `json:"after"`
}

// Compare diffs scan a against the later scan b, whose scope decides whether
// a missing finding is gone.
func Compare(a, b []Observation, bScope Scope) Diff {
	d := Diff{New: []Observation{}, Resolved: []Resolved{}, Changed: []Changed{}, Unverified: []Observation{}}
	before := make(map[string]Observation, len(a))
	for _, o := range a {
		before[o.Fingerprint()] = o
	}
	after := make(map[string]bool, len(b))
	for _, o := range b {
		fp := o.Fingerprint()
		after[fp] = true
		old, had := before[fp]
		switch {
		case o.Status == finding.Fail && (!had || old.Status != finding.Fail):
			d.New = append(d.New, o)
		case had && old.Status == finding.Fail && o.Status == finding.Muted:
			d.Resolved = append(d.Resolved, Resolved{o, ResolvedMuted})
		case had && old.Status == finding.Fail && (o.Status == finding.Pass || o.Status == finding.NotApplicable):
			d.Resolved = append(d.Resolved, Resolved{o, ResolvedPassed})
		case had && (old.Status != o.Status || old.Severity != o.Severity):
			d.Changed = append(d.Changed, Changed{old, o})
		}
	}
	for fp, o := range before {
		switch {
		case after[fp]:
		case bScope.Covers(o.Subject):
			if o.Status == finding.Fail {
				d.Resolved = append(d.Resolved, Resolved{o, ResolvedDeleted})
			}
		default:
			d.Unverified = append(d.Unverified, o)
		}
	}
	sortObs(d.New)
	sortObs(d.Unverified)
	sort.Slice(d.Resolved, func(i, j int) bool { return less(d.Resolved[i].Observation, d.Resolved[j].Observation) })
	sort.Slice(d.Changed, func(i, j int) bool { return less(d.Changed[i].After, d.Changed[j].After) })
	return d
}

func sortObs(s []Observation) { sort.Slice(s, func(i, j int) bool { return less(s[i], s[j]) }) }

func less(a, b Observation) bool {
	if a.ResourceARN != b.ResourceARN {
		return a.ResourceARN < b.ResourceARN
	}
	return a.CheckID < b.CheckID
}
