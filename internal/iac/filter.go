package iac

import (
	"sort"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/rules"
)

// offlineSkips are the checks iac leaves out unless --checks names them:
// the key-access analysis needs the execution roles' IAM policies and the
// keys' grants, which infrastructure code does not hold in a form sagekey
// reads yet.
var offlineSkips = []string{"*.key-access", "kms-key.least-privilege"}

// withoutStandIns drops the kms-key findings of keys that stand in for
// references the code does not resolve.
func withoutStandIns(fs []finding.Finding, standIn map[string]bool) []finding.Finding {
	if len(standIn) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Resource.Kind == rules.KeyKind && standIn[f.Resource.ARN] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// filesOf lists, sorted, the files that declare the resources judged and
// the plans read: what the report's header names.
func filesOf(cfgs []*model.Config) []string {
	seen := map[string]bool{}
	for _, c := range cfgs {
		for _, r := range c.Resources {
			if r.Range.File != "" {
				seen[r.Range.File] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
