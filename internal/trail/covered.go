package trail

import "time"

// Covered returns the day-grouped counts of g that fall in a covered
// (account, region, day) cell, with creators, key events and problems as
// they are. A count of a day nobody read in full (today, a region with a
// failed listing) is left out, so totals rest on covered days only and
// agree with the KPIs.
func (g *Aggregates) Covered(cov []Coverage) *Aggregates {
	if g == nil {
		return &Aggregates{}
	}
	type cell struct {
		account, region string
		day             time.Time
	}
	cells := make(map[cell]bool, len(cov))
	for _, c := range cov {
		cells[cell{c.Account, c.Region, Day(c.Day)}] = true
	}
	in := func(account, region string, day time.Time) bool { return cells[cell{account, region, Day(day)}] }
	out := &Aggregates{Events: g.Events, Matched: g.Matched, Creators: g.Creators, KeyEvents: g.KeyEvents, Problems: g.Problems}
	for _, d := range g.Denials {
		if in(d.Account, d.Region, d.Day) {
			out.Denials = append(out.Denials, d)
		}
	}
	for _, b := range g.Blocked {
		if in(b.Account, b.Region, b.Day) {
			out.Blocked = append(out.Blocked, b)
		}
	}
	for _, r := range g.Requests {
		if in(r.Account, r.Region, r.Day) {
			out.Requests = append(out.Requests, r)
		}
	}
	return out
}
