package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
)

// KeyRow is one key in the key table: its health verdicts and the resources
// it protects (its blast radius: what becomes unreadable if it is disabled
// or deleted).
type KeyRow struct {
	ARN, Account, Region string
	Manager, State       string
	Checks               []KeyCheck
	Tags                 []TagPair
	Protects             []finding.Resource
	// urgency is the best (lowest) Status.Rank of the key's verdicts.
	urgency int
}

// KeyCheck is one kms-key.* verdict, shown as "rotation: PASS".
type KeyCheck struct {
	Check, Status, Message string
}

// keyRows joins what the findings say about each key: the kms-key.*
// verdicts (state, rotation, policy, tags, sharing) and, from every
// resource slot that names the key, its manager, its state and the
// resources it protects. It reads findings only, so stored scans and IaC
// sources render the same table.
func keyRows(fs finding.List) []KeyRow {
	rows := map[string]*KeyRow{}
	protects := map[string]map[string]finding.Resource{}
	row := func(arn string) *KeyRow {
		if r := rows[arn]; r != nil {
			return r
		}
		parts := parseARN(arn)
		r := &KeyRow{ARN: arn, Account: parts.account, Region: parts.region, urgency: finding.Pass.Rank()}
		rows[arn], protects[arn] = r, map[string]finding.Resource{}
		return r
	}
	for _, f := range fs.All() {
		if isKeyFinding(f) {
			r := row(f.Resource.ARN)
			r.Account, r.Region, r.Tags = f.Resource.Account, f.Resource.Region, tagPairs(f.Resource.Tags)
			r.Checks = append(r.Checks, KeyCheck{strings.TrimPrefix(f.CheckID, "kms-key."), string(f.Status), f.Message})
			r.urgency = min(r.urgency, f.Status.Rank())
			for _, p := range f.Protects {
				protects[r.ARN][p.ARN] = p
			}
			continue
		}
		for _, s := range f.Slots {
			if !strings.HasPrefix(s.KeyARN, "arn:") {
				continue // unresolved reference: no key to list
			}
			r := row(s.KeyARN)
			r.Manager = cmp.Or(s.KeyManager, r.Manager)
			r.State = cmp.Or(s.KeyState, r.State)
			protects[r.ARN][f.Resource.ARN] = f.Resource
		}
	}
	out := make([]KeyRow, 0, len(rows))
	for arn, r := range rows {
		for _, p := range protects[arn] {
			r.Protects = append(r.Protects, p)
		}
		slices.SortFunc(r.Protects, func(a, b finding.Resource) int { return cmp.Compare(a.ARN, b.ARN) })
		slices.SortFunc(r.Checks, func(a, b KeyCheck) int { return cmp.Compare(a.Check, b.Check) })
		out = append(out, *r)
	}
	// Unhealthy keys first, then the widest blast radius.
	slices.SortFunc(out, func(a, b KeyRow) int {
		return cmp.Or(cmp.Compare(a.urgency, b.urgency), cmp.Compare(len(b.Protects), len(a.Protects)), cmp.Compare(a.ARN, b.ARN))
	})
	return out
}
