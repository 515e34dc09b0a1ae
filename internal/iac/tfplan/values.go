package tfplan

import (
	"encoding/json"
	"fmt"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// afterApply is the Why of every value a plan leaves unknown.
const afterApply = "known after apply"

// toValue converts a planned JSON value to a model.Value. unknown is the
// matching part of after_unknown: true where Terraform will only know the
// value after apply, an object or array of the same shape where only part
// of it is unknown. Planned values omit unknown values or set them to
// null, so unknown wins over whatever value is there.
func toValue(v, unknown any, rng model.Range) model.Value {
	if unknown == true {
		return model.Value{Kind: model.Unknown, Why: afterApply, Range: rng}
	}
	switch t := v.(type) {
	case nil:
		return model.Value{Kind: model.Null, Range: rng}
	case string:
		return model.Value{Kind: model.String, Str: t, Range: rng}
	case json.Number:
		return model.Value{Kind: model.Number, Str: t.String(), Range: rng}
	case bool:
		return model.Value{Kind: model.Bool, Str: fmt.Sprint(t), Range: rng}
	case []any:
		u, _ := unknown.([]any)
		n := max(len(t), len(u))
		out := model.Value{Kind: model.List, List: make([]model.Value, 0, n), Range: rng}
		for i := range n {
			var elem, elemUnknown any
			if i < len(t) {
				elem = t[i]
			}
			if i < len(u) {
				elemUnknown = u[i]
			}
			out.List = append(out.List, toValue(elem, elemUnknown, rng))
		}
		return out
	case map[string]any:
		u, _ := unknown.(map[string]any)
		return model.Value{Kind: model.Object, Object: toAttrs(t, u, rng), Range: rng}
	}
	// encoding/json produces nothing else with UseNumber.
	return model.Value{Kind: model.Unknown, Why: fmt.Sprintf("unexpected JSON value %T", v), Range: rng}
}

// toAttrs converts an object's members, adding the members after_unknown
// marks unknown that the planned object leaves out.
func toAttrs(values, unknown map[string]any, rng model.Range) map[string]model.Value {
	out := make(map[string]model.Value, len(values))
	for k, v := range values {
		out[k] = toValue(v, unknown[k], rng)
	}
	for k, u := range unknown {
		if _, ok := out[k]; !ok && u == true {
			out[k] = toValue(nil, u, rng)
		}
	}
	return out
}

// bind sets the Refs of a value, and of the values nested in it, from the
// configuration expression it was planned from.
func (r *resolver) bind(v *model.Value, e *tfjson.Expression, from instanceAddr, modPath string) {
	if e == nil || e.ExpressionData == nil {
		return
	}
	if len(e.NestedBlocks) == 0 {
		v.Refs = r.resolve(from, modPath, e.References, 0)
		// An object or list written as one expression ({ kms_key_id =
		// aws_kms_key.k.arn }) has its references on the whole; its
		// unknown parts can only come from them, so they carry them too.
		markUnknown(v, v.Refs)
		return
	}
	switch v.Kind {
	case model.List:
		for i := range v.List {
			if block := pickBlock(e.NestedBlocks, i, len(v.List)); block != nil {
				r.bindBlock(&v.List[i], block, from, modPath)
			}
		}
	case model.Object:
		if len(e.NestedBlocks) == 1 {
			r.bindBlock(v, e.NestedBlocks[0], from, modPath)
		}
	default:
		// A whole block that is unknown (or null) still refers to what
		// its arguments name.
		v.Refs = r.resolve(from, modPath, references(e), 0)
	}
}

// bindBlock binds a nested block's arguments to an object value.
func (r *resolver) bindBlock(v *model.Value, block map[string]*tfjson.Expression, from instanceAddr, modPath string) {
	if v.Kind != model.Object {
		if v.Kind == model.Unknown {
			v.Refs = r.resolve(from, modPath, references(&tfjson.Expression{
				ExpressionData: &tfjson.ExpressionData{NestedBlocks: []map[string]*tfjson.Expression{block}}}), 0)
		}
		return
	}
	for _, k := range sortedKeys(block) {
		child, ok := v.Object[k]
		if !ok {
			continue
		}
		r.bind(&child, block[k], from, modPath)
		v.Object[k] = child
	}
}

// pickBlock is the configuration block planned as element i of n. Blocks
// map by position when the counts agree; a single block serves every
// element (a dynamic block); otherwise (a set reordered by the provider)
// no block is matched rather than a wrong one.
func pickBlock(blocks []map[string]*tfjson.Expression, i, n int) map[string]*tfjson.Expression {
	switch {
	case len(blocks) == n:
		return blocks[i]
	case len(blocks) == 1:
		return blocks[0]
	}
	return nil
}

// markUnknown gives refs to the unknown values below v that have none.
func markUnknown(v *model.Value, refs []model.Ref) {
	if len(refs) == 0 {
		return
	}
	for i := range v.List {
		markBelow(&v.List[i], refs)
	}
	for k, child := range v.Object {
		markBelow(&child, refs)
		v.Object[k] = child
	}
}

func markBelow(v *model.Value, refs []model.Ref) {
	if v.Kind == model.Unknown && len(v.Refs) == 0 {
		v.Refs = refs
	}
	markUnknown(v, refs)
}

// sortedKeys returns a map's keys in order, so output never depends on map
// iteration.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
