package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// evalBody evaluates a block body's attributes and nested blocks. Nested
// blocks of one type become a List of Objects in source order; dynamic
// blocks are expanded when their for_each is known. In .tf.json there is
// no schema to tell a block from an object attribute, so a nested block
// there is the object or list of objects as written (Lookup walks both).
func (m *instance) evalBody(body hcl.Body, f *file, extra map[string]cty.Value, top bool) map[string]model.Value {
	out := map[string]model.Value{}
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		attrs, _ := body.JustAttributes()
		for name, a := range attrs {
			if !top || !metaArg(name) {
				out[name] = m.evalAttr(a.Expr, f, extra)
			}
		}
		return out
	}
	// Source order, so that anything evaluation reports comes out the
	// same on every run.
	attrs := make([]*hclsyntax.Attribute, 0, len(sb.Attributes))
	for _, a := range sb.Attributes {
		attrs = append(attrs, a)
	}
	sortByPos(attrs, func(a *hclsyntax.Attribute) hcl.Pos { return a.SrcRange.Start })
	for _, a := range attrs {
		if !top || !metaArg(a.Name) {
			out[a.Name] = m.evalAttr(a.Expr, f, extra)
		}
	}
	for _, blk := range sb.Blocks {
		switch {
		case top && metaArg(blk.Type):
			continue
		case blk.Type == "dynamic" && len(blk.Labels) == 1:
			m.evalDynamic(blk, f, extra, out)
			continue
		}
		appendBlock(out, blk.Type, model.Value{Kind: model.Object, Object: m.evalBody(blk.Body, f, extra, false), Range: toRange(blk.Range())})
	}
	return out
}

// appendBlock adds one block's object to the list under its type; once the
// list is Unknown (a dynamic block that could not be expanded) it stays so.
func appendBlock(out map[string]model.Value, typ string, obj model.Value) {
	l, ok := out[typ]
	switch {
	case !ok:
		out[typ] = model.Value{Kind: model.List, List: []model.Value{obj}, Range: obj.Range}
	case l.Kind == model.List:
		l.List = append(l.List, obj)
		out[typ] = l
	}
}

// evalDynamic expands `dynamic "name" { for_each, iterator, content }`.
func (m *instance) evalDynamic(blk *hclsyntax.Block, f *file, extra map[string]cty.Value, out map[string]model.Value) {
	name := blk.Labels[0]
	iter := name
	if a, ok := blk.Body.Attributes["iterator"]; ok {
		if t, d := hcl.AbsTraversalForExpr(a.Expr); !d.HasErrors() && len(t) == 1 {
			iter = t.RootName()
		}
	}
	fe, ok := blk.Body.Attributes["for_each"]
	var content *hclsyntax.Block
	for _, b := range blk.Body.Blocks {
		if b.Type == "content" {
			content = b
		}
	}
	if !ok || content == nil {
		return
	}
	val, diags := fe.Expr.Value(m.ctxFor(fe.Expr, extra))
	v, marks := val.Unmark()
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
		uv := m.toValue(cty.DynamicVal.WithMarks(marks), toRange(blk.Range()), fe.Expr, nil)
		uv.Why = "the for_each of dynamic block " + name + " is not known"
		if diags.HasErrors() {
			uv.Why += ": " + diagText(diags)
		}
		out[name] = uv
		return
	}
	if _, ok := out[name]; !ok {
		out[name] = model.Value{Kind: model.List, List: []model.Value{}, Range: toRange(blk.Range())}
	}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		inner := make(map[string]cty.Value, len(extra)+1)
		for n, x := range extra {
			inner[n] = x
		}
		inner[iter] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": ev})
		appendBlock(out, name, model.Value{Kind: model.Object, Object: m.evalBody(content.Body, f, inner, false), Range: toRange(content.Range())})
	}
}

// evalAttr evaluates one attribute expression into a model.Value. A
// conditional at the top is decided here rather than by HCL: with a known
// predicate only the chosen arm is evaluated (HCL would merge both arms'
// references), and with an unknown one each arm becomes a Branch.
func (m *instance) evalAttr(expr hcl.Expression, f *file, extra map[string]cty.Value) model.Value {
	rng := toRange(expr.Range())
	inner := expr
	for {
		p, ok := inner.(*hclsyntax.ParenthesesExpr)
		if !ok {
			break
		}
		inner = p.Expression
	}
	if c, ok := inner.(*hclsyntax.ConditionalExpr); ok {
		pred, diags := c.Condition.Value(m.ctxFor(c.Condition, extra))
		p, _ := pred.Unmark()
		if !diags.HasErrors() {
			if b, err := convertBool(p); err == nil && b.IsKnown() && !b.IsNull() {
				arm := c.FalseResult
				if b.True() {
					arm = c.TrueResult
				}
				v := m.evalAttr(arm, f, extra)
				v.Range = rng
				return v
			}
			if !p.IsKnown() {
				return m.branches(c, pred, rng, f, extra)
			}
		}
	}
	val, diags := expr.Value(m.ctxFor(expr, extra))
	if diags.HasErrors() {
		v := m.toValue(cty.DynamicVal, rng, expr, nil)
		v.Why = "cannot evaluate: " + diagText(diags)
		return v
	}
	return m.toValue(val, rng, expr, nil)
}

// branches is a conditional whose predicate is not known: both arms,
// each judged, named by the predicate's source text.
func (m *instance) branches(c *hclsyntax.ConditionalExpr, pred cty.Value, rng model.Range, f *file, extra map[string]cty.Value) model.Value {
	cond := f.text(c.Condition.Range())
	t := m.evalAttr(c.TrueResult, f, extra)
	fv := m.evalAttr(c.FalseResult, f, extra)
	v := m.toValue(pred, rng, c.Condition, nil)
	v.Kind, v.Str, v.List, v.Object = model.Unknown, "", nil, nil
	v.Why = "depends on the condition " + cond + ", which is not known"
	v.Refs = mergeRefs(v.Refs, t.Refs, fv.Refs)
	v.Branches = []model.Branch{
		{Condition: cond + " ? ... (true)", Value: t},
		{Condition: cond + " ? ... (false)", Value: fv},
	}
	return v
}

func mergeRefs(lists ...[]model.Ref) []model.Ref {
	var out []model.Ref
	seen := map[model.Ref]bool{}
	for _, l := range lists {
		for _, r := range l {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
