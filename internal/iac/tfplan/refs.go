package tfplan

import (
	"strings"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// maxHops bounds how many module variables and outputs one reference is
// followed through, so a malformed configuration cannot loop.
const maxHops = 32

// instance is a wanted resource instance the plan leaves in place.
type instance struct {
	address string
	addr    instanceAddr
}

// resolver turns the references of configuration expressions, which name
// configuration blocks, into model.Refs naming planned instances.
type resolver struct {
	modules map[string]*cfgModule
	// instances are the planned instances by configuration address.
	instances map[string][]instance
}

// resolve converts the references of an expression in module modPath,
// evaluated for the instance from.
func (r *resolver) resolve(from instanceAddr, modPath string, refs []string, hops int) []model.Ref {
	var out []model.Ref
	for _, s := range specific(refs) {
		steps := splitSteps(s)
		if len(steps) < 2 {
			continue
		}
		switch steps[0].name {
		case "count", "each", "path", "terraform", "self":
			// Not declarations: the instance's own key or context.
		case "var":
			out = append(out, r.variable(from, modPath, steps[1].name, hops)...)
		case "local":
			// The plan's configuration does not record locals.
			out = append(out, model.Ref{Kind: model.RefVariable, Address: joinPath(from.instancePath(modPath), "local."+steps[1].name)})
		case "module":
			out = append(out, r.output(from, modPath, steps, hops)...)
		case "data":
			if len(steps) >= 3 {
				out = append(out, r.resource(from, model.RefData, joinPath(modPath, "data."+steps[1].name+"."+steps[2].name),
					steps[2].key, attrAt(steps, 3))...)
			}
		default:
			out = append(out, r.resource(from, model.RefResource, joinPath(modPath, steps[0].name+"."+steps[1].name),
				steps[1].key, attrAt(steps, 2))...)
		}
	}
	return dedupe(out)
}

// attrAt is the attribute named at steps[i], if any.
func attrAt(steps []step, i int) string {
	if i < len(steps) {
		return steps[i].name
	}
	return ""
}

// resource maps a reference to a resource block onto its planned
// instances. An explicit literal key picks that instance. Otherwise the
// instances whose module keys agree with the referring instance's are
// kept and, when the referrer has a key of its own, those with the same
// key are preferred (a count-indexed notebook [1] referring to a
// count-indexed key gets key [1]). Every instance left gets a Ref, since
// any of them may be the one. A block with no wanted planned instance (a
// type Read does not return, or one the plan does not contain) keeps its
// configuration address.
func (r *resolver) resource(from instanceAddr, kind model.RefKind, cfgAddr, key, attr string) []model.Ref {
	if !literalKey(key) {
		key = ""
	}
	cands := r.instances[cfgAddr]
	if key != "" {
		var picked []instance
		for _, c := range cands {
			if c.addr.key == key {
				picked = append(picked, c)
			}
		}
		cands = picked
	}
	if len(cands) == 0 {
		return []model.Ref{{Kind: kind, Address: cfgAddr + key, Attr: attr}}
	}
	cands = prefer(cands, func(c instance) bool { return sameModules(from, c.addr) })
	if from.key != "" && key == "" {
		cands = prefer(cands, func(c instance) bool { return c.addr.key == from.key })
	}
	out := make([]model.Ref, 0, len(cands))
	for _, c := range cands {
		out = append(out, model.Ref{Kind: kind, Address: c.address, Attr: attr})
	}
	return out
}

// prefer returns the candidates that satisfy ok, or all of them when none
// does.
func prefer(cands []instance, ok func(instance) bool) []instance {
	var kept []instance
	for _, c := range cands {
		if ok(c) {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		return cands
	}
	return kept
}

// variable follows an input variable of a child module to the arguments
// its caller passes. Variables, locals and outputs that stay Refs are named
// in the referring instance's module instance (module.ml[1].var.key), as
// each module instance has its own. A root variable, or one whose argument names no
// declaration, stays a variable Ref (a plan records root variables' values,
// and the attribute's own value is then known).
func (r *resolver) variable(from instanceAddr, modPath, name string, hops int) []model.Ref {
	self := []model.Ref{{Kind: model.RefVariable, Address: joinPath(from.instancePath(modPath), "var."+name)}}
	if modPath == "" || hops >= maxHops {
		return self
	}
	parent, call := splitModulePath(modPath)
	m := r.modules[parent]
	if m == nil {
		return self
	}
	if got := r.resolve(from, parent, m.calls[call][name], hops+1); len(got) > 0 {
		return got
	}
	return self
}

// output follows a module output (module.kms.key_arn) to the declarations
// its expression names. An output that names none, or a module not in the
// configuration, is a variable Ref: the model has no kind for outputs, and
// like a variable it is a value passed along. A module instance key in the
// reference is not used; instances are matched as for resources.
func (r *resolver) output(from instanceAddr, modPath string, steps []step, hops int) []model.Ref {
	child := joinPath(modPath, "module."+steps[1].name)
	named := joinPath(from.instancePath(modPath), "module."+steps[1].name+steps[1].key)
	if len(steps) < 3 {
		return []model.Ref{{Kind: model.RefVariable, Address: named}}
	}
	self := []model.Ref{{Kind: model.RefVariable, Address: named + "." + steps[2].name}}
	m := r.modules[child]
	if m == nil || hops >= maxHops {
		return self
	}
	if got := r.resolve(from, child, m.outputs[steps[2].name], hops+1); len(got) > 0 {
		return got
	}
	return self
}

// splitModulePath splits module.a.module.b into module.a and b.
func splitModulePath(p string) (parent, call string) {
	i := strings.LastIndex(p, "module.")
	parent = strings.TrimSuffix(p[:i], ".")
	return parent, p[i+len("module."):]
}

// specific drops each reference that another in the list extends.
// Terraform lists a reference with every shorter prefix of it
// ("aws_kms_key.main[0].arn", "aws_kms_key.main[0]", "aws_kms_key.main";
// "module.kms.key_arn", "module.kms"); the prefixes would otherwise name
// every instance of the block, or the whole module.
func specific(refs []string) []string {
	out := make([]string, 0, len(refs))
	for _, s := range refs {
		extended := false
		for _, o := range refs {
			if len(o) > len(s) && strings.HasPrefix(o, s) && (o[len(s)] == '.' || o[len(s)] == '[') {
				extended = true
				break
			}
		}
		if !extended {
			out = append(out, s)
		}
	}
	return out
}

// dedupe drops repeated Refs, and a Ref without an attribute when the same
// declaration is also referred to with one (two variables that lead to the
// same key).
func dedupe(in []model.Ref) []model.Ref {
	if len(in) == 0 {
		return nil
	}
	withAttr := map[model.Ref]bool{}
	for _, r := range in {
		if r.Attr != "" {
			withAttr[model.Ref{Kind: r.Kind, Address: r.Address}] = true
		}
	}
	seen := map[model.Ref]bool{}
	out := make([]model.Ref, 0, len(in))
	for _, r := range in {
		if (r.Attr == "" && withAttr[r]) || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}
