package tfplan

import (
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// checkVersion accepts plan format versions 1.x, the only major version
// Terraform has written since 1.0; a new major version may move what Read
// relies on.
func checkVersion(path, version string) (model.Gap, bool) {
	gap := func(reason string) (model.Gap, bool) { return model.Gap{File: path, Reason: reason}, false }
	if version == "" {
		return gap("plan JSON has no format_version: not the output of `terraform show -json` for a saved plan")
	}
	if major, _, _ := strings.Cut(version, "."); major != "1" {
		return gap(fmt.Sprintf("plan JSON format version %s is not supported", version))
	}
	// terraform-json's check rejects what is not a version at all.
	if err := (&tfjson.Plan{FormatVersion: version}).Validate(); err != nil {
		return gap(fmt.Sprintf("plan JSON format version %s is not supported: %v", version, err))
	}
	return model.Gap{}, true
}

// resources builds the model resources: every wanted instance of
// planned_values, then any wanted instance that only resource_changes
// names, skipping those whose change removes them.
func (p *plan) resources(path string) []model.Resource {
	type entry struct {
		address string
		mode    tfjson.ResourceMode
		typ     string
		name    string
		values  any
	}
	var entries []entry
	seen := map[string]bool{}
	for _, sr := range p.planned {
		if c := p.changes[sr.Address]; (c != nil && !c.leaves()) || seen[sr.Address] {
			continue
		}
		seen[sr.Address] = true
		entries = append(entries, entry{sr.Address, sr.Mode, sr.Type, sr.Name, sr.values})
	}
	for _, addr := range p.changeOrder {
		c := p.changes[addr]
		if seen[addr] || !c.leaves() {
			continue
		}
		seen[addr] = true
		entries = append(entries, entry{addr, c.mode, c.typ, c.name, c.After})
	}

	r := &resolver{modules: p.modules, instances: map[string][]instance{}}
	parsed := make([]instanceAddr, len(entries))
	for i, e := range entries {
		parsed[i] = parseInstance(e.address)
		cfgAddr := parsed[i].configAddress()
		r.instances[cfgAddr] = append(r.instances[cfgAddr], instance{address: e.address, addr: parsed[i]})
	}

	rng := model.Range{File: path}
	out := make([]model.Resource, 0, len(entries))
	for i, e := range entries {
		a := parsed[i]
		var unknown map[string]any
		if c := p.changes[e.address]; c != nil {
			unknown, _ = c.AfterUnknown.(map[string]any)
		}
		values, _ := e.values.(map[string]any)
		mode := model.Managed
		if e.mode == tfjson.DataResourceMode {
			mode = model.Data
		}
		res := model.Resource{
			Source: model.TerraformPlan, Mode: mode, Type: e.typ, Address: e.address,
			Module: a.modulePath(), Name: e.name,
			Attrs: toAttrs(values, unknown, rng), Range: rng,
		}
		modPath := a.configModule()
		if m := p.modules[modPath]; m != nil {
			exprs := m.resources[localAddress(e.mode, e.typ, e.name)]
			for _, k := range sortedKeys(exprs) {
				if v, ok := res.Attrs[k]; ok {
					r.bind(&v, exprs[k], a, modPath)
					res.Attrs[k] = v
				}
			}
		}
		out = append(out, res)
	}
	return out
}
