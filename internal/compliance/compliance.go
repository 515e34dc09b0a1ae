// Package compliance holds the one definition of "percent compliant" that
// every view shares (KPIs over history, the HTML report of one scan): one
// <kind>.cmk verdict per resource, PASS / (PASS + FAIL). NOT_APPLICABLE is
// excluded; ERROR (could not verify) and MUTED (accepted risk) are counted
// apart and never as compliant.
package compliance

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// IsCMKCheck selects the per-resource CMK verdicts that define compliance.
func IsCMKCheck(checkID string) bool { return strings.HasSuffix(checkID, ".cmk") }

// Tally is the verdict counts of a group.
type Tally struct {
	Group         string `json:"group"`
	Pass          int    `json:"pass"`
	Fail          int    `json:"fail"`
	Error         int    `json:"error"`
	Muted         int    `json:"muted"`
	NotApplicable int    `json:"not_applicable"`
	// Percent is null when nothing was PASS or FAIL.
	Percent *float64 `json:"percent"`
}

// Add counts one verdict.
func (t *Tally) Add(s finding.Status) {
	switch s {
	case finding.Pass:
		t.Pass++
	case finding.Fail:
		t.Fail++
	case finding.Error:
		t.Error++
	case finding.Muted:
		t.Muted++
	case finding.NotApplicable:
		t.NotApplicable++
	}
}

// Finish computes Percent, rounded to two decimals, once counting is done.
func (t *Tally) Finish() {
	t.Percent = nil
	if n := t.Pass + t.Fail; n > 0 {
		p := Round(100 * float64(t.Pass) / float64(n))
		t.Percent = &p
	}
}

// Total is every verdict counted.
func (t Tally) Total() int { return t.Pass + t.Fail + t.Error + t.Muted + t.NotApplicable }

// Round rounds to two decimals, half away from zero.
func Round(v float64) float64 { return math.Round(v*100) / 100 }

// Point is compliance after one stored scan, oldest first in a trend.
type Point struct {
	At    time.Time `json:"at"`
	Run   int64     `json:"run,omitempty"`
	Tally Tally     `json:"tally"`
}

// Groups tallies verdicts by group (a kind, an account, a tag value).
type Groups map[string]*Tally

// Add counts one verdict in group.
func (g Groups) Add(group string, s finding.Status) {
	t := g[group]
	if t == nil {
		t = &Tally{Group: group}
		g[group] = t
	}
	t.Add(s)
}

// Finished returns every group's finished tally, sorted by group; never nil.
func (g Groups) Finished() []Tally {
	out := make([]Tally, 0, len(g))
	for _, name := range slices.Sorted(maps.Keys(g)) {
		t := *g[name]
		t.Finish()
		out = append(out, t)
	}
	return out
}
