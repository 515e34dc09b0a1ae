package detect

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/trail"
)

// Defaults of TrailOptions.
const (
	DefaultSpikeFactor = 3
	DefaultSpikeMin    = 10
	DefaultBaseline    = 7 * 24 * time.Hour
)

// KMSDenialSpikeSeverity: a burst of refusals on a key that protects
// SageMaker data is either an outage in the making (a workload lost its
// access) or someone probing the key; both need a person soon.
const KMSDenialSpikeSeverity = finding.High

// day is the unit of trail.Denial counts.
const day = 24 * time.Hour

// TrailOptions tune what in a trail is worth an alert.
type TrailOptions struct {
	// SpikeFactor: a day's denials on a key must exceed SpikeFactor × the
	// key's mean daily denials over the Baseline days before it (default
	// 3), and be at least SpikeMin (default 10), so a key refused twice
	// after a quiet week does not page anyone.
	SpikeFactor float64
	SpikeMin    int64
	Baseline    time.Duration // default 7*24h; rounded up to whole days
	// Protects maps a key ARN to the resources it protects (from the
	// latest stored scan's key findings), to give trail events a blast
	// radius; may be nil.
	Protects map[string][]finding.Resource
}

func (o TrailOptions) withDefaults() TrailOptions {
	if o.SpikeFactor <= 0 {
		o.SpikeFactor = DefaultSpikeFactor
	}
	if o.SpikeMin <= 0 {
		o.SpikeMin = DefaultSpikeMin
	}
	if o.Baseline <= 0 {
		o.Baseline = DefaultBaseline
	}
	return o
}

