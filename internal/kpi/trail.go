package kpi

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/cost"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/trail"
)

// TrailSource is the read side of the stored CloudTrail aggregates
// (sagekey trail); *store.Store satisfies it.
type TrailSource interface {
	Trail(ctx context.Context, f trail.Filter) (*trail.Aggregates, error)
	TrailCoverage(ctx context.Context, f trail.Filter) ([]trail.Coverage, error)
}

// NoTrailReason is why the CloudTrail KPIs are null.
const NoTrailReason = "no CloudTrail data covers this window: run sagekey trail"

// NotApplicable is the group of a figure that --by cannot split: a key has
// no resource kind, and a blocked request created no resource to carry a
// tag.
const NotApplicable = "n/a"

// TrailScope says which (account, region, day) cells of the window have
// had their CloudTrail read. The CloudTrail KPIs count only those cells: a
// day nobody read is unknown, never zero.
type TrailScope struct {
	// CoveredCells counts the covered (account, region, day) cells;
	// CoveredDays the days with at least one; WindowDays the UTC days the
	// window touches.
	CoveredCells int `json:"covered_cells"`
	CoveredDays  int `json:"covered_days"`
	WindowDays   int `json:"window_days"`
	// FirstDay and LastDay are the first and last covered days (2026-03-02);
	// null when nothing is covered.
	FirstDay   *string          `json:"first_day"`
	LastDay    *string          `json:"last_day"`
	Accounts   []string         `json:"accounts"`
	Regions    []string         `json:"regions"`
	Sources    []string         `json:"sources"`
	Partitions []TrailPartition `json:"partitions"`
	// Reason says why kms_access_denials and violations_blocked are null.
	Reason string `json:"reason,omitempty"`
}

// TrailPartition is the coverage of one account and region; a gap shows as
// CoveredDays below the span from FirstDay to LastDay.
type TrailPartition struct {
	Account     string `json:"account"`
	Region      string `json:"region"`
	CoveredDays int    `json:"covered_days"`
	FirstDay    string `json:"first_day"`
	LastDay     string `json:"last_day"`
}

// Denials are the KMS requests refused on keys that protect SageMaker data.
type Denials struct {
	Total int64 `json:"total"`
	// Unauthorized are denials of principals the key policy names neither
	// directly nor through their account (trail.PolicyUnnamed).
	Unauthorized int64 `json:"unauthorized"`
	// UnauthorizedShare is Unauthorized over the denials whose key policy
	// was read (0 to 1): like ERROR in percent compliant, a denial on a key
	// whose policy is unknown is counted apart, never as authorized. Null
	// when no denial's relation to the key policy is known.
	UnauthorizedShare *float64 `json:"unauthorized_share"`
	// ByPolicyRelation counts named, delegated, unnamed and unknown.
	ByPolicyRelation map[string]int64 `json:"by_policy_relation"`
	ByKey            []DenialCount    `json:"by_key"`
	ByPrincipal      []DenialCount    `json:"by_principal"`
	// ByVia is direct (the caller's own call) and sagemaker (SageMaker
	// calling on someone's behalf).
	ByVia  []DenialCount `json:"by_via"`
	ByWeek []DenialWeek  `json:"by_week"`
	// Groups split the denials per --by: account, region, or the key's tag
	// (tag:<key>, from the latest scans); kind puts them all under "n/a".
	Groups []DenialCount `json:"groups"`
}

// DenialCount is the denials of one group.
type DenialCount struct {
	Group        string `json:"group"`
	Count        int64  `json:"count"`
	Unauthorized int64  `json:"unauthorized"`
}

// DenialWeek is the denials of one ISO week with coverage (a covered week
// without denials is 0; a week without coverage is absent).
type DenialWeek struct {
	Week         string    `json:"week"` // 2026-W14
	Start        time.Time `json:"start"`
	CoveredCells int       `json:"covered_cells"`
	Count        int64     `json:"count"`
	Unauthorized int64     `json:"unauthorized"`
}

// BlockedCounts splits blocked requests by what refused them.
type BlockedCounts struct {
	Total int64 `json:"total"`
	// Guardrail: one of sagekey's guardrails; Other: another policy;
	// Unattributed: the refusal named no policy sagekey could judge.
	Guardrail    int64 `json:"guardrail"`
	Other        int64 `json:"other"`
	Unattributed int64 `json:"unattributed"`
}

