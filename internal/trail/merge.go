package trail

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// The group keys below join a group's fields with a separator no AWS value
// contains, so one map serves every reader and Merge.

func denialKey(d Denial) string {
	return strings.Join([]string{d.Day.Format("2006-01-02"), d.Account, d.Region, d.KeyARN, d.Principal, d.Operation,
		d.Via, d.ErrorCode, d.Policy}, "\x00")
}

func blockedKey(b Blocked) string {
	return strings.Join([]string{b.Day.Format("2006-01-02"), b.Account, b.Region, b.Action, b.PolicyType, b.PolicyARN,
		b.Guardrail, b.Principal}, "\x00")
}

func requestKey(r RequestCount) string {
	return strings.Join([]string{r.Day.Format("2006-01-02"), r.Account, r.Region, r.KeyARN, r.Operation}, "\x00")
}

func addDenial(m map[string]*Denial, d Denial) {
	k := denialKey(d)
	if have, ok := m[k]; ok {
		have.Count += d.Count
		have.Samples = mergeSamples(have.Samples, d.Samples)
		return
	}
	d.Samples = mergeSamples(nil, d.Samples)
	m[k] = &d
}

func addBlocked(m map[string]*Blocked, b Blocked) {
	k := blockedKey(b)
	if have, ok := m[k]; ok {
		have.Count += b.Count
		have.Samples = mergeSamples(have.Samples, b.Samples)
		return
	}
	b.Samples = mergeSamples(nil, b.Samples)
	m[k] = &b
}

func addRequest(m map[string]*RequestCount, r RequestCount) {
	k := requestKey(r)
	if have, ok := m[k]; ok {
		have.Count += r.Count
		return
	}
	m[k] = &r
}

func addProblem(m map[string]*Problem, p Problem) {
	k := p.Unit + "\x00" + p.Kind + "\x00" + p.Reason
	if have, ok := m[k]; ok {
		have.Count += p.Count
		return
	}
	m[k] = &p
}

// mergeSamples returns the union of have and ids, sorted, without
// duplicates or empty IDs, cut to the MaxSamples smallest. Keeping the
// smallest rather than the first seen makes the samples of a group the same
// whatever order its units are read and merged in (Merge is commutative and
// associative). have must be a previous result; the result is have itself
// when no ID changes it (a busy group's every further event), else a new
// slice sharing no array with either input.
func mergeSamples(have, ids []string) []string {
	if len(have) == MaxSamples && !slices.ContainsFunc(ids, func(id string) bool { return id != "" && id < have[MaxSamples-1] }) {
		return have
	}
	out := make([]string, 0, len(have)+len(ids))
	for _, id := range slices.Concat(have, ids) {
		if id != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxSamples {
		out = out[:MaxSamples]
	}
	return slices.Clip(out)
}

// Merge adds parts together: counts of the same group are summed, the
// latest create of a resource wins, key events are kept once per event and
// key.
func Merge(parts ...*Aggregates) *Aggregates {
	denials, blocked := map[string]*Denial{}, map[string]*Blocked{}
	requests, problems := map[string]*RequestCount{}, map[string]*Problem{}
	creators, keyEvents := map[string]Creator{}, map[string]KeyEvent{}
	out := &Aggregates{}
	for _, p := range parts {
		if p == nil {
			continue
		}
		out.Events += p.Events
		out.Matched += p.Matched
		for _, d := range p.Denials {
			addDenial(denials, d)
		}
		for _, b := range p.Blocked {
			addBlocked(blocked, b)
		}
		for _, r := range p.Requests {
			addRequest(requests, r)
		}
		for _, pr := range p.Problems {
			addProblem(problems, pr)
		}
		for _, c := range p.Creators {
			k := strings.ToLower(c.ResourceARN)
			if have, ok := creators[k]; !ok || laterCreate(c, have) {
				creators[k] = c
			}
		}
		for _, e := range p.KeyEvents {
			keyEvents[e.EventID+"|"+e.KeyARN] = e
		}
	}
	for _, d := range denials {
		out.Denials = append(out.Denials, *d)
	}
	for _, b := range blocked {
		out.Blocked = append(out.Blocked, *b)
	}
	for _, r := range requests {
		out.Requests = append(out.Requests, *r)
	}
	for _, pr := range problems {
		out.Problems = append(out.Problems, *pr)
	}
	for _, c := range creators {
		out.Creators = append(out.Creators, c)
	}
	for _, e := range keyEvents {
		out.KeyEvents = append(out.KeyEvents, e)
	}
	out.Sort()
	return out
}

// Sort puts every list in a stable order: by day, then group fields; key
// events and creators by time.
func (g *Aggregates) Sort() {
	slices.SortFunc(g.Denials, func(a, b Denial) int {
		return cmp.Or(a.Day.Compare(b.Day), strings.Compare(denialKey(a), denialKey(b)))
	})
	slices.SortFunc(g.Blocked, func(a, b Blocked) int {
		return cmp.Or(a.Day.Compare(b.Day), strings.Compare(blockedKey(a), blockedKey(b)))
	})
	slices.SortFunc(g.Requests, func(a, b RequestCount) int {
		return cmp.Or(a.Day.Compare(b.Day), strings.Compare(requestKey(a), requestKey(b)))
	})
	slices.SortFunc(g.Creators, func(a, b Creator) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.ResourceARN, b.ResourceARN))
	})
	slices.SortFunc(g.KeyEvents, func(a, b KeyEvent) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.EventID, b.EventID), strings.Compare(a.KeyARN, b.KeyARN))
	})
	slices.SortFunc(g.Problems, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.Unit, b.Unit), strings.Compare(a.Kind, b.Kind), strings.Compare(a.Reason, b.Reason))
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
