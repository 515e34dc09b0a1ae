// Package kpi computes the figures security and FinOps teams report from
// stored scan history: percent compliant (overall, per group, and its
// trend), mean time to remediate, the age of open violations, new
// violations per week, key hygiene, the KMS cost estimate by cost center,
// and, from the stored CloudTrail aggregates (sagekey trail), KMS access
// denials and violations blocked. Everything is derived from what the store
// returns; nothing is counted on the side.
package kpi

import (
	"context"
	"time"

	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/store"
)

// Schema is the version of the KPI JSON contract documented in the README.
const Schema = "sagekey.kpi/v1"

// Source is the read side of the store the KPIs need; *store.Store
// satisfies it.
type Source interface {
	Runs(ctx context.Context) ([]store.Run, error)
	Observations(ctx context.Context, runID int64) ([]history.Observation, error)
	States(ctx context.Context) ([]history.State, error)
	Episodes(ctx context.Context) ([]history.Episode, error)
	Snapshot(ctx context.Context, runID int64) (store.Snapshot, error)
	TrailSource
}

var _ Source = (*store.Store)(nil)

// Trend granularities.
const (
	TrendRun = "run"
	TrendDay = "day"
)

// Options choose the window and the grouping.
type Options struct {
	From, To time.Time
	// By groups compliance, MTTR, open violations and the CloudTrail KPIs:
	// "", "kind", "account", "region" or "tag:<key>".
	By    string
	Trend string
	// CostCenterTag is the tag key that names a cost center.
	CostCenterTag string
}

// Report is the KPI document (sagekey.kpi/v1).
type Report struct {
	Schema        string       `json:"schema"`
	Window        Window       `json:"window"`
	Scope         Scope        `json:"scope"`
	GroupBy       string       `json:"group_by"`
	Compliance    Compliance   `json:"compliance"`
	MTTR          MTTR         `json:"mttr"`
	Open          Open         `json:"open"`
	NewViolations []WeekCount  `json:"new_violations"`
	Keys          KeyHygiene   `json:"keys"`
	Cost          CostEstimate `json:"cost"`
	// Trail says which days the CloudTrail KPIs rest on; Denials and
	// Blocked are nil (null) when no trail covers the window.
	Trail   TrailScope `json:"trail"`
	Denials *Denials   `json:"kms_access_denials"`
	Blocked *Blocked   `json:"violations_blocked"`
}

// Window is the period the KPIs cover.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Scope says which stored scans the figures rest on, so a reader knows what
// they cover (and what they do not).
type Scope struct {
	Runs     []int64  `json:"runs"`
	Accounts []string `json:"accounts"`
	Regions  []string `json:"regions"`
	// Since lists the --since windows of those scans ("" = all history).
	Since []string `json:"since_windows"`
	// Gaps counts the gaps of those scans: parts of the estate not read.
	Gaps int `json:"gaps"`
	// IncompleteSweeps are the sweeps in the window still missing shards
	// at its end: left out of the trend (absent when there are none).
	IncompleteSweeps []IncompleteSweep `json:"incomplete_sweeps,omitempty"`
}
