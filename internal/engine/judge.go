package engine

import (
	"cmp"
	"slices"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/rules"
)

// Judge runs the selected rules over the inventory and returns the
// findings in reading order (Sort's), as a list that judges each finding
// again whenever it is read. Judge itself judges every finding once, to
// learn its place in that order, and keeps only the place: 8 bytes a
// finding instead of the finding. Rules are pure, so a finding judged
// again is the finding judged first.
//
// The list reads inv and ks: neither may change while it is in use.
func Judge(inv inventory.Inventory, ks *keys.Set, s Settings) finding.List {
	j := &judgement{c: newContext(inv, ks, s), rules: Select(rules.All(), s.Checks, s.SkipChecks),
		resources: inv.Resources, uses: keyUses(inv, ks), settings: s}
	if len(j.rules) > 1<<16 {
		panic("engine: more rules than a verdict can number") // a catalog error, caught by every test
	}
	j.order = make([]verdict, 0, findingCount(j.rules, inv, j.uses))
	for ri, r := range j.rules {
		n := len(j.uses)
		if r.CheckResource != nil {
			n = len(j.resources)
		}
		for subject := range n {
			if r.CheckResource != nil && j.resources[subject].Kind != r.Kind {
				continue
			}
			v := verdict{rule: uint16(ri), subject: int32(subject)}
			f := j.make(v)
			v.rank, v.severity = uint8(f.Status.Rank()), uint8(f.Severity)
			j.order = append(j.order, v)
		}
	}
	slices.SortStableFunc(j.order, j.compare)
	return finding.Lazy(j)
}

// newContext is what every rule reads: keys, IAM, tags and trail facts.
func newContext(inv inventory.Inventory, ks *keys.Set, s Settings) *rules.Context {
	c := &rules.Context{Keys: ks, RequiredTags: s.RequiredTags, OwnerTag: s.OwnerTag, ApprovedKeys: map[string]bool{},
		IAM: map[string]inventory.AccountIAM{}, KeyDenials: s.KeyDenials, DenialWindow: s.DenialWindow}
	for _, a := range inv.IAM {
		c.IAM[a.Account] = a
	}
	for _, k := range s.ApprovedKeys {
		c.ApprovedKeys[k] = true
	}
	return c
}

// judgement is what a judged list keeps to make its findings again.
type judgement struct {
	c         *rules.Context
	rules     []rules.Rule
	resources []inventory.Resource
	uses      []rules.KeyUse
	settings  Settings
	order     []verdict
}

// verdict is one finding's place: which rule judged which resource (or
// key use), and what Sort orders it by besides the check and the ARN.
type verdict struct {
	subject  int32
	rule     uint16
	rank     uint8
	severity uint8
}

func (j *judgement) Len() int { return len(j.order) }

func (j *judgement) Finding(i int) finding.Finding { return j.make(j.order[i]) }

// make judges one finding, with the configured severity and suppressions.
func (j *judgement) make(v verdict) finding.Finding {
	r := j.rules[v.rule]
	var f finding.Finding
	if r.CheckResource != nil {
		f = r.CheckResource(j.c, j.resources[v.subject])
	} else {
		f = r.CheckKey(j.c, j.uses[v.subject])
	}
	if sev, ok := j.settings.SeverityOverrides[f.CheckID]; ok {
		f.Severity = sev
	}
	applySuppressions(&f, j.settings.Suppressions, j.settings.Now)
	return f
}

// compare is Sort's order on verdicts: failures first, most severe first,
// then by check and by the ARN of what was judged.
func (j *judgement) compare(a, b verdict) int {
	return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(b.severity, a.severity),
		cmp.Compare(j.rules[a.rule].ID, j.rules[b.rule].ID), cmp.Compare(j.subjectARN(a), j.subjectARN(b)))
}

func (j *judgement) subjectARN(v verdict) string {
	if j.rules[v.rule].CheckResource != nil {
		return j.resources[v.subject].ARN
	}
	return j.uses[v.subject].Key.ARN
}
