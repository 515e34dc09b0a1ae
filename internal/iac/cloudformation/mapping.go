package cloudformation

import (
	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// maxMapBranches caps the branches an Fn::FindInMap with a key known only
// at deploy spreads into.
const maxMapBranches = 64

// findInMap evaluates Fn::FindInMap. With every key known it is the
// mapping's value; with a key known only at deploy (typically
// !Ref AWS::Region) it is a branch per entry the key could select, so
// every region's key is judged.
func (s *stack) findInMap(arg *yaml.Node, site model.Range, depth int) model.Value {
	a := args(arg, 3, 4)
	if a == nil {
		return s.malformed("Fn::FindInMap", site, "takes [map, top-level key, second-level key]")
	}
	var keys [3]string
	var known [3]bool
	var vals []model.Value
	for i := range keys {
		v := s.eval(a[i], depth+1)
		keys[i], known[i] = textOf(v)
		vals = append(vals, v)
	}
	if !known[0] {
		return unknown(site, "Fn::FindInMap in a map known at deploy", vals...)
	}
	m := key(s.mappings, keys[0])
	if m == nil {
		return s.malformed("Fn::FindInMap", site, "names no mapping "+keys[0])
	}
	if known[1] && known[2] {
		if n := key(key(m, keys[1]), keys[2]); n != nil {
			v := s.eval(n, depth+1)
			v.Range = site
			return v
		}
		if len(a) == 4 { // AWS::LanguageExtensions' DefaultValue
			if d := key(a[3], "DefaultValue"); d != nil {
				return s.eval(d, depth+1)
			}
		}
		return s.malformed("Fn::FindInMap", site, "finds nothing at "+keys[0]+"/"+keys[1]+"/"+keys[2])
	}
	out := unknown(site, "Fn::FindInMap "+keys[0]+" by a key known at deploy", vals...)
	for _, top := range pairs(m) {
		if known[1] && top[0].Value != keys[1] {
			continue
		}
		for _, second := range pairs(top[1]) {
			if known[2] && second[0].Value != keys[2] {
				continue
			}
			if len(out.Branches) == maxMapBranches {
				out.Branches = nil
				return out
			}
			v := s.eval(second[1], depth+1)
			v.Range = site
			out.Branches = append(out.Branches, model.Branch{
				Condition: "Fn::FindInMap " + keys[0] + "/" + top[0].Value + "/" + second[0].Value, Value: v})
		}
	}
	return out
}

// condition evaluates a condition function to a Bool when the
// parameters decide it, else an Unknown. Fn::If does not use it (both
// arms are always reported); it serves a condition used as a value.
func (s *stack) condition(name string, arg *yaml.Node, site model.Range, depth int) model.Value {
	if name == "Condition" {
		c := key(s.conditions, str(arg))
		if c == nil {
			return s.malformed("Condition", site, "names no condition "+str(arg))
		}
		v := s.condArg(c, depth+1)
		v.Range = site
		return v
	}
	var vals []model.Value
	for _, n := range deref(arg).Content {
		vals = append(vals, s.condArg(n, depth+1))
	}
	result := func(b bool) model.Value {
		text := "false"
		if b {
			text = "true"
		}
		return model.Value{Kind: model.Bool, Str: text, Range: site}
	}
	switch name {
	case "Fn::Equals":
		if len(vals) != 2 {
			return s.malformed(name, site, "takes two values")
		}
		x, okx := textOf(vals[0])
		y, oky := textOf(vals[1])
		if okx && oky {
			return result(x == y)
		}
	case "Fn::Not":
		if len(vals) != 1 {
			return s.malformed(name, site, "takes one condition")
		}
		if vals[0].Kind == model.Bool {
			return result(vals[0].Str != "true")
		}
	default: // Fn::And, Fn::Or: decided by the first arm that decides it
		decided := name == "Fn::Or"
		all := true
		for _, v := range vals {
			if v.Kind != model.Bool {
				all = false
			} else if (v.Str == "true") == decided {
				return result(decided)
			}
		}
		if all {
			return result(!decided)
		}
	}
	return unknown(site, name+" is decided at deploy", vals...)
}

// condArg evaluates a condition function's argument, where a one-key
// {Condition: Name} mapping refers to another condition.
func (s *stack) condArg(n *yaml.Node, depth int) model.Value {
	d := deref(n)
	if d.Kind == yaml.MappingNode && len(d.Content) == 2 && d.Content[0].Value == "Condition" {
		site := model.Range{File: s.d.path, Start: model.Pos{Line: d.Line, Column: d.Column}}
		if depth > maxDepth {
			return s.malformed("Condition", site, "nests too deeply (a circular condition?)")
		}
		return s.condition("Condition", d.Content[1], site, depth)
	}
	return s.eval(n, depth)
}
