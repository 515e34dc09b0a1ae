package cli

import (
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/guardrails"
)

type guardrailsOptions struct {
	format   string
	out      string
	events   bool
	settings guardrails.Settings
}

func newGuardrailsCommand(e Env) *cobra.Command {
	o := &guardrailsOptions{}
	cmd := &cobra.Command{
		Use:   "guardrails",
		Short: "Generate SCPs, IAM deny policies, AWS Config rules and a KMS key that keep SageMaker on customer-managed keys",
		Long: "guardrails generates preventive controls from the same catalog the scan uses: SCPs (and the same " +
			"statements as identity-based deny policies) that deny SageMaker creates without a KMS key or, with " +
			"--approved-key, with a key outside the list; AWS Config managed rules and an organization conformance " +
			"pack; and, with --key-admin/--key-user, a KMS key with rotation, tags and a least-privilege policy. " +
			"It also lists what no SCP can enforce and which detective control covers it. Nothing is deployed: " +
			"the output is JSON, Terraform or CloudFormation, on stdout or as files in --out DIR.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.events {
				return runGuardrailsEvents(cmd, o, e)
			}
			return runGuardrails(o, e)
		},
	}
	// Also set on the root; repeated so the command maps bad flags to a usage
	// error on its own.
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := cmd.Flags()
	s := &o.settings
	f.StringVar(&o.format, "format", guardrails.FormatJSON, "output format: "+strings.Join(guardrails.Formats(), ", "))
	f.StringVar(&o.out, "out", "", "write one file per artifact into DIR (scp-N.json, iam-deny-N.json, key-policy.json, "+
		"conformance-pack.yaml, notes.md and the format's main file) instead of the main file to stdout")
	f.StringArrayVar(&s.ApprovedKeys, "approved-key", nil, "approved KMS key ARN pattern, e.g. arn:aws:kms:*:111122223333:key/* (repeatable)")
	f.StringArrayVar(&s.ExemptPrincipals, "exempt-principal", nil, "break-glass principal ARN no deny applies to (repeatable)")
	f.StringArrayVar(&s.KeyAdmins, "key-admin", nil, "IAM ARN that administers the generated key (repeatable)")
	f.StringArrayVar(&s.KeyUsers, "key-user", nil, "IAM ARN (a SageMaker execution role) that uses the generated key (repeatable)")
	f.StringVar(&s.Owner, "owner", "", "owner tag of the generated key")
	f.StringVar(&s.CostCenter, "cost-center", "", "cost-center tag of the generated key")
	f.StringVar(&s.Alias, "alias", guardrails.DefaultAlias, "alias of the generated key")
	f.StringVar(&s.Partition, "partition", "aws", "AWS partition of the generated ARNs (aws, aws-cn, aws-us-gov)")
	f.BoolVar(&o.events, "events", false, "generate the infrastructure of event-driven checks instead (EventBridge rules for "+
		"CloudTrail's SageMaker and KMS calls, the SQS queue sagekey serve --queue reads, organization forwarding, the serve "+
		"role's policies); see docs/events.md")
	return cmd
}

func runGuardrails(o *guardrailsOptions, e Env) error {
	if !slices.Contains(guardrails.Formats(), o.format) {
		return usagef("--format: %q (want %s)", o.format, strings.Join(guardrails.Formats(), ", "))
	}
	b, err := guardrails.Build(o.settings)
	if err != nil {
		// Every Build error comes from the flags: a malformed value, or so
		// many keys or principals that a statement cannot fit a policy.
		return usageError{err}
	}
	slog.Info("guardrails generated", "scps", len(b.SCPs), "iam_policies", len(b.IAMPolicies),
		"config_rules", len(b.ConfigRules), "not_enforceable", len(b.NotEnforceable), "key", b.Key != nil)
	if o.out == "" {
		return writeOutput("", e.Stdout, func(w io.Writer) error { return guardrails.Write(w, b, o.format) })
	}
	files, err := guardrails.Files(b, o.format)
	if err != nil {
		return err
	}
	return writeArtifactFiles(o.out, files, e)
}
