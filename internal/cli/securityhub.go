package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/securityhub"
)

// maxFailuresShown bounds the per-finding lines printed for an import that
// Security Hub partly refused; the count is always printed.
const maxFailuresShown = 20

// securityHubOptions binds --import: sending the ASFF findings to AWS
// Security Hub (BatchImportFindings), the one write sagekey makes outside
// remediate --apply, and only on request.
type securityHubOptions struct {
	enabled bool
	aws     awsclient.Options
}

// registerImport adds --import alone: scan reuses its own AWS flags.
func (o *securityHubOptions) registerImport(f *pflag.FlagSet) {
	f.BoolVar(&o.enabled, "import", false, "with --format asff, also send the findings to AWS Security Hub in the caller's account (BatchImportFindings)")
}

// register adds --import and the AWS flags it needs, for commands that
// otherwise never call AWS.
func (o *securityHubOptions) register(f *pflag.FlagSet) {
	o.registerImport(f)
	f.StringVar(&o.aws.Profile, "profile", "", "AWS shared-config profile for --import")
	f.StringVar(&o.aws.EndpointURL, "endpoint-url", "", "send the calls of --import to this endpoint (emulators such as moto)")
	f.IntVar(&o.aws.MaxAttempts, "max-attempts", 0, "attempts per AWS call of --import, retries included (default 8)")
}

func (o *securityHubOptions) validate(format string) error {
	if o.enabled && format != "asff" {
		return usagef("--import sends ASFF findings to Security Hub: it needs --format asff")
	}
	return nil
}

// importFindings sends rep's findings when --import was given, and says on
// stderr what Security Hub took and what it refused. Any finding not
// imported makes the command fail (exit 1): a partial import must not look
// like a complete one.
func (o *securityHubOptions) importFindings(ctx context.Context, e Env, rep *report.Report) error {
	if !o.enabled {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("--import skipped: %w", err)
	}
	cfg, err := awsclient.Load(ctx, o.aws)
	if err != nil {
		return fmt.Errorf("--import: %w", err)
	}
	// Rate-limited and retried like every other call; nothing reports the
	// import's call counts, so no meter.
	cfg = awsclient.Instrument(cfg, nil, awsclient.NewRateLimits(1))
	caller, err := awsclient.Identity(ctx, cfg)
	if err != nil {
		return fmt.Errorf("--import: who am I: %w", err)
	}
	findings := report.ASFFFindings(rep)
	res, err := securityhub.Import(ctx, securityhub.RegionalClients(cfg), findings, securityhub.Options{Account: caller.Account})
	fmt.Fprintf(e.Stderr, "sagekey: Security Hub: %d of %d findings imported into account %s (%d requests)\n",
		res.Imported, len(findings), caller.Account, res.Batches)
	for i, f := range res.Failed {
		if i == maxFailuresShown {
			fmt.Fprintf(e.Stderr, "  ... and %d more not imported\n", len(res.Failed)-i)
			break
		}
		fmt.Fprintf(e.Stderr, "  not imported: %s: %s %s\n", f.Id, f.ErrorCode, report.OneLine(f.ErrorMessage))
	}
	if err != nil && !errors.Is(err, securityhub.ErrIncomplete) {
		return fmt.Errorf("--import: %w", err)
	}
	if err != nil {
		return fmt.Errorf("--import: %d of %d findings not imported: %w", len(res.Failed), len(findings), err)
	}
	return nil
}
