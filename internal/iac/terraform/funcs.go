package terraform

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

type funcMap = map[string]function.Function

// functions is the subset of Terraform's functions this reader evaluates,
// built per Read so no table is shared mutable state. They come from cty's
// stdlib, which Terraform's own implementations wrap; where Terraform's
// differs it is noted. A call to any other function makes the attribute
// Unknown with the reason, never a wrong value.
func functions() funcMap {
	return funcMap{
		"lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc,
		"format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"join": stdlib.JoinFunc, "split": stdlib.SplitFunc,
		"concat": stdlib.ConcatFunc, "merge": stdlib.MergeFunc,
		"lookup": stdlib.LookupFunc, "coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
		"length": stdlib.LengthFunc, "element": stdlib.ElementFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		// Terraform's replace also takes a /regex/; this one is literal only.
		"replace":   stdlib.ReplaceFunc,
		"substr":    stdlib.SubstrFunc,
		"trimspace": stdlib.TrimSpaceFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"contains": stdlib.ContainsFunc, "keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc,
		"flatten": stdlib.FlattenFunc, "distinct": stdlib.DistinctFunc, "compact": stdlib.CompactFunc,
		"zipmap": stdlib.ZipmapFunc, "jsonencode": stdlib.JSONEncodeFunc,
		"min": stdlib.MinFunc, "max": stdlib.MaxFunc,
		"try": tryFunc(), "can": canFunc(),
	}
}