// DetectTrail returns events for key lifecycle events with Time after
// since, and for denial spikes on days that ended after since (the day in
// progress included, so a spike is seen the day it happens; its key is the
// same all day, so it alerts once). Days that start after now are ignored.
// Passing the previous call's now as since sees every event once.
//
// Aggregates do not say which days a trail covered, so a day with no
// denial counted counts as zero in the baseline: a key first read today
// compares against nothing and needs only SpikeMin denials.
func DetectTrail(agg *trail.Aggregates, since, now time.Time, opts TrailOptions) []Event {
	if agg == nil {
		return nil
	}
	opts = opts.withDefaults()
	var out []Event
	for _, ke := range agg.KeyEvents {
		if ke.Time.After(since) {
			out = append(out, lifecycleEvent(ke, opts.Protects[ke.KeyARN]))
		}
	}
	out = append(out, denialSpikes(agg.Denials, since, now, opts)...)
	slices.SortFunc(out, func(a, b Event) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// lifecycleSeverity: calls that make data unreadable are High; calls that
// change who controls a key or weaken it are Medium; calls that restore a
// key (enable, cancel deletion, enable rotation) are Low, still worth
// telling since they undo something somebody decided.
func lifecycleSeverity(ke trail.KeyEvent) finding.Severity {
	if ke.MakesDataUnreadable() {
		return finding.High
	}
	switch ke.Action {
	case "kms:EnableKey", "kms:CancelKeyDeletion", "kms:EnableKeyRotation":
		return finding.Low
	}
	return finding.Medium
}

// lifecycleState is the KMS key state a successful call leaves the key in,
// "" when the call does not decide it.
func lifecycleState(action string) string {
	switch action {
	case "kms:DisableKey", "kms:CancelKeyDeletion": // a cancelled deletion leaves the key Disabled
		return "Disabled"
	case "kms:ScheduleKeyDeletion":
		return "PendingDeletion"
	case "kms:DeleteImportedKeyMaterial":
		return "PendingImport"
	case "kms:EnableKey":
		return "Enabled"
	}
	return ""
}

func lifecycleEvent(ke trail.KeyEvent, protects []finding.Resource) Event {
	e := Event{
		Kind: KeyLifecycleEvent, Severity: lifecycleSeverity(ke), At: ke.Time,
		Account: ke.Account, Region: ke.Region,
		Resource: finding.Resource{ARN: ke.KeyARN, Kind: keyKind, Account: ke.Account, Region: ke.Region},
		ToState:  lifecycleState(ke.Action), BlastRadius: slices.Clone(protects),
		Principal: ke.Principal, Action: ke.Action, EventID: ke.EventID, Detail: ke.Detail,
	}
	who := ke.Principal
	if who == "" {
		who = "an unknown principal"
	}
	e.Message = fmt.Sprintf("%s called %s on key %s", who, strings.TrimPrefix(ke.Action, "kms:"), ke.KeyARN)
	if ke.Detail != "" {
		e.Message += " (" + ke.Detail + ")"
	}
	e.Message += ": " + radius(e.BlastRadius)
	// One CloudTrail event can touch two keys (an alias moved from one to
	// the other), so the key ARN is part of the subject.
	e.Key = eventKey(KeyLifecycleEvent, 0, ke.EventID+"\x00"+ke.KeyARN)
	return e
}

// keyDay is the subject of a spike.
type keyDay struct {
	account, region, key string
	day                  time.Time
}

// dayTally is one key's denials on one day, and who and what was refused
// most, for the message.
type dayTally struct {
	count      int64
	principals map[string]int64
	operations map[string]int64
}

func denialSpikes(ds []trail.Denial, since, now time.Time, opts TrailOptions) []Event {
	tallies := map[keyDay]*dayTally{}
	for _, d := range ds {
		k := keyDay{d.Account, d.Region, d.KeyARN, d.Day.UTC().Truncate(day)}
		t := tallies[k]
		if t == nil {
			t = &dayTally{principals: map[string]int64{}, operations: map[string]int64{}}
			tallies[k] = t
		}
		t.count += d.Count
		t.principals[d.Principal] += d.Count
		t.operations[d.Operation] += d.Count
	}
	days := int(math.Ceil(float64(opts.Baseline) / float64(day)))
	var out []Event
	for k, t := range tallies {
		if !k.day.Add(day).After(since) || k.day.After(now) || t.count < opts.SpikeMin {
			continue
		}
		var before int64
		for i := 1; i <= days; i++ {
			prev := k
			prev.day = k.day.Add(-time.Duration(i) * day)
			if p := tallies[prev]; p != nil {
				before += p.count
			}
		}
		mean := float64(before) / float64(days)
		if float64(t.count) <= opts.SpikeFactor*mean {
			continue
		}
		out = append(out, spikeEvent(k, t, mean, opts.Protects[k.key]))
	}
	return out
}

func spikeEvent(k keyDay, t *dayTally, mean float64, protects []finding.Resource) Event {
	e := Event{
		Kind: KMSDenialSpike, Severity: KMSDenialSpikeSeverity, At: k.day,
		Account: k.account, Region: k.region,
		Resource:    finding.Resource{ARN: k.key, Kind: keyKind, Account: k.account, Region: k.region},
		BlastRadius: slices.Clone(protects),
		Denials:     t.count, Baseline: math.Round(mean*100) / 100,
		Principal: top(t.principals), Action: top(t.operations),
	}
	e.Message = fmt.Sprintf("%d KMS access denials on key %s on %s, against %.2f a day before; most refused: %s (%s)",
		t.count, k.key, k.day.Format(time.DateOnly), e.Baseline, e.Principal, e.Action)
	e.Key = eventKey(KMSDenialSpike, 0, k.account+"\x00"+k.region+"\x00"+k.key+"\x00"+k.day.Format(time.DateOnly))
	return e
}

// top is the name with the largest count, the smallest name on a tie so
// the message does not depend on map order.
func top(counts map[string]int64) string {
	best, n := "", int64(-1)
	for name, c := range counts {
		if c > n || (c == n && name < best) {
			best, n = name, c
		}
	}
	return best
}