func (c *BlockedCounts) add(b trail.Blocked) {
	c.Total += b.Count
	switch b.Guardrail {
	case trail.GuardrailYes:
		c.Guardrail += b.Count
	case trail.GuardrailNo:
		c.Other += b.Count
	default:
		c.Unattributed += b.Count
	}
}

// Blocked are the SageMaker create and update requests an explicit deny
// refused: violations that never came to exist.
type Blocked struct {
	BlockedCounts
	ByMonth   []BlockedMonth  `json:"by_month"`
	ByAction  []BlockedGroup  `json:"by_action"`
	ByAccount []BlockedGroup  `json:"by_account"`
	ByPolicy  []BlockedPolicy `json:"by_policy"`
	// Groups split them per --by: account, region, or kind (the catalog
	// kind the action creates or updates); tag:<key> puts them all under
	// "n/a", since a refused request left no resource to carry a tag.
	Groups []BlockedGroup `json:"groups"`
}

// BlockedGroup is the blocked requests of one group.
type BlockedGroup struct {
	Group string `json:"group"`
	BlockedCounts
}

// BlockedMonth is one calendar month with coverage.
type BlockedMonth struct {
	Month        string    `json:"month"` // 2026-03
	Start        time.Time `json:"start"`
	CoveredCells int       `json:"covered_cells"`
	BlockedCounts
}

// BlockedPolicy is the requests one policy refused; PolicyARN is "" when
// the error message named no policy.
type BlockedPolicy struct {
	PolicyType string `json:"policy_type"`
	PolicyARN  string `json:"policy_arn"`
	BlockedCounts
}

// TrailMonth is one calendar month of the CloudTrail KPIs, for the HTML
// report.
type TrailMonth struct {
	Month        time.Time // the 1st, 00:00 UTC
	CoveredCells int
	// Denials are KMS access denials, Unauthorized those by principals the
	// key policy does not name; Blocked are refused SageMaker requests,
	// ByGuardrail those refused by sagekey's guardrails.
	Denials, Unauthorized, Blocked, ByGuardrail int64
}

// TrailMonths is the CloudTrail KPIs per calendar month of [from, to) with
// coverage, oldest first, and the number of covered (account, region, day)
// cells; zero cells means no trail covers the window.
func TrailMonths(ctx context.Context, src TrailSource, from, to time.Time) ([]TrailMonth, int, error) {
	cov, agg, err := readTrail(ctx, src, from, to)
	if err != nil || len(cov.cells) == 0 {
		return nil, 0, err
	}
	byMonth := map[time.Time]*TrailMonth{}
	for c := range cov.cells {
		m := monthStart(c.day)
		tm := byMonth[m]
		if tm == nil {
			tm = &TrailMonth{Month: m}
			byMonth[m] = tm
		}
		tm.CoveredCells++
	}
	for _, d := range agg.Denials {
		tm := byMonth[monthStart(d.Day)]
		tm.Denials += d.Count
		if d.Policy == trail.PolicyUnnamed {
			tm.Unauthorized += d.Count
		}
	}
	for _, b := range agg.Blocked {
		tm := byMonth[monthStart(b.Day)]
		tm.Blocked += b.Count
		if b.Guardrail == trail.GuardrailYes {
			tm.ByGuardrail += b.Count
		}
	}
	out := make([]TrailMonth, 0, len(byMonth))
	for _, tm := range byMonth {
		out = append(out, *tm)
	}
	slices.SortFunc(out, func(a, b TrailMonth) int { return a.Month.Compare(b.Month) })
	return out, len(cov.cells), nil
}

// cell is one (account, region, day) of trail.
type cell struct {
	account, region string
	day             time.Time
}

// coverage is what of the window's trail was read.
type coverage struct {
	first, last time.Time // the window's first and last UTC day
	cells       map[cell]bool
	sources     map[string]bool
}

// windowDays are the UTC days a window touches: a day counts when part of
// it lies in [from, to), so --to 2026-04-01 (midnight) ends with March.
// ok is false for an empty window.
func windowDays(from, to time.Time) (first, last time.Time, ok bool) {
	if !to.After(from) {
		return time.Time{}, time.Time{}, false
	}
	return trail.Day(from), trail.Day(to.Add(-time.Nanosecond)), true
}

