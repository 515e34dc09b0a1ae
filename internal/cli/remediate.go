package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/remediate"
)

// remediateOptions binds the remediate command's flags.
type remediateOptions struct {
	db         dbOptions
	run        int64
	format     string
	output     string
	configPath string
	only       []string
	keys       []string
	keyAdmins  []string
	keyUsers   []string
	apply      applyOptions
}

func newRemediateCommand(e Env) *cobra.Command {
	o := &remediateOptions{}
	cmd := &cobra.Command{
		Use:   "remediate",
		Short: "Plan (and, for endpoints, apply) fixes for the failing findings of a stored scan",
		Long: "remediate turns the FAIL findings of a stored scan (the latest, or --run N) into ordered plans " +
			"that respect each resource's mutability: blue/green cut-over for endpoints, backup-and-replace for " +
			"notebooks, clones for jobs, new instance groups for HyperPod, and key fixes (cancel deletion, " +
			"re-enable, rotation, a least-privilege policy as a diff).\n\n" +
			"Nothing changes in AWS unless --apply is given; then sagekey performs the endpoint cut-overs " +
			"itself, asking before each one unless --yes. Every other plan is a script to review and run.\n\n" +
			"Exit status: 0 plan written or every cut-over completed, 1 a cut-over stopped or could not " +
			"start, 2 usage error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRemediate(cmd.Context(), o, e) },
	}
	f := cmd.Flags()
	o.db.register(f, "")
	f.Int64Var(&o.run, "run", 0, "stored scan to plan from (default: the latest; see sagekey history)")
	f.StringVar(&o.format, "format", "markdown", "output format: markdown, json or shell")
	f.StringVarP(&o.output, "output", "o", "", "write the plan to FILE instead of stdout")
	f.StringVar(&o.configPath, "config", "", "configuration file with suppressions (default: ./sagekey.yaml if present)")
	f.StringSliceVar(&o.only, "only", nil, "plan only for resources whose ARN matches one of these globs")
	f.StringSliceVar(&o.keys, "key", nil, "customer-managed key ARN to use in its region (repeatable, one per region)")
	f.StringSliceVar(&o.keyAdmins, "key-admin", nil, "key administrator ARNs for proposed key policies")
	f.StringSliceVar(&o.keyUsers, "key-user", nil, "key user ARNs (execution roles) for proposed key policies")
	o.apply.register(f)
	return cmd
}

func runRemediate(ctx context.Context, o *remediateOptions, e Env) error {
	writer, err := remediate.Lookup(o.format)
	if err != nil {
		return usageError{err}
	}
	targetKeys, err := remediate.ParseTargetKeys(o.keys)
	if err != nil {
		return usageError{err}
	}
	if err := o.apply.validate(o.format); err != nil {
		return err
	}
	st, scanned, err := openStoredScan(ctx, o.db, o.run, o.configPath, e)
	if err != nil {
		return err
	}
	defer st.Close()
	in := remediate.Input{Findings: scanned.Findings, Inventory: scanned.Snapshot.Inventory, Keys: scanned.Snapshot.Keys}
	facts, err := storedTrail(ctx, st, finding.NewList(scanned.Findings), e.Now(), true)
	if err != nil {
		return err
	}
	if facts != nil {
		in.Trail = remediate.Trail{Creators: facts.Creators}
		for _, k := range facts.KeyEvents {
			in.Trail.KeyEvents = append(in.Trail.KeyEvents, k.KeyEvent)
		}
	}
	in.Findings = onlyMatching(in.Findings, o.only)
	if o.apply.enabled {
		return runApply(ctx, o, e, in.Findings, targetKeys)
	}
	plan := remediate.Build(in, remediate.Options{TargetKeys: targetKeys, KeyAdmins: o.keyAdmins, KeyUsers: o.keyUsers})
	if err := writeOutput(o.output, e.Stdout, func(w io.Writer) error { return writer(w, &plan) }); err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "sagekey: plan for %s written; nothing was changed in AWS\n", scanned.Label())
	return nil
}

func onlyMatching(fs []finding.Finding, globs []string) []finding.Finding {
	if len(globs) == 0 {
		return fs
	}
	var out []finding.Finding
	for _, f := range fs {
		if engine.MatchAny(globs, f.Resource.ARN) {
			out = append(out, f)
		}
	}
	return out
}
