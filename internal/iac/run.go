package iac

import (
	"context"
	"fmt"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iac/cloudformation"
	"github.com/sagekey/sagekey/internal/iac/mapping"
	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/iac/terraform"
	"github.com/sagekey/sagekey/internal/iac/tfplan"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/version"
)

// Options configure Run.
type Options struct {
	Paths      []string
	VarFiles   []string
	Vars       map[string]string
	Parameters map[string]string
	Settings   engine.Settings
	// Live, when set, resolves the keys the code refers to but does not
	// define (literal ARNs, data sources, variables without a value) with
	// KMS, as a scan would (`--live`).
	Live LiveResolver
	Now  func() time.Time
}

// Result is the judged code.
type Result struct {
	Report  *report.Report
	Sources Sources
	Mapped  mapping.Mapped
}

// Run reads, maps, resolves and judges the code under o.Paths. Input that
// cannot be read is a gap in the report, never an error: an error means
// nothing could be checked (a path that does not exist).
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	started := o.Now()
	src, err := Discover(o.Paths)
	if err != nil {
		return nil, err
	}
	cfgs, err := read(ctx, src, o)
	if err != nil {
		return nil, err
	}
	cfgs = dedupe(cfgs)
	mapped := mapping.Map(cfgs, mapping.Options{ApprovedKeys: o.Settings.ApprovedKeys})
	var resolved map[string]bool
	if o.Live != nil && len(mapped.External) > 0 {
		if resolved, err = resolveLive(ctx, o.Live, &mapped); err != nil {
			mapped.Gaps = append(mapped.Gaps, inventory.Gap{Service: "kms (--live)", Reason: err.Error()})
		}
	}
	settings := o.Settings
	settings.Suppressions = append(append([]engine.Suppression(nil), settings.Suppressions...), mapped.Suppressions...)
	if settings.Now.IsZero() {
		settings.Now = started
	}
	if len(settings.Checks) == 0 {
		// Execution roles and grants are not declared in the code it reads,
		// so these checks could only say ERROR for every resource.
		settings.SkipChecks = append(append([]string(nil), settings.SkipChecks...), offlineSkips...)
	}
	fs := engine.Evaluate(mapped.Inventory, keys.SetFrom(mapped.Keys, mapped.KeyRefs), settings)
	fs = withoutStandIns(fs, standIns(mapped, resolved))
	locate(fs, mapped.Locations)
	rep := &report.Report{Started: started, Finished: o.Now(), Findings: finding.NewList(fs), Gaps: mapped.Gaps, ToolVersion: version.String(),
		Files: filesOf(cfgs)}
	return &Result{Report: rep, Sources: src, Mapped: mapped}, nil
}

// read runs every reader; their gaps travel in the configs.
func read(ctx context.Context, src Sources, o Options) ([]*model.Config, error) {
	var cfgs []*model.Config
	for _, root := range src.TerraformRoots {
		cfg, err := terraform.Read(ctx, []string{root}, terraform.Options{VarFiles: o.VarFiles, Vars: o.Vars})
		if err != nil {
			return nil, fmt.Errorf("terraform %s: %w", root, err)
		}
		cfgs = append(cfgs, cfg)
	}
	for _, plan := range src.Plans {
		cfg, err := tfplan.Read(ctx, plan, tfplan.Options{})
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", plan, err)
		}
		cfgs = append(cfgs, cfg)
	}
	if len(src.Templates) > 0 {
		cfg, err := cloudformation.Read(ctx, src.Templates, cloudformation.Options{Parameters: o.Parameters})
		if err != nil {
			return nil, fmt.Errorf("cloudformation: %w", err)
		}
		cfgs = append(cfgs, cfg)
	}
	return cfgs, nil
}

// locate gives each finding the source location of its failing slot, else
// of its resource block, and the suggested fix.
func locate(fs []finding.Finding, locs map[string]mapping.ResourceLocation) {
	for i := range fs {
		f := &fs[i]
		rl, ok := locs[f.Resource.ARN]
		if !ok {
			continue
		}
		loc := rl.Block
		for _, s := range f.Slots {
			if s.Status == finding.Fail || s.Status == finding.Error {
				if sl, ok := rl.Slots[s.Name]; ok {
					loc = sl
				}
				break
			}
		}
		f.Location = &loc
		if f.Status == finding.Fail && rl.Fix != nil && compliance.IsCMKCheck(f.CheckID) {
			fix := *rl.Fix
			f.Fix = &fix
		}
	}
}
