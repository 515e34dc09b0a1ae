package kpi

import (
	"fmt"
	"sort"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// MTTR is the time to remediate violations resolved in the window,
// measured from the scan that first found each violation to the scan that
// saw it fixed (the check passed) or its resource deleted. Muted
// violations are accepted risk, not remediation, and are counted apart.
type MTTR struct {
	Resolved     int            `json:"resolved"`
	ByResolution map[string]int `json:"by_resolution"`
	Muted        int            `json:"muted"`
	Stats
	BySeverity []Stats `json:"by_severity"`
	Groups     []Stats `json:"groups"`
}

// Stats summarises durations in hours; null when there are none.
type Stats struct {
	Group       string   `json:"group,omitempty"`
	Count       int      `json:"count"`
	MeanHours   *float64 `json:"mean_hours"`
	MedianHours *float64 `json:"median_hours"`
	MaxHours    *float64 `json:"max_hours"`
}

func stats(group string, ds []time.Duration) Stats {
	s := Stats{Group: group, Count: len(ds)}
	if len(ds) == 0 {
		return s
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	mean, maxH := compliance.Round(sum.Hours()/float64(len(ds))), compliance.Round(ds[len(ds)-1].Hours())
	median := ds[len(ds)/2].Hours()
	if len(ds)%2 == 0 {
		median = (ds[len(ds)/2-1].Hours() + ds[len(ds)/2].Hours()) / 2
	}
	median = compliance.Round(median)
	s.MeanHours, s.MedianHours, s.MaxHours = &mean, &median, &maxH
	return s
}

// Open is the violations open at the end of the window and their age.
type Open struct {
	Stats
	BySeverity []Stats       `json:"by_severity"`
	Groups     []Stats       `json:"groups"`
	AgeBuckets []BucketCount `json:"age_buckets"`
}

// BucketCount is how many open violations fall in an age range.
type BucketCount struct {
	Bucket string `json:"bucket"`
	Count  int    `json:"count"`
}

var ageBuckets = []struct {
	name  string
	below time.Duration
}{
	{"under 7 days", 7 * 24 * time.Hour},
	{"7 to 30 days", 30 * 24 * time.Hour},
	{"30 to 90 days", 90 * 24 * time.Hour},
	{"90 days or more", 1 << 62},
}

// WeekCount is the violations first found (New) or found again after being
// resolved (Reopened) in one ISO week.
type WeekCount struct {
	Week     string    `json:"week"` // 2026-W45
	Start    time.Time `json:"start"`
	New      int       `json:"new"`
	Reopened int       `json:"reopened"`
}

// violations computes MTTR, open ages and new violations per week from
// the stored episodes; subjects (by fingerprint) supply the groups.
func violations(eps []history.Episode, subjects map[string]history.State, o Options) (MTTR, Open, []WeekCount) {
	m := MTTR{ByResolution: map[string]int{}, BySeverity: []Stats{}, Groups: []Stats{}}
	var all []time.Duration
	bySev, byGroup := map[finding.Severity][]time.Duration{}, map[string][]time.Duration{}
	open := Open{BySeverity: []Stats{}, Groups: []Stats{}, AgeBuckets: []BucketCount{}}
	var ages []time.Duration
	ageSev, ageGroup := map[finding.Severity][]time.Duration{}, map[string][]time.Duration{}
	buckets := make([]int, len(ageBuckets))
	weeks := map[string]*WeekCount{}
	group := func(ep history.Episode) string {
		st := subjects[ep.Fingerprint]
		return groupOf(o.By, st.Subject, st.Tags)
	}
	for _, ep := range eps {
		resolvedInWindow := !ep.ResolvedAt.IsZero() && !ep.ResolvedAt.Before(o.From) && !ep.ResolvedAt.After(o.To)
		switch {
		case resolvedInWindow && ep.Resolution == history.ResolvedMuted:
			m.Muted++
		case resolvedInWindow:
			d := ep.ResolvedAt.Sub(ep.OpenedAt)
			m.Resolved++
			m.ByResolution[string(ep.Resolution)]++
			all = append(all, d)
			bySev[ep.Severity] = append(bySev[ep.Severity], d)
			byGroup[group(ep)] = append(byGroup[group(ep)], d)
		}
		if !ep.OpenedAt.After(o.To) && (ep.ResolvedAt.IsZero() || ep.ResolvedAt.After(o.To)) {
			age := o.To.Sub(ep.OpenedAt)
			ages = append(ages, age)
			ageSev[ep.Severity] = append(ageSev[ep.Severity], age)
			ageGroup[group(ep)] = append(ageGroup[group(ep)], age)
			for i, b := range ageBuckets {
				if age < b.below {
					buckets[i]++
					break
				}
			}
		}
		if !ep.OpenedAt.Before(o.From) && !ep.OpenedAt.After(o.To) {
			y, w := ep.OpenedAt.ISOWeek()
			name := fmt.Sprintf("%d-W%02d", y, w)
			wc := weeks[name]
			if wc == nil {
				wc = &WeekCount{Week: name, Start: weekStart(ep.OpenedAt)}
				weeks[name] = wc
			}
			if ep.Reopen {
				wc.Reopened++
			} else {
				wc.New++
			}
		}
	}
	m.Stats = stats("", all)
	m.BySeverity = severityStats(bySev)
	open.Stats = stats("", ages)
	open.BySeverity = severityStats(ageSev)
	if o.By != "" {
		m.Groups, open.Groups = groupStats(byGroup), groupStats(ageGroup)
	}
	for i, b := range ageBuckets {
		open.AgeBuckets = append(open.AgeBuckets, BucketCount{Bucket: b.name, Count: buckets[i]})
	}
	perWeek := []WeekCount{}
	for _, wc := range weeks {
		perWeek = append(perWeek, *wc)
	}
	sort.Slice(perWeek, func(i, j int) bool { return perWeek[i].Start.Before(perWeek[j].Start) })
	return m, open, perWeek
}

func severityStats(m map[finding.Severity][]time.Duration) []Stats {
	out := []Stats{}
	for sev := finding.Critical; sev >= finding.Info; sev-- {
		if ds, ok := m[sev]; ok {
			out = append(out, stats(sev.String(), ds))
		}
	}
	return out
}

func groupStats(m map[string][]time.Duration) []Stats {
	out := []Stats{}
	for g, ds := range m {
		out = append(out, stats(g, ds))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// weekStart is the Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	offset := (int(t.Weekday()) + 6) % 7
	y, m, d := t.AddDate(0, 0, -offset).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
