package iac

import (
	"sort"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/report"
)

// Compare sets the code's findings against a stored scan's, matching
// resources by kind and name (the code has no ARNs before apply). It
// reports resources whose key the code fixed but the deployment has not
// (for immutable keys that takes a recreate or cut-over, not an apply),
// and deployed resources of a kind the code declares that the code does
// not define. Only the kinds the code declares are compared, so a
// repository of notebooks does not list every deployed endpoint.
func Compare(code, deployed []finding.Finding) []report.Drift {
	type id struct{ kind, name string }
	codeCMK := map[id]finding.Finding{}
	declared := map[string]bool{}
	for _, f := range code {
		if compliance.IsCMKCheck(f.CheckID) {
			codeCMK[id{f.Resource.Kind, f.Resource.Name}] = f
			declared[f.Resource.Kind] = true
		}
	}
	var out []report.Drift
	for _, f := range deployed {
		if !compliance.IsCMKCheck(f.CheckID) || !declared[f.Resource.Kind] {
			continue
		}
		c, ok := codeCMK[id{f.Resource.Kind, f.Resource.Name}]
		switch {
		case !ok:
			out = append(out, report.Drift{Kind: report.DriftUndeclared, ResourceKind: f.Resource.Kind, Name: f.Resource.Name,
				ARN: f.Resource.ARN, Message: "deployed resource has no definition in this code"})
		case c.Status == finding.Pass && f.Status == finding.Fail:
			d := report.Drift{Kind: report.DriftNotDeployed, ResourceKind: f.Resource.Kind, Name: f.Resource.Name,
				ARN: f.Resource.ARN, Message: "fixed in code, not yet deployed"}
			if c.Location != nil {
				d.Address = c.Location.Address
			}
			if k, ok := catalog.Lookup(f.Resource.Kind); ok && !k.KeysMutable {
				d.Message += ": the key is immutable, so this needs the recreate or cut-over plan (sagekey remediate)"
			} else {
				d.Message += ": applying the code changes the key in place"
			}
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ResourceKind != b.ResourceKind {
			return a.ResourceKind < b.ResourceKind
		}
		return a.Name < b.Name
	})
	return out
}