// readTrail reads the coverage of the window and the aggregates of its
// covered cells. Aggregates outside a covered cell (a day still being read,
// or outside the window) are dropped, so every figure rests on exactly the
// cells the scope states.
func readTrail(ctx context.Context, src TrailSource, from, to time.Time) (*coverage, *trail.Aggregates, error) {
	first, last, ok := windowDays(from, to)
	cov := &coverage{first: first, last: last, cells: map[cell]bool{}, sources: map[string]bool{}}
	if !ok {
		return cov, &trail.Aggregates{}, nil
	}
	f := trail.Filter{From: first, To: last}
	list, err := src.TrailCoverage(ctx, f)
	if err != nil {
		return nil, nil, fmt.Errorf("reading CloudTrail coverage: %w", err)
	}
	for _, c := range list {
		day := trail.Day(c.Day)
		if day.Before(first) || day.After(last) {
			continue
		}
		cov.cells[cell{c.Account, c.Region, day}] = true
		cov.sources[c.Source] = true
	}
	if len(cov.cells) == 0 {
		return cov, &trail.Aggregates{}, nil
	}
	agg, err := src.Trail(ctx, f)
	if err != nil {
		return nil, nil, fmt.Errorf("reading CloudTrail aggregates: %w", err)
	}
	if agg == nil {
		return cov, &trail.Aggregates{}, nil
	}
	// Only counts of covered days: a day nobody read in full is unknown.
	covered := make([]trail.Coverage, 0, len(cov.cells))
	for c := range cov.cells {
		covered = append(covered, trail.Coverage{Account: c.account, Region: c.region, Day: c.day})
	}
	return cov, agg.Covered(covered), nil
}

// scope describes the coverage; an uncovered window carries the reason.
func (c *coverage) scope() TrailScope {
	s := TrailScope{CoveredCells: len(c.cells), Accounts: []string{}, Regions: []string{}, Sources: []string{},
		Partitions: []TrailPartition{}}
	if !c.first.IsZero() {
		s.WindowDays = int(c.last.Sub(c.first)/(24*time.Hour)) + 1
	}
	if len(c.cells) == 0 {
		s.Reason = NoTrailReason
		return s
	}
	days := map[time.Time]bool{}
	parts := map[pair]*TrailPartition{}
	var firstDay, lastDay time.Time
	for cl := range c.cells {
		days[cl.day] = true
		if firstDay.IsZero() || cl.day.Before(firstDay) {
			firstDay = cl.day
		}
		if cl.day.After(lastDay) {
			lastDay = cl.day
		}
		p := parts[pair{cl.account, cl.region}]
		d := cl.day.Format(time.DateOnly)
		if p == nil {
			p = &TrailPartition{Account: cl.account, Region: cl.region, FirstDay: d, LastDay: d}
			parts[pair{cl.account, cl.region}] = p
		}
		p.CoveredDays++
		p.FirstDay, p.LastDay = min(p.FirstDay, d), max(p.LastDay, d) // ISO dates order as strings
	}
	s.CoveredDays = len(days)
	fd, ld := firstDay.Format(time.DateOnly), lastDay.Format(time.DateOnly)
	s.FirstDay, s.LastDay = &fd, &ld
	for p, tp := range parts {
		s.Accounts = append(s.Accounts, p.account)
		s.Regions = append(s.Regions, p.region)
		s.Partitions = append(s.Partitions, *tp)
	}
	for src := range c.sources {
		s.Sources = append(s.Sources, src)
	}
	for _, l := range []*[]string{&s.Accounts, &s.Regions, &s.Sources} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	slices.SortFunc(s.Partitions, func(a, b TrailPartition) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return s
}

// daysOf counts the covered days of each account and region.
func (c *coverage) daysOf() map[pair]int {
	out := map[pair]int{}
	for cl := range c.cells {
		out[pair{cl.account, cl.region}]++
	}
	return out
}

// isoWeek names t's ISO week (2026-W14) and returns its Monday.
func isoWeek(t time.Time) (string, time.Time) {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w), weekStart(t)
}

