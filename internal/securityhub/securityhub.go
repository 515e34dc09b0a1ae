// Package securityhub imports sagekey's findings into AWS Security Hub CSPM
// with BatchImportFindings, as findings of the custom-integration product
// every account has ("product/<account>/default").
//
// That product decides the shape of an import. Security Hub accepts a
// finding for it only from the account the finding belongs to and only in
// the region its ProductArn names, so findings are grouped by region and
// sent through one client per region, and findings of other accounts are
// reported as not imported instead of being sent to be refused. Requests
// hold at most 100 findings and 6 MB, and a finding may not exceed 240 KB
// (the API's documented limits). Throttling is the SDK retryer's job, as
// for every client sagekey builds; what this package retries is the
// per-finding failures a successful request reports in FailedFindings.
//
// Nothing is lost silently: every finding passed to Import is either
// counted as imported or listed in Result.Failed with the reason.
package securityhub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/sagekey/sagekey/internal/report"
)

// API is the one Security Hub operation sagekey calls: it writes findings
// of sagekey's own product and nothing else.
type API interface {
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
}

// The API's limits (BatchImportFindings guidelines: up to 100 findings per
// batch, 240 KB per finding and 6 MB per batch). Sizes are counted in
// decimal units so a rounding difference never tips a request over.
const (
	MaxBatchFindings = 100
	MaxBatchBytes    = 6_000_000
	MaxFindingBytes  = 240_000
)

// Error codes of findings that were not sent or whose request failed as a
// whole; findings Security Hub itself refused carry its own code.
const (
	CodeOtherAccount  = "SAGEKEY_OTHER_ACCOUNT"
	CodeNoRegion      = "SAGEKEY_NO_REGION"
	CodeTooLarge      = "SAGEKEY_FINDING_TOO_LARGE"
	CodeCanceled      = "SAGEKEY_CANCELED"
	CodeRequestFailed = "SAGEKEY_REQUEST_FAILED"
)

// ErrIncomplete is returned (wrapped) when any finding was not imported;
// Result.Failed lists them.
var ErrIncomplete = errors.New("security hub: not every finding was imported")

// Options tunes Import. Account is required; zero values of the rest use
// the API's limits and a short exponential backoff.
type Options struct {
	// Account is the caller's AWS account (awsclient.Identity). Only
	// findings of this account can be imported for the default product.
	Account string
	// MaxBatchFindings, MaxBatchBytes and MaxFindingBytes bound each
	// request and each finding; <= 0 uses the package constants.
	MaxBatchFindings int
	MaxBatchBytes    int
	MaxFindingBytes  int
	// Attempts is how often a finding reported in FailedFindings is sent,
	// the first time included; <= 0 means 4.
	Attempts int
	// Backoff is the wait before the first resend, doubling after each;
	// <= 0 means 1s. Waits are capped at 20s.
	Backoff time.Duration
	// Sleep waits d or until ctx is done; nil uses a timer. Tests replace
	// it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result is what an import did.
type Result struct {
	// Imported counts findings Security Hub accepted.
	Imported int
	// Failed lists every finding that was not imported, with the reason.
	Failed []FailedFinding
	// Batches counts BatchImportFindings requests, resends included.
	Batches int
}

// FailedFinding is one finding that was not imported.
type FailedFinding struct {
	Id           string
	ErrorCode    string
	ErrorMessage string
}

const (
	defaultAttempts = 4
	defaultBackoff  = time.Second
	maxBackoff      = 20 * time.Second
)

func (o Options) withDefaults() Options {
	if o.MaxBatchFindings <= 0 {
		o.MaxBatchFindings = MaxBatchFindings
	}
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = MaxBatchBytes
	}
	if o.MaxFindingBytes <= 0 {
		o.MaxFindingBytes = MaxFindingBytes
	}
	if o.Attempts <= 0 {
		o.Attempts = defaultAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = defaultBackoff
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return o
}

// Import sends findings to Security Hub, each to the region its ProductArn
// names, through client(region). Batches are independent: a request that
// fails marks its own findings failed and the import goes on. The error is
// nil only if every finding was imported; otherwise it wraps ErrIncomplete
// (and ctx.Err() when the import was canceled), and the Result says which
// findings did not make it and why.
func Import(ctx context.Context, client func(region string) API, findings []report.ASFFFinding, opts Options) (Result, error) {
	if opts.Account == "" {
		return Result{}, errors.New("securityhub: Options.Account (the caller's account) is required")
	}
	if client == nil {
		return Result{}, errors.New("securityhub: no client factory")
	}
	opts = opts.withDefaults()
	var res Result
	regions, byRegion := plan(findings, opts, &res)
	for _, region := range regions {
		api := client(region)
		for _, b := range batches(byRegion[region], opts) {
			if err := ctx.Err(); err != nil {
				res.fail(b, CodeCanceled, "not sent: "+err.Error())
				continue
			}
			send(ctx, api, b, opts, &res)
		}
	}
	if len(res.Failed) == 0 {
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("%w: %d of %d findings: %w", ErrIncomplete, len(res.Failed), len(findings), err)
	}
	first := res.Failed[0]
	return res, fmt.Errorf("%w: %d of %d findings (first: %s: %s: %s)", ErrIncomplete,
		len(res.Failed), len(findings), first.Id, first.ErrorCode, first.ErrorMessage)
}

func (r *Result) fail(fs []sized, code, msg string) {
	for _, f := range fs {
		r.Failed = append(r.Failed, FailedFinding{Id: f.Id, ErrorCode: code, ErrorMessage: msg})
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
