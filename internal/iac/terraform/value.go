package terraform

import (
	"math/big"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// toValue converts an evaluated cty value. Refs are read off the marks and
// set only on unknown values: a known value is what it is, and the marks
// HCL leaves on known results (a function merges its arguments' marks)
// would name declarations the value did not come from. An unknown part
// without marks of its own inherits its container's (a function result
// carries its arguments' marks on the whole).
func (m *instance) toValue(val cty.Value, rng model.Range, expr hcl.Expression, inherited cty.ValueMarks) model.Value {
	v, marks := val.Unmark()
	if len(marks) == 0 {
		marks = inherited
	}
	out := model.Value{Range: rng}
	switch {
	case !v.IsKnown():
		out.Kind = model.Unknown
		out.Refs, out.Why = m.refs(marks, expr)
		if out.Why == "" {
			out.Why = "not known before apply"
		}
		return out
	case v.IsNull():
		out.Kind = model.Null
		return out
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		out.Kind, out.Str = model.String, v.AsString()
	case ty == cty.Number:
		out.Kind, out.Str = model.Number, numberText(v.AsBigFloat())
	case ty == cty.Bool:
		out.Kind, out.Str = model.Bool, "false"
		if v.True() {
			out.Str = "true"
		}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out.Kind, out.List = model.List, []model.Value{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out.List = append(out.List, m.toValue(e, rng, expr, marks))
		}
	case ty.IsMapType() || ty.IsObjectType():
		out.Kind, out.Object = model.Object, map[string]model.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out.Object[k.AsString()] = m.toValue(e, rng, expr, marks)
		}
	default: // capsule types do not occur in configuration
		out.Kind, out.Why = model.Unknown, "value of type "+ty.FriendlyName()+" is not supported"
	}
	return out
}

func numberText(f *big.Float) string {
	if f.IsInt() {
		i, _ := f.Int(nil)
		return i.String()
	}
	return f.Text('g', -1)
}

// refs turns marks into References, ordered the way the expression names
// them (references reached through locals or module outputs, which the
// expression does not name directly, follow by address), and the Why of
// the first.
func (m *instance) refs(marks cty.ValueMarks, expr hcl.Expression) ([]model.Ref, string) {
	var ms []refMark
	for mk := range marks {
		if rm, ok := mk.(refMark); ok {
			ms = append(ms, rm)
		}
	}
	if len(ms) == 0 {
		return nil, ""
	}
	var keys []string
	if expr != nil {
		for _, t := range expr.Variables() {
			keys = append(keys, refKey(t))
		}
	}
	rank := func(r refMark) int {
		rel := strings.TrimPrefix(r.address, m.prefix)
		for i, k := range keys {
			if rel == k || strings.HasPrefix(rel, k+".") || strings.HasPrefix(rel, k+"[") {
				return i
			}
		}
		return len(keys)
	}
	sort.Slice(ms, func(i, j int) bool {
		ri, rj := rank(ms[i]), rank(ms[j])
		if ri != rj {
			return ri < rj
		}
		if ms[i].address != ms[j].address {
			return ms[i].address < ms[j].address
		}
		return ms[i].attr < ms[j].attr
	})
	refs := make([]model.Ref, 0, len(ms))
	seen := map[model.Ref]bool{}
	for _, rm := range ms {
		r := model.Ref{Kind: rm.kind, Address: rm.address, Attr: rm.attr}
		if !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	// A variable without a value explains more than "known after apply".
	why := ms[0].why
	for _, rm := range ms {
		if rm.kind == model.RefVariable {
			why = rm.why
			break
		}
	}
	return refs, why
}

func convertBool(v cty.Value) (cty.Value, error) {
	return convert.Convert(v, cty.Bool)
}

// sortByPos sorts declarations by source position.
func sortByPos[T any](s []T, pos func(T) hcl.Pos) {
	sort.SliceStable(s, func(i, j int) bool { return pos(s[i]).Byte < pos(s[j]).Byte })
}