func monthStart(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// keyTagGroup names the group of a denied key under --by tag:<k>, from the
// key's tags in the latest scans.
func keyTagGroup(tag, keyARN string, known map[string]keys.Key) string {
	k, ok := known[strings.ToLower(keyARN)]
	if !ok {
		return "(key not in the latest scans)"
	}
	if v := k.Tags[tag]; v != "" {
		return v
	}
	return "(no " + tag + " tag)"
}

// computeDenials sums ds, which readTrail keeps to covered cells, so each
// denial's week is one of cov's.
func computeDenials(ds []trail.Denial, cov *coverage, by string, known map[string]keys.Key) *Denials {
	out := &Denials{ByPolicyRelation: map[string]int64{trail.PolicyNamed: 0, trail.PolicyDelegated: 0,
		trail.PolicyUnnamed: 0, trail.PolicyUnknown: 0}}
	byKey, byPrincipal, groups := counter{}, counter{}, counter{}
	byVia := counter{trail.ViaDirect: {Group: trail.ViaDirect}, trail.ViaSageMaker: {Group: trail.ViaSageMaker}}
	weeks := map[string]*DenialWeek{}
	for cl := range cov.cells {
		name, start := isoWeek(cl.day)
		w := weeks[name]
		if w == nil {
			w = &DenialWeek{Week: name, Start: start}
			weeks[name] = w
		}
		w.CoveredCells++
	}
	for _, d := range ds {
		rel := d.Policy
		if _, ok := out.ByPolicyRelation[rel]; !ok {
			rel = trail.PolicyUnknown // a relation this version does not know is not known
		}
		var unauth int64
		if rel == trail.PolicyUnnamed {
			unauth = d.Count
		}
		out.Total += d.Count
		out.Unauthorized += unauth
		out.ByPolicyRelation[rel] += d.Count
		byKey.add(d.KeyARN, d.Count, unauth)
		byPrincipal.add(d.Principal, d.Count, unauth)
		byVia.add(d.Via, d.Count, unauth)
		name, _ := isoWeek(d.Day)
		weeks[name].Count += d.Count
		weeks[name].Unauthorized += unauth
		if by != "" {
			g := NotApplicable
			switch {
			case by == "account":
				g = d.Account
			case by == "region":
				g = d.Region
			case strings.HasPrefix(by, "tag:"):
				g = keyTagGroup(strings.TrimPrefix(by, "tag:"), d.KeyARN, known)
			}
			groups.add(g, d.Count, unauth)
		}
	}
	if judged := out.Total - out.ByPolicyRelation[trail.PolicyUnknown]; judged > 0 {
		share := math.Round(float64(out.Unauthorized)/float64(judged)*1e4) / 1e4
		out.UnauthorizedShare = &share
	}
	out.ByKey, out.ByPrincipal = byKey.byCount(), byPrincipal.byCount()
	out.ByVia, out.Groups = byVia.byName(), groups.byName()
	out.ByWeek = []DenialWeek{}
	for _, w := range weeks {
		out.ByWeek = append(out.ByWeek, *w)
	}
	slices.SortFunc(out.ByWeek, func(a, b DenialWeek) int { return a.Start.Compare(b.Start) })
	return out
}

// counter sums denials per group.
type counter map[string]*DenialCount

func (c counter) add(group string, n, unauth int64) {
	dc := c[group]
	if dc == nil {
		dc = &DenialCount{Group: group}
		c[group] = dc
	}
	dc.Count += n
	dc.Unauthorized += unauth
}

// byCount lists the groups most denied first.
func (c counter) byCount() []DenialCount {
	out := c.byName()
	slices.SortStableFunc(out, func(a, b DenialCount) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

func (c counter) byName() []DenialCount {
	out := make([]DenialCount, 0, len(c))
	for _, dc := range c {
		out = append(out, *dc)
	}
	slices.SortFunc(out, func(a, b DenialCount) int { return cmp.Compare(a.Group, b.Group) })
	return out
}

// actionKinds maps a SageMaker event name to the catalog kinds it creates
// or updates (the requests a guardrail can refuse).
func actionKinds() map[string]string {
	kinds := map[string][]string{}
	for _, k := range catalog.Kinds() {
		actions := trail.CreatorActions(k)
		for _, a := range k.KeyUpdateActions {
			actions = append(actions, strings.TrimPrefix(a, "sagemaker:"))
		}
		for _, a := range actions {
			if !slices.Contains(kinds[a], k.ID) {
				kinds[a] = append(kinds[a], k.ID)
			}
		}
	}
	out := make(map[string]string, len(kinds))
	for a, ks := range kinds {
		sort.Strings(ks)
		out[a] = strings.Join(ks, "+") // no action serves two kinds today; if one does, say so
	}
	return out
}

// computeBlocked sums bs, which readTrail keeps to covered cells, so each
// request's month is one of cov's.
func computeBlocked(bs []trail.Blocked, cov *coverage, by string) *Blocked {
	out := &Blocked{}
	months := map[time.Time]*BlockedMonth{}
	for cl := range cov.cells {
		m := monthStart(cl.day)
		bm := months[m]
		if bm == nil {
			bm = &BlockedMonth{Month: m.Format("2006-01"), Start: m}
			months[m] = bm
		}
		bm.CoveredCells++
	}
	var kinds map[string]string
	if by == "kind" {
		kinds = actionKinds()
	}
	byAction, byAccount, groups := blockedCounter{}, blockedCounter{}, blockedCounter{}
	type policyKey struct{ typ, arn string }
	byPolicy := map[policyKey]*BlockedPolicy{}
	for _, b := range bs {
		out.add(b)
		months[monthStart(b.Day)].add(b)
		byAction.add(b.Action, b)
		byAccount.add(b.Account, b)
		pk := policyKey{b.PolicyType, b.PolicyARN}
		bp := byPolicy[pk]
		if bp == nil {
			bp = &BlockedPolicy{PolicyType: b.PolicyType, PolicyARN: b.PolicyARN}
			byPolicy[pk] = bp
		}
		bp.add(b)
		if by != "" {
			g := NotApplicable
			switch by {
			case "account":
				g = b.Account
			case "region":
				g = b.Region
			case "kind":
				if g = kinds[strings.TrimPrefix(b.Action, "sagemaker:")]; g == "" {
					g = "(unknown kind)"
				}
			}
			groups.add(g, b)
		}
	}
	out.ByMonth = []BlockedMonth{}
	for _, m := range months {
		out.ByMonth = append(out.ByMonth, *m)
	}
	slices.SortFunc(out.ByMonth, func(a, b BlockedMonth) int { return a.Start.Compare(b.Start) })
	out.ByAction, out.ByAccount, out.Groups = byAction.byCount(), byAccount.byCount(), groups.byName()
	out.ByPolicy = []BlockedPolicy{}
	for _, p := range byPolicy {
		out.ByPolicy = append(out.ByPolicy, *p)
	}
	slices.SortFunc(out.ByPolicy, func(a, b BlockedPolicy) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.PolicyType, b.PolicyType), cmp.Compare(a.PolicyARN, b.PolicyARN))
	})
	return out
}

