package kpi

import (
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// Compliance is percent compliant with the CMK policy: one <kind>.cmk
// verdict per resource, PASS / (PASS + FAIL). NOT_APPLICABLE is excluded;
// ERROR (could not verify) and MUTED (accepted risk) are reported apart and
// never counted as compliant.
type Compliance struct {
	Overall Tally        `json:"overall"`
	Groups  []Tally      `json:"groups"`
	Trend   []TrendPoint `json:"trend"`
}

// Tally is the verdict counts of a group (see package compliance for the
// definition).
type Tally = compliance.Tally

// TrendPoint is compliance after one scan (--trend run) or at the end of
// one day (--trend day).
type TrendPoint = compliance.Point

// estate is the latest known CMK verdict of every resource, replayed scan
// by scan: a scan overwrites what it observed and removes what it covered
// but no longer saw (deleted). Out-of-scope resources keep their last
// verdict.
type estate map[string]history.Observation

func (e estate) apply(run store.Run, obs []history.Observation) {
	seen := make(map[string]bool, len(obs))
	for _, o := range obs {
		fp := o.Fingerprint()
		seen[fp] = true
		e[fp] = o
	}
	for fp, o := range e {
		if !seen[fp] && run.Scope.Covers(o.Subject) {
			delete(e, fp)
		}
	}
}

func (e estate) tally(by string) (Tally, []Tally) {
	overall := Tally{Group: "all"}
	groups := compliance.Groups{}
	for _, o := range e {
		overall.Add(o.Status)
		if by != "" {
			groups.Add(groupOf(by, o.Subject, o.Tags), o.Status)
		}
	}
	overall.Finish()
	return overall, groups.Finished()
}

// replayCompliance replays the runs up to o.To; runs must be oldest first and obs
// hold only CMK verdicts.
func replayCompliance(runs []store.Run, obs map[int64][]history.Observation, o Options) Compliance {
	e := estate{}
	points := sweepPoints(runs)
	c := Compliance{Groups: []Tally{}, Trend: []TrendPoint{}}
	var dayEnd time.Time
	flushDay := func() {
		if !dayEnd.IsZero() {
			t, _ := e.tally("")
			c.Trend = append(c.Trend, TrendPoint{At: dayEnd, Tally: t})
		}
	}
	for _, r := range runs {
		inWindow := !r.Started.Before(o.From)
		if o.Trend == TrendDay && inWindow {
			if end := endOfDay(r.Started); !end.Equal(dayEnd) {
				flushDay()
				dayEnd = end
			}
		}
		e.apply(r, obs[r.ID])
		if o.Trend != TrendDay && r.Shard != nil {
			// A sweep is one point, once its last shard is in; an
			// incomplete one has none (Scope.IncompleteSweeps names it).
			if s, ok := points[r.ID]; ok && !s.Status.Started.Before(o.From) {
				c.Trend = append(c.Trend, sweepTally(s, obs))
			}
			continue
		}
		if o.Trend != TrendDay && inWindow {
			var t Tally
			for _, ob := range obs[r.ID] {
				t.Add(ob.Status)
			}
			t.Group = "run"
			t.Finish()
			c.Trend = append(c.Trend, TrendPoint{At: r.Started, Run: r.ID, Tally: t})
		}
	}
	if o.Trend == TrendDay {
		flushDay()
	}
	c.Overall, c.Groups = e.tally(o.By)
	return c
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1).Add(-time.Millisecond)
}

// groupOf names the group a finding belongs to under --by.
func groupOf(by string, s history.Subject, tags map[string]string) string {
	switch by {
	case "kind":
		return s.Kind
	case "account":
		return s.Account
	case "region":
		return s.Region
	}
	if key, ok := strings.CutPrefix(by, "tag:"); ok {
		if v := tags[key]; v != "" {
			return v
		}
		return "(no " + key + " tag)"
	}
	return "all"
}
