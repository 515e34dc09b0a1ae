package cli

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/config"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iac"
	"github.com/sagekey/sagekey/internal/report"
)

// iacOptions binds the iac command's flags.
type iacOptions struct {
	format     string
	output     string
	failOn     string
	checks     []string
	skipChecks []string
	configPath string
	varFiles   []string
	vars       []string
	parameters []string
	live       bool
	aws        awsOptions
	regions    []string
	compare    string
	db         dbOptions
	table      tableFlags
}

func newIaCCommand(e Env) *cobra.Command {
	o := &iacOptions{}
	cmd := &cobra.Command{
		Use:   "iac [PATH...]",
		Short: "Check Terraform, Terraform plans and CloudFormation/CDK/SAM with the same catalog and rules, before anything is created",
		Long: "iac reads the infrastructure as code under each PATH (default .): Terraform configuration (.tf, .tf.json, " +
			"local and installed registry modules, variables and tfvars), Terraform plan JSON (terraform show -json), and " +
			"CloudFormation templates (YAML or JSON; CDK output and SAM too). Every SageMaker resource's key slots are judged " +
			"by the rules a live scan uses: a key the code defines is judged by its declared state (enabled, rotation, policy, " +
			"tags); an AWS-managed alias fails; an empty slot fails unless the instance type has NVMe storage or the variant " +
			"is serverless; a key defined elsewhere is ERROR unless approved in sagekey.yaml or verified with --live.\n\n" +
			"Findings name the file, line and column. Inline suppressions: `# sagekey:ignore <check> reason=\"...\" " +
			"expires=YYYY-MM-DD` above a Terraform resource, Metadata.sagekey.ignore in CloudFormation. Nothing is written " +
			"to the history store.\n\n" +
			"Exit status: 0 clean, 3 FAIL findings at or above --fail-on, 1 runtime error or unreadable input (gaps), 2 usage error.",
		RunE: func(cmd *cobra.Command, args []string) error { return runIaC(cmd, o, e, args) },
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "table", "output format: "+report.FormatList())
	f.StringVarP(&o.output, "output", "o", "", "write the report to FILE instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "low", "exit 3 when a FAIL finding has this severity or higher: critical, high, medium, low")
	f.StringSliceVar(&o.checks, "checks", nil, `run only these checks (ids or globs, e.g. "*.cmk")`)
	f.StringSliceVar(&o.skipChecks, "skip-checks", nil, "skip these checks (ids or globs)")
	f.StringVar(&o.configPath, "config", "", "configuration file (default: ./"+config.DefaultFile+" if present): approved keys, suppressions, required tags")
	f.StringArrayVar(&o.varFiles, "var-file", nil, "Terraform variable file, applied after terraform.tfvars and *.auto.tfvars (repeatable)")
	f.StringArrayVar(&o.vars, "var", nil, "Terraform variable NAME=VALUE (repeatable; wins over files)")
	f.StringArrayVar(&o.parameters, "parameter", nil, "CloudFormation parameter NAME=VALUE (repeatable; wins over defaults)")
	f.BoolVar(&o.live, "live", false, "verify keys the code refers to but does not define (ARNs, IDs, aliases) with KMS, using AWS credentials as scan does")
	f.StringVar(&o.aws.profile, "profile", "", "AWS shared-config profile for --live")
	f.StringVar(&o.aws.endpointURL, "endpoint-url", "", "send --live's AWS calls to this endpoint (emulators such as moto)")
	f.IntVar(&o.aws.maxAttempts, "max-attempts", 0, "attempts per AWS call of --live, retries included (default 8)")
	f.StringSliceVar(&o.regions, "regions", nil, "with --live, the region of key IDs and aliases that name none (default: the configured region)")
	f.StringVar(&o.compare, "compare-scan", "latest", `compare with a stored scan ("latest", a run id, or "none"): resources fixed in code but not deployed, and deployed ones the code does not define`)
	o.db.register(f, "")
	o.table.register(f)
	return cmd
}

func runIaC(cmd *cobra.Command, o *iacOptions, e Env, args []string) error {
	ctx := cmd.Context()
	writer, err := o.table.writer(o.format, o.output, e.Stdout)
	if err != nil {
		return err
	}
	failOn, err := finding.ParseSeverity(o.failOn)
	if err != nil {
		return usagef("--fail-on: %v", err)
	}
	if err := validateChecks(o.checks, o.skipChecks); err != nil {
		return err
	}
	settings, err := loadSettings(o.configPath)
	if err != nil {
		return err
	}
	settings.Checks, settings.SkipChecks = o.checks, o.skipChecks
	vars, err := assignments("--var", o.vars)
	if err != nil {
		return err
	}
	params, err := assignments("--parameter", o.parameters)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	opts := iac.Options{Paths: args, VarFiles: o.varFiles, Vars: vars, Parameters: params, Settings: settings, Now: e.Now}
	if o.live {
		opts.Live = o.liveResolver()
	}
	res, err := iac.Run(ctx, opts)
	if err != nil {
		return err
	}
	if err := o.compareWithScan(ctx, e, res); err != nil {
		return err
	}
	if err := writeOutput(o.output, e.Stdout, func(w io.Writer) error { return writer(w, res.Report) }); err != nil {
		return err
	}
	return outcome(res.Report, failOn, nil)
}

// assignments parses repeated NAME=VALUE flags.
func assignments(flag string, list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range list {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, usagef("%s %q: want NAME=VALUE", flag, a)
		}
		out[name] = value
	}
	return out, nil
}
