package store

import (
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
)

// FindingFilter selects present findings (those whose resource the latest
// covering scan still saw) for the dashboard. Empty fields match anything.
type FindingFilter struct {
	Status   finding.Status
	Severity *finding.Severity
	Kind     string
	Account  string
	Region   string
	// Owner is the owner tag's value; "" selects untagged findings, nil
	// any.
	Owner       *string
	CheckID     string
	ResourceARN string
	// OpenOnly keeps findings with an open violation.
	OpenOnly bool
	// IncludeGone also matches findings whose resource is gone.
	IncludeGone bool
}

// Page is one page of a list: Number counts from 1, Size rows per page.
type Page struct {
	Number, Size int
}

// MaxPageSize caps a page, whatever a URL asks for.
const MaxPageSize = 500

// FindingRow is a finding's current state with its owner and detail.
type FindingRow struct {
	history.State
	Owner string
	// Detail is empty for rows stored before migration 0005 that no scan
	// has seen since.
	Detail history.Detail
}

// Facets are the distinct values of present findings, for the filter
// dropdowns.
type Facets struct {
	Statuses, Kinds, Accounts, Regions, Owners, Checks []string
	Severities                                         []finding.Severity
}

// GroupCount is how many rows share one value of a grouping column.
type GroupCount struct {
	Group string
	Count int
}

// StatusCount is how many present findings of a group have one status.
type StatusCount struct {
	Group  string
	Status finding.Status
	Count  int
}
