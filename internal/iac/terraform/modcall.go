package terraform

import (
	"context"

	"github.com/zclconf/go-cty/cty"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// callState is one module call evaluated: its instances and its value
// (an object of outputs per instance) in the caller's context.
type callState struct {
	state    int
	val      cty.Value
	children []*instance
}

// moduleValue evaluates a module call once: its count or for_each, then
// each instance's inputs in the caller's context, which bind the child's
// variables. Outputs are the child's output expressions, evaluated in the
// child; they carry the child's marks, so `module.keys.key_arn` refers to
// module.keys.aws_kms_key.main.
func (m *instance) moduleValue(name string) cty.Value {
	addr := m.prefix + "module." + name
	cs := m.calls[name]
	if cs == nil {
		cs = &callState{}
		m.calls[name] = cs
	}
	switch cs.state {
	case done:
		return cs.val
	case visiting:
		return marked(model.RefVariable, addr, "", "module."+name+" depends on itself")
	}
	cs.state = visiting
	cs.val = m.evalCall(name, addr, cs)
	cs.state = done
	return cs.val
}

func (m *instance) evalCall(name, addr string, cs *callState) cty.Value {
	c := m.callDecl[name]
	if c == nil {
		return marked(model.RefVariable, addr, "", "module."+name+" is not declared")
	}
	node := m.node.children[name]
	if node == nil {
		return marked(model.RefVariable, addr, "", "module "+addr+" was not read")
	}
	x := m.expand(c.count, c.forEach, nil)
	vals := make([]cty.Value, 0, len(x.insts))
	for _, ik := range x.insts {
		child := newInstance(m.r, node, addr+ik.suffix, m.inputs(c, node, addr+ik.suffix, ik.extra))
		cs.children = append(cs.children, child)
		vals = append(vals, child.outputValues())
	}
	switch {
	case !x.known:
		return marked(model.RefVariable, addr+"[*]", "", "the instances of "+addr+" are not known")
	case x.counted:
		return cty.TupleVal(vals)
	case x.eached:
		obj := map[string]cty.Value{}
		for i, ik := range x.insts {
			obj[ik.key.AsString()] = vals[i]
		}
		return cty.ObjectVal(obj)
	}
	return vals[0]
}

// inputs evaluates a call's arguments for the child's declared variables;
// a variable with neither an argument nor a default stays without value.
func (m *instance) inputs(c *call, node *modNode, childAddr string, extra map[string]cty.Value) map[string]cty.Value {
	out := map[string]cty.Value{}
	for _, v := range node.mod.variables {
		if a, ok := c.inputs[v.name]; ok {
			val, diags := a.Expr.Value(m.ctxFor(a.Expr, extra))
			if diags.HasErrors() {
				va := childAddr + ".var." + v.name
				val = marked(model.RefVariable, va, "", "variable "+va+" cannot be evaluated: "+diagText(diags))
			}
			out[v.name] = convertTo(val, v)
			continue
		}
		if v.def != nil {
			if d, diags := v.def.Value(nil); !diags.HasErrors() {
				out[v.name] = convertTo(d, v)
			}
		}
	}
	return out
}

// outputValues evaluates the instance's outputs into one object.
func (m *instance) outputValues() cty.Value {
	if m.outState == done {
		return m.outputs
	}
	if m.outState == visiting {
		return marked(model.RefVariable, m.addr, "", "the outputs of "+m.addr+" depend on themselves")
	}
	m.outState = visiting
	outs := map[string]cty.Value{}
	for _, o := range m.mod.outputs {
		v, diags := o.Expr.Value(m.ctxFor(o.Expr, nil))
		if diags.HasErrors() {
			v = marked(model.RefVariable, m.addr, o.Name, "output "+m.addr+"."+o.Name+" cannot be evaluated: "+diagText(diags))
		}
		outs[o.Name] = v
	}
	m.outputs = cty.ObjectVal(outs)
	m.outState = done
	return m.outputs
}

// emit appends the instance's resources in the mapped families, then its
// module calls' instances, depth first in declaration order.
func (m *instance) emit(ctx context.Context) error {
	// Every local is evaluated, referenced or not, so that a reference
	// cycle is always reported, and in declaration order, so that it is
	// reported the same way every time.
	for _, a := range m.mod.locals {
		m.local(a.Name)
	}
	for _, b := range m.mod.resources {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !family(b.typ) {
			continue
		}
		m.emitBlock(b)
	}
	emitted := map[string]bool{}
	for _, c := range m.mod.calls {
		if emitted[c.name] {
			continue // a duplicate module block: Terraform refuses it too
		}
		emitted[c.name] = true
		m.moduleValue(c.name)
		for _, child := range m.calls[c.name].children {
			if err := child.emit(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// emitBlock appends one block's instances. A panic inside HCL or cty on
// some unforeseen input becomes a gap on the block: one resource unread
// is better than no report.
func (m *instance) emitBlock(b *block) {
	defer func() {
		if p := recover(); p != nil {
			rng := toRange(b.rng)
			m.r.gap(rng.File, &rng, "internal error evaluating %s.%s: %v", b.typ, b.name, p)
		}
	}()
	for _, ik := range m.expansionOf(b).insts {
		m.r.cfg.Resources = append(m.r.cfg.Resources, model.Resource{
			Source:  model.Terraform,
			Mode:    b.mode,
			Type:    b.typ,
			Address: m.prefix + resKey(b.mode, b.typ, b.name) + ik.suffix,
			Module:  m.addr,
			Name:    b.name,
			Attrs:   m.evalBody(b.body, b.file, ik.extra, true),
			Range:   toRange(b.rng),
			Ignores: b.ignores,
		})
	}
}