// blockedCounter sums blocked requests per group.
type blockedCounter map[string]*BlockedGroup

func (c blockedCounter) add(group string, b trail.Blocked) {
	g := c[group]
	if g == nil {
		g = &BlockedGroup{Group: group}
		c[group] = g
	}
	g.BlockedCounts.add(b)
}

func (c blockedCounter) byName() []BlockedGroup {
	out := make([]BlockedGroup, 0, len(c))
	for _, g := range c {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b BlockedGroup) int { return cmp.Compare(a.Group, b.Group) })
	return out
}

// byCount lists the groups most blocked first.
func (c blockedCounter) byCount() []BlockedGroup {
	out := c.byName()
	slices.SortStableFunc(out, func(a, b BlockedGroup) int { return cmp.Compare(b.Total, a.Total) })
	return out
}

// requestUses sums the SageMaker KMS requests of the covered cells per
// account, region and key, with the covered days they were counted on.
func requestUses(rs []trail.RequestCount, cov *coverage) []cost.RequestUse {
	days := cov.daysOf()
	type id struct{ account, region, key string }
	sums := map[id]int64{}
	for _, r := range rs {
		sums[id{r.Account, r.Region, r.KeyARN}] += r.Count
	}
	out := make([]cost.RequestUse, 0, len(sums))
	for k, n := range sums {
		out = append(out, cost.RequestUse{KeyARN: k.key, Account: k.account, Region: k.region, Requests: n,
			CoveredDays: days[pair{k.account, k.region}]})
	}
	slices.SortFunc(out, func(a, b cost.RequestUse) int {
		return cmp.Or(cmp.Compare(a.KeyARN, b.KeyARN), cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return out
}
