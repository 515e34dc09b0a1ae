package store

import (
	"iter"
	"slices"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// Run is a stored scan's metadata.
type Run struct {
	ID       int64     `json:"id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Principal is the AWS identity (caller ARN) that scanned.
	Principal string `json:"principal"`
	// User is the local user who ran sagekey.
	User        string                 `json:"user"`
	ToolVersion string                 `json:"tool_version"`
	Scope       history.Scope          `json:"scope"`
	Counts      map[finding.Status]int `json:"counts"`
	Gaps        int                    `json:"gaps"`
	// Shard is set when the run is one shard of a sweep; nil otherwise.
	Shard *RunShard `json:"shard,omitempty"`
	// Targeted is set when the run is an event-driven check of a few named
	// resources (Scope.Targeted), not a scan of the estate: Runs leaves
	// such runs out; AllRuns, Run and RunsPage return them. SaveRun takes
	// it from Scope.Targeted.
	Targeted bool `json:"targeted,omitempty"`
}

// Snapshot is what a scan collected, kept so later releases can re-read and
// re-evaluate it. SchemaVersion is inventory.SchemaVersion at save time.
type Snapshot struct {
	SchemaVersion int                 `json:"schema_version"`
	Inventory     inventory.Inventory `json:"inventory"`
	Keys          []keys.Key          `json:"keys"`
	// KeyRefs maps each canonical key reference seen on a slot to the key
	// ARN it resolved to.
	KeyRefs map[string]string `json:"key_refs"`
}

// RunRecord is everything SaveRun stores for one scan.
type RunRecord struct {
	Run Run
	// Observations are the findings the run saw. Observe, when set, is used
	// instead: it makes them one at a time, anew on each call, so that a
	// large scan's observations are never all held at once (SaveRun goes
	// over them once per fingerprint range).
	Observations []history.Observation
	Observe      iter.Seq[history.Observation]
	// ObserveAt, when set beside Observe, makes the i-th observation Observe
	// yields on its own. SaveRun then makes each observation once to store
	// it and once in its own range's pass, not once per range (a scan makes
	// an observation by judging a finding again).
	ObserveAt func(i int) history.Observation
	Snapshot  Snapshot
}

// Observed yields the run's observations, from Observe when it is set.
func (r RunRecord) Observed() iter.Seq[history.Observation] {
	if r.Observe != nil {
		return r.Observe
	}
	return slices.Values(r.Observations)
}
