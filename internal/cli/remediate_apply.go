package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/cutover"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/scan"
)

// endpointCheck is the finding an endpoint cut-over fixes; it is the only
// plan sagekey applies itself.
const endpointCheck = "endpoint.cmk"

// applyOptions binds --apply and what it needs to reach AWS.
type applyOptions struct {
	enabled      bool
	yes          bool
	profile      string
	endpointURL  string
	maxAttempts  int
	waitTimeout  time.Duration
	pollInterval time.Duration
}

func (o *applyOptions) register(f *pflag.FlagSet) {
	f.BoolVar(&o.enabled, "apply", false, "perform the endpoint cut-overs now (changes AWS; asks before each unless --yes)")
	f.BoolVar(&o.yes, "yes", false, "with --apply, do not ask for confirmation")
	f.StringVar(&o.profile, "profile", "", "AWS shared-config profile for --apply")
	f.StringVar(&o.endpointURL, "endpoint-url", "", "send every AWS call of --apply to this endpoint (emulators such as moto)")
	f.IntVar(&o.maxAttempts, "max-attempts", 0, "attempts per AWS call of --apply, retries included (default 8)")
	f.DurationVar(&o.waitTimeout, "wait-timeout", time.Hour, "with --apply, how long to wait for an endpoint to be InService")
	f.DurationVar(&o.pollInterval, "poll-interval", 30*time.Second, "with --apply, how often to check the endpoint while waiting")
}

func (o *applyOptions) validate(format string) error {
	switch {
	case !o.enabled && o.yes:
		return usagef("--yes only makes sense with --apply")
	case o.enabled && format == "shell":
		return usagef("--apply reports what it did as markdown or json, not shell")
	case o.waitTimeout <= 0 || o.pollInterval <= 0:
		return usagef("--wait-timeout and --poll-interval must be positive")
	}
	return nil
}

// applyResult is one endpoint's cut-over, or why it was not attempted.
type applyResult struct {
	Endpoint string          `json:"endpoint_arn"`
	Result   *cutover.Result `json:"result,omitempty"`
	Skipped  string          `json:"skipped,omitempty"`
}

func runApply(ctx context.Context, o *remediateOptions, e Env, fs []finding.Finding, targetKeys map[string]string) error {
	var results []applyResult
	confirm := bufio.NewReader(orEmpty(e.Stdin))
	var creds applyCredentials
	for _, f := range fs {
		if f.CheckID != endpointCheck || f.Status != finding.Fail {
			continue
		}
		results = append(results, applyOne(ctx, o.apply, e, confirm, &creds, f, targetKeys[f.Resource.Region]))
	}
	if err := writeApply(e.Stdout, o.format, results); err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if r.Skipped != "" || !r.Result.OK() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d endpoint cut-overs did not complete (see the report)", failed, len(results))
	}
	return nil
}

// applyCredentials loads the AWS configuration and asks who the caller is
// once for all endpoints: both are the same for every cut-over.
type applyCredentials struct {
	loaded bool
	cfg    aws.Config
	caller awsclient.Caller
	err    error
}

func (c *applyCredentials) get(ctx context.Context, o applyOptions, region string) (aws.Config, awsclient.Caller, error) {
	if !c.loaded {
		c.loaded = true
		c.cfg, c.err = awsclient.Load(ctx, awsclient.Options{Profile: o.profile, EndpointURL: o.endpointURL,
			MaxAttempts: o.maxAttempts, Region: region})
		if c.err == nil {
			if c.caller, c.err = awsclient.Identity(ctx, c.cfg); c.err != nil {
				c.err = fmt.Errorf("who am I: %w", c.err)
			}
		}
	}
	return c.cfg, c.caller, c.err
}

