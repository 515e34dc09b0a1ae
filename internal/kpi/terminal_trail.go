package kpi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sagekey/sagekey/internal/term"
	"github.com/sagekey/sagekey/internal/trail"
)

// topN is how many entries of a ranked CloudTrail breakdown (keys,
// principals, actions, policies) the page shows; csv and json keep all.
const topN = 5

// trail writes the CloudTrail sections: coverage, KMS access denials and
// blocked violations, or why there are none.
func (p *page) trail(r *Report) {
	t := r.Trail
	p.heading("CloudTrail")
	if r.Denials == nil || r.Blocked == nil {
		if t.Reason == "" || t.Reason == NoTrailReason {
			p.empty("No CloudTrail data covers this window, so KMS access denials and blocked violations are not " +
				"counted (run sagekey trail).")
		} else {
			p.empty("KMS access denials and blocked violations are not counted (" + t.Reason + ").")
		}
		return
	}
	p.say(fmt.Sprintf("%d account×region×day cells read, %d of the window's %d days (%s to %s); days nobody read "+
		"are unknown, not zero. Sources: %s.", t.CoveredCells, t.CoveredDays, t.WindowDays, deref(t.FirstDay),
		deref(t.LastDay), clean(strings.Join(t.Sources, ", "))))
	ct := &table{}
	ct.add(head("account", "region", "days read", "first", "last")...)
	for _, pt := range t.Partitions {
		ct.add(txt(clean(pt.Account)), txt(clean(pt.Region)), num(strconv.Itoa(pt.CoveredDays)), txt(pt.FirstDay), txt(pt.LastDay))
	}
	p.table(ct)
	p.denials(r.Denials, r.GroupBy)
	p.blocked(r.Blocked, r.GroupBy)
}

func (p *page) denials(d *Denials, by string) {
	p.heading("KMS access denials")
	p.say("KMS requests refused on keys that protect SageMaker data; unauthorized: by principals the key policy "+
		"names neither directly nor through their account.", term.Dim)
	if d.Total == 0 {
		p.empty("No KMS request was refused on the days read.")
		return
	}
	p.say(fmt.Sprintf("%s refused, %s unauthorized (%s of those whose key policy was read). Key policy: %s named, "+
		"%s delegated, %s unnamed, %s unknown.", grouped(d.Total), grouped(d.Unauthorized), shareText(d.UnauthorizedShare),
		grouped(d.ByPolicyRelation[trail.PolicyNamed]), grouped(d.ByPolicyRelation[trail.PolicyDelegated]),
		grouped(d.ByPolicyRelation[trail.PolicyUnnamed]), grouped(d.ByPolicyRelation[trail.PolicyUnknown])))
	t := &table{}
	t.add(head("", "denials", "unauthorized")...)
	section := func(label string, cs []DenialCount, limit int) {
		if len(cs) == 0 {
			return
		}
		t.add(txt(label, term.Dim))
		for i, c := range cs {
			if i == limit {
				t.add(txt(fmt.Sprintf("  … %d more", len(cs)-limit), term.Dim))
				break
			}
			t.add(groupName(c.Group), num(grouped(c.Count)), num(grouped(c.Unauthorized), paintIf(c.Unauthorized, term.Red)...))
		}
	}
	section("by key", d.ByKey, topN)
	section("by principal", d.ByPrincipal, topN)
	section("via", d.ByVia, len(d.ByVia))
	if by != "" {
		section("by "+clean(by), d.Groups, len(d.Groups))
	}
	p.table(t)
	if len(d.ByWeek) > 0 {
		w := &table{}
		w.add(head("week", "starts", "cells read", "denials", "unauthorized")...)
		for _, x := range d.ByWeek {
			w.add(txt(x.Week), txt(x.Start.UTC().Format("2006-01-02")), num(strconv.Itoa(x.CoveredCells)),
				num(grouped(x.Count)), num(grouped(x.Unauthorized), paintIf(x.Unauthorized, term.Red)...))
		}
		p.lines = append(p.lines, "")
		p.table(w)
	}
}

func (p *page) blocked(b *Blocked, by string) {
	p.heading("Violations blocked")
	p.say("SageMaker create and update requests an explicit deny refused: violations that never came to exist.",
		term.Dim)
	if b.Total == 0 {
		p.empty("No SageMaker request was refused by an explicit deny on the days read.")
		return
	}
	p.say(fmt.Sprintf("%s blocked: %s by sagekey's guardrails, %s by other policies, %s by a policy the error did not name.",
		grouped(b.Total), grouped(b.Guardrail), grouped(b.Other), grouped(b.Unattributed)))
	t := &table{}
	t.add(head("", "blocked", "guardrail", "other", "unattributed")...)
	row := func(label tcell, c BlockedCounts) {
		t.add(label, num(grouped(c.Total)), num(grouped(c.Guardrail), paintIf(c.Guardrail, term.Green)...),
			num(grouped(c.Other)), num(grouped(c.Unattributed)))
	}
	section := func(label string, gs []BlockedGroup, limit int) {
		if len(gs) == 0 {
			return
		}
		t.add(txt(label, term.Dim))
		for i, g := range gs {
			if i == limit {
				t.add(txt(fmt.Sprintf("  … %d more", len(gs)-limit), term.Dim))
				break
			}
			row(groupName(g.Group), g.BlockedCounts)
		}
	}
	if len(b.ByMonth) > 0 {
		t.add(txt("by month", term.Dim))
		for _, m := range b.ByMonth {
			row(groupName(m.Month), m.BlockedCounts)
		}
	}
	section("by action", b.ByAction, topN)
	section("by account", b.ByAccount, len(b.ByAccount))
	if len(b.ByPolicy) > 0 {
		t.add(txt("by policy", term.Dim))
		for i, pol := range b.ByPolicy {
			if i == topN {
				t.add(txt(fmt.Sprintf("  … %d more", len(b.ByPolicy)-topN), term.Dim))
				break
			}
			name := pol.PolicyARN
			if name == "" {
				name = "(" + pol.PolicyType + " policy, not named)"
			}
			row(groupName(name), pol.BlockedCounts)
		}
	}
	if by != "" {
		section("by "+clean(by), b.Groups, len(b.Groups))
	}
	p.table(t)
}
