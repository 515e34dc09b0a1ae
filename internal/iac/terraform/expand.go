package terraform

import (
	"math/big"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// maxInstances bounds count and for_each: a larger count is almost surely
// a mistake, and expanding it would exhaust memory.
const maxInstances = 10000

// instKey is one instance of a counted or for_each'd block.
type instKey struct {
	suffix string // "", "[0]", `["key"]`, "[*]"
	key    cty.Value
	extra  map[string]cty.Value // count or each
}

// expansion is what count or for_each made of a block; known is false
// when they could not be evaluated and one [*] instance stands in.
type expansion struct {
	insts   []instKey
	counted bool
	eached  bool
	known   bool
}

// expand evaluates count or for_each in the instance's context (plus
// extra, for a module's inputs), as Terraform does before anything else
// about the block.
func (m *instance) expand(count, forEach hcl.Expression, extra map[string]cty.Value) expansion {
	switch {
	case count != nil:
		v, diags := count.Value(m.ctxFor(count, extra))
		v, _ = v.UnmarkDeep()
		if !diags.HasErrors() && v.IsKnown() && !v.IsNull() {
			if n, err := convert.Convert(v, cty.Number); err == nil {
				if i, acc := n.AsBigFloat().Int64(); acc == big.Exact && i >= 0 && i <= maxInstances {
					x := expansion{counted: true, known: true}
					for k := int64(0); k < i; k++ {
						idx := cty.NumberIntVal(k)
						x.insts = append(x.insts, instKey{suffix: "[" + strconv.FormatInt(k, 10) + "]", key: idx,
							extra: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": idx})}})
					}
					return x
				}
			}
		}
		return expansion{counted: true, insts: []instKey{{suffix: "[*]",
			extra: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)})}}}}
	case forEach != nil:
		v, diags := forEach.Value(m.ctxFor(forEach, extra))
		v, _ = v.Unmark()
		if x, ok := eachInstances(v); !diags.HasErrors() && ok {
			return x
		}
		return expansion{eached: true, insts: []instKey{{suffix: "[*]",
			extra: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal})}}}}
	}
	return expansion{known: true, insts: []instKey{{}}}
}

// eachInstances expands a known for_each: a map or object by key, a set
// (or list) of strings by value. The instance keys must be known; the
// values need not be.
func eachInstances(v cty.Value) (expansion, bool) {
	ty := v.Type()
	// LengthInt panics on anything but a known collection, so the type is
	// checked first.
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() || v.LengthInt() > maxInstances {
		return expansion{}, false
	}
	x := expansion{eached: true, known: true}
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			x.insts = append(x.insts, eachKey(k.AsString(), val))
		}
	case ty.IsSetType() || ty.IsListType() || ty.IsTupleType():
		if !v.IsWhollyKnown() {
			return expansion{}, false
		}
		for it := v.ElementIterator(); it.Next(); {
			_, val := it.Element()
			val, _ = val.Unmark()
			s, err := convert.Convert(val, cty.String)
			if err != nil || s.IsNull() {
				return expansion{}, false
			}
			x.insts = append(x.insts, eachKey(s.AsString(), s))
		}
	default:
		return expansion{}, false
	}
	return x, true
}

func eachKey(k string, val cty.Value) instKey {
	return instKey{suffix: "[" + strconv.Quote(k) + "]", key: cty.StringVal(k),
		extra: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(k), "value": val})}}
}

// resState caches one resource's expansion and its value in the context.
type resState struct {
	state  int
	exp    expansion
	val    cty.Value
	hasVal bool
}

// expansionOf expands a declared block once.
func (m *instance) expansionOf(b *block) expansion {
	key := resKey(b.mode, b.typ, b.name)
	st := m.res[key]
	if st == nil {
		st = &resState{}
		m.res[key] = st
	}
	if st.state == unvisited {
		st.state = visiting
		st.exp = m.expand(b.count, b.forEach, nil)
		st.state = done
	}
	return st.exp
}

// resource is a resource or data source as other expressions see it: an
// object per instance whose attributes are unknown and marked with their
// reference, shaped like Terraform's (a list under count, a map under
// for_each) so indexing works.
func (m *instance) resource(mode model.Mode, typ, name string) cty.Value {
	key := resKey(mode, typ, name)
	if st := m.res[key]; st != nil && st.hasVal {
		return st.val
	}
	addr := m.prefix + key
	kind, why := model.RefResource, "known after apply"
	if mode == model.Data {
		kind, why = model.RefData, "read by Terraform when it plans"
	}
	b := m.resDecl[key]
	if b == nil { // declared in a file that was not read: still a reference
		return m.instanceObject(kind, addr, why)
	}
	if st := m.res[key]; st != nil && st.state == visiting {
		return marked(kind, addr, "", why)
	}
	x := m.expansionOf(b)
	var val cty.Value
	switch {
	case !x.known:
		val = marked(kind, addr+"[*]", "", why)
	case x.counted:
		elems := make([]cty.Value, 0, len(x.insts))
		for _, ik := range x.insts {
			elems = append(elems, m.instanceObject(kind, addr+ik.suffix, why))
		}
		val = cty.TupleVal(elems)
	case x.eached:
		elems := map[string]cty.Value{}
		for _, ik := range x.insts {
			elems[ik.key.AsString()] = m.instanceObject(kind, addr+ik.suffix, why)
		}
		val = cty.ObjectVal(elems)
	default:
		val = m.instanceObject(kind, addr, why)
	}
	m.res[key].val, m.res[key].hasVal = val, true
	return val
}

func (m *instance) instanceObject(kind model.RefKind, addr, why string) cty.Value {
	attrs := make(map[string]cty.Value, len(m.mod.attrNames))
	for n := range m.mod.attrNames {
		attrs[n] = cty.DynamicVal.Mark(refMark{kind: kind, address: addr, attr: n, why: why})
	}
	return cty.ObjectVal(attrs)
}
