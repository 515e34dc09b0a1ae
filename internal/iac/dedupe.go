package iac

import (
	"strings"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// dedupe drops a resource read twice: once through the root that calls its
// module (with the caller's inputs bound) and once with its own directory
// read as a root (its variables unset). The first is the one Terraform
// would plan; the second only adds unknowns.
func dedupe(cfgs []*model.Config) []*model.Config {
	type key struct {
		file       string
		line, col  int
		typ, local string
	}
	called := map[key]bool{}
	keyOf := func(r model.Resource) key {
		local := strings.TrimPrefix(r.Address, r.Module+".")
		return key{r.Range.File, r.Range.Start.Line, r.Range.Start.Column, r.Type, local}
	}
	for _, c := range cfgs {
		for _, r := range c.Resources {
			if r.Source == model.Terraform && r.Module != "" {
				called[keyOf(r)] = true
			}
		}
	}
	out := make([]*model.Config, 0, len(cfgs))
	for _, c := range cfgs {
		kept := *c
		kept.Resources = nil
		for _, r := range c.Resources {
			if r.Source == model.Terraform && r.Module == "" && called[keyOf(r)] {
				continue
			}
			kept.Resources = append(kept.Resources, r)
		}
		out = append(out, &kept)
	}
	return out
}