func applyOne(ctx context.Context, o applyOptions, e Env, confirm *bufio.Reader, creds *applyCredentials, f finding.Finding, key string) applyResult {
	res := applyResult{Endpoint: f.Resource.ARN}
	if key == "" {
		res.Skipped = "no --key for region " + f.Resource.Region
		return res
	}
	awsOpts := awsclient.Options{Profile: o.profile, EndpointURL: o.endpointURL, MaxAttempts: o.maxAttempts, Region: f.Resource.Region}
	cfg, caller, err := creds.get(ctx, o, f.Resource.Region)
	switch {
	case err != nil:
		res.Skipped = err.Error()
		return res
	case caller.Account != f.Resource.Account:
		res.Skipped = fmt.Sprintf("the endpoint is in account %s and these credentials are for %s", f.Resource.Account, caller.Account)
		return res
	}
	if !o.yes && !ask(e.Stderr, confirm, fmt.Sprintf("Move endpoint %s (%s, %s) onto %s with a blue/green update?",
		f.Resource.Name, f.Resource.Account, f.Resource.Region, key)) {
		res.Skipped = "not confirmed"
		return res
	}
	api := cutover.ClientAPI(sm.NewFromConfig(cfg, func(so *sm.Options) { so.Region = f.Resource.Region }))
	r := cutover.Run(ctx, api, cutover.Request{Endpoint: f.Resource.Name, KeyARN: key}, cutover.Options{
		PollInterval: o.pollInterval, Timeout: o.waitTimeout, Now: e.Now,
		Verify: func(ctx context.Context, arn string) error { return verifyEndpoint(ctx, awsOpts, e, arn) },
	})
	res.Result = &r
	return res
}

// verifyEndpoint re-scans the endpoint's region with the endpoint check and
// the scan's own rules: the cut-over counts only if the scan now passes.
func verifyEndpoint(ctx context.Context, awsOpts awsclient.Options, e Env, arn string) error {
	res, err := scan.Run(ctx, scan.Options{AWS: awsOpts, Regions: []string{awsOpts.Region},
		Settings: engine.Settings{Checks: []string{endpointCheck}}, Concurrency: 4, Now: e.Now})
	if err != nil {
		return err
	}
	for _, f := range res.Report.Findings.All() {
		if f.CheckID == endpointCheck && f.Resource.ARN == arn {
			if f.Status != finding.Pass {
				return fmt.Errorf("%s is %s: %s", endpointCheck, f.Status, f.Message)
			}
			return nil
		}
	}
	return errors.New("the re-scan did not find the endpoint")
}

// ask prompts on stderr and reads one answer; anything but y/yes is no.
func ask(w io.Writer, r *bufio.Reader, question string) bool {
	fmt.Fprintf(w, "%s [y/N] ", question)
	line, _ := r.ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

func orEmpty(r io.Reader) io.Reader {
	if r == nil {
		return strings.NewReader("")
	}
	return r
}

func writeApply(w io.Writer, format string, results []applyResult) error {
	if format == "json" {
		return report.EncodeJSON(w, map[string]any{"schema": "sagekey.remediation-apply/v1", "cutovers": results})
	}
	if len(results) == 0 {
		_, err := fmt.Fprintln(w, "No failing endpoint to cut over.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range results {
		fmt.Fprintf(tw, "## %s\n", r.Endpoint)
		if r.Skipped != "" {
			fmt.Fprintf(tw, "not attempted: %s\n\n", r.Skipped)
			continue
		}
		fmt.Fprintf(tw, "old config: %s\tnew config: %s\n", r.Result.OldConfig, r.Result.NewConfig)
		for i, s := range r.Result.Steps {
			fmt.Fprintf(tw, "%d. %s\t%s\t%s\n", i+1, s.Name, s.Status, s.Detail)
		}
		if r.Result.Error != "" {
			fmt.Fprintf(tw, "stopped: %s\nthe endpoint serves from: %s\n", r.Result.Error, r.Result.ServingConfig)
		}
		for _, c := range r.Result.Cleanup {
			fmt.Fprintf(tw, "to do by hand: %s\n", c)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
