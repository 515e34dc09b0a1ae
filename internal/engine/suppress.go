package engine

import (
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// Suppression mutes failures the owners have accepted, with a reason and an
// optional expiry. It matches a check id (glob) and either a resource ARN
// glob, tags, or both (all given criteria must match).
type Suppression struct {
	Check    string
	Resource string            // ARN glob; empty matches any resource
	Tags     map[string]string // all must be present with these values
	Reason   string
	Expires  time.Time // zero means never
}

func (s Suppression) matches(f finding.Finding) bool {
	if !CompileGlob(s.Check).Match(f.CheckID) {
		return false
	}
	if s.Resource != "" && !CompileGlob(s.Resource).Match(f.Resource.ARN) {
		return false
	}
	for k, v := range s.Tags {
		if got, ok := f.Resource.Tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// applySuppressions turns a matching FAIL into MUTED. An expired suppression
// no longer applies, and the finding says so, so nobody mistakes the
// returning failure for a new one.
func applySuppressions(f *finding.Finding, sups []Suppression, now time.Time) {
	if f.Status != finding.Fail {
		return
	}
	var expired *Suppression
	for i, s := range sups {
		if !s.matches(*f) {
			continue
		}
		if !s.Expires.IsZero() && !now.Before(s.Expires) {
			expired = &sups[i]
			continue
		}
		f.Status = finding.Muted
		f.Suppression = &finding.Suppression{Reason: s.Reason, Expires: s.Expires}
		return
	}
	if expired != nil {
		f.Suppression = &finding.Suppression{Reason: expired.Reason, Expires: expired.Expires, Expired: true}
		f.Message += " (suppression expired " + expired.Expires.UTC().Format("2006-01-02") + ": " + expired.Reason + ")"
	}
}
