package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// refMark marks an unknown value with the declaration it stands for. cty
// carries marks through operators, templates and function calls, so the
// marks on a result say which declarations it was computed from.
type refMark struct {
	kind          model.RefKind
	address, attr string
	why           string
}

func marked(kind model.RefKind, address, attr, why string) cty.Value {
	return cty.DynamicVal.Mark(refMark{kind: kind, address: address, attr: attr, why: why})
}

// Evaluation states for lazily evaluated declarations; visiting twice
// means a reference cycle.
const (
	unvisited = iota
	visiting
	done
)

// instance is one module instance being evaluated: the root, or one
// instance of a module call after its count or for_each. Locals, module
// calls and resource expansions are evaluated on first use, in whatever
// order references demand, as Terraform's graph would.
type instance struct {
	r      *reader
	node   *modNode
	mod    *module
	addr   string // "" or "module.a", `module.a["k"]`, "module.a.module.b"
	prefix string // addr + "." when addr is not empty
	vars   cty.Value

	localDecl  map[string]*hcl.Attribute
	locals     map[string]cty.Value
	localState map[string]int
	localStack []string

	callDecl map[string]*call
	calls    map[string]*callState

	resDecl  map[string]*block
	res      map[string]*resState
	outputs  cty.Value
	outState int
}

func newInstance(r *reader, node *modNode, addr string, vals map[string]cty.Value) *instance {
	m := &instance{
		r: r, node: node, mod: node.mod, addr: addr,
		localDecl: map[string]*hcl.Attribute{}, locals: map[string]cty.Value{}, localState: map[string]int{},
		callDecl: map[string]*call{}, calls: map[string]*callState{},
		resDecl: map[string]*block{}, res: map[string]*resState{},
	}
	if addr != "" {
		m.prefix = addr + "."
	}
	vars := map[string]cty.Value{}
	for _, v := range m.mod.variables {
		if val, ok := vals[v.name]; ok {
			vars[v.name] = val
			continue
		}
		a := m.prefix + "var." + v.name
		vars[v.name] = marked(model.RefVariable, a, "", "variable "+a+" has no value")
	}
	m.vars = cty.ObjectVal(vars)
	for _, a := range m.mod.locals {
		m.localDecl[a.Name] = a
	}
	for _, c := range m.mod.calls {
		m.callDecl[c.name] = c
	}
	for _, b := range m.mod.resources {
		m.resDecl[resKey(b.mode, b.typ, b.name)] = b
	}
	return m
}

func resKey(mode model.Mode, typ, name string) string {
	if mode == model.Data {
		return "data." + typ + "." + name
	}
	return typ + "." + name
}

// ctxFor builds the evaluation context an expression needs, and only that:
// each name it refers to is evaluated (once, then cached) on demand.
func (m *instance) ctxFor(expr hcl.Expression, extra map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{}
	nested := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	put := func(into map[string]map[string]cty.Value, outer, inner string, v cty.Value) {
		if into[outer] == nil {
			into[outer] = map[string]cty.Value{}
		}
		into[outer][inner] = v
	}
	for _, t := range expr.Variables() {
		root := t.RootName()
		if _, ok := extra[root]; ok {
			continue
		}
		name := step(t, 1)
		switch root {
		case "var":
			vars["var"] = m.vars
		case "local":
			// An undeclared local is left out, so referring to it is an
			// error that try() and can() can see, as in Terraform.
			if _, ok := m.localDecl[name]; ok {
				put(nested, "local", name, m.local(name))
			}
		case "module":
			if name != "" {
				put(nested, "module", name, m.moduleValue(name))
			}
		case "path":
			vars["path"] = cty.ObjectVal(map[string]cty.Value{
				"module": cty.StringVal(m.mod.display), "root": cty.StringVal(m.node.root.display), "cwd": cty.StringVal("."),
			})
		case "terraform":
			vars["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
		case "count", "each", "self":
		case "data":
			if typ, n := name, step(t, 2); typ != "" && n != "" {
				put(data, typ, n, m.resource(model.Data, typ, n))
			}
		default:
			if name != "" {
				put(nested, root, name, m.resource(model.Managed, root, name))
			}
		}
	}
	for k, v := range nested {
		vars[k] = cty.ObjectVal(v)
	}
	if len(data) > 0 {
		d := map[string]cty.Value{}
		for k, v := range data {
			d[k] = cty.ObjectVal(v)
		}
		vars["data"] = cty.ObjectVal(d)
	}
	for k, v := range extra {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: m.r.funcs}
}

// step is the attribute name at position i of a traversal, or "".
func step(t hcl.Traversal, i int) string {
	if len(t) <= i {
		return ""
	}
	if a, ok := t[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// refKey is how an expression names a declaration, for ordering Refs
// the way the expression names them.
func refKey(t hcl.Traversal) string {
	switch root := t.RootName(); root {
	case "data":
		return "data." + step(t, 1) + "." + step(t, 2)
	default:
		return root + "." + step(t, 1)
	}
}

// local evaluates a local value once. A local reached again while it is
// being evaluated closes a reference cycle: that is a gap, and the local
// is unknown, so evaluation always ends.
func (m *instance) local(name string) cty.Value {
	addr := m.prefix + "local." + name
	switch m.localState[name] {
	case done:
		return m.locals[name]
	case visiting:
		cycle := append([]string{}, m.localStack[indexOf(m.localStack, name):]...)
		cycle = append(cycle, name)
		rng := toRange(m.localDecl[name].Range)
		m.r.gap(rng.File, &rng, "reference cycle between locals: local.%s", strings.Join(cycle, " → local."))
		return marked(model.RefVariable, addr, "", "local."+name+" is part of a reference cycle")
	}
	a, ok := m.localDecl[name]
	if !ok {
		return marked(model.RefVariable, addr, "", "local."+name+" is not declared")
	}
	m.localState[name] = visiting
	m.localStack = append(m.localStack, name)
	v, diags := a.Expr.Value(m.ctxFor(a.Expr, nil))
	if diags.HasErrors() {
		v = marked(model.RefVariable, addr, "", "local."+name+" cannot be evaluated: "+diagText(diags))
	}
	m.localStack = m.localStack[:len(m.localStack)-1]
	m.localState[name] = done
	m.locals[name] = v
	return v
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}

// diagText is the first error of a evaluation, for a value's Why.
func diagText(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if d.Detail != "" {
				return d.Summary + ": " + d.Detail
			}
			return d.Summary
		}
	}
	return "unknown error"
}
