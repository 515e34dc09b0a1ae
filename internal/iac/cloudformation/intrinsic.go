package cloudformation

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// intrinsic evaluates one intrinsic function call; arg is its argument.
func (s *stack) intrinsic(name string, arg *yaml.Node, site model.Range, depth int) model.Value {
	switch name {
	case "Ref":
		if n := str(arg); n != "" {
			return s.ref(n, site, depth)
		}
	case "Fn::GetAtt":
		return s.getAttArgs(arg, site, depth)
	case "Fn::Sub":
		return s.sub(arg, site, depth)
	case "Fn::Join":
		return s.join(arg, site, depth)
	case "Fn::Select":
		return s.selectFn(arg, site, depth)
	case "Fn::Split":
		return s.split(arg, site, depth)
	case "Fn::FindInMap":
		return s.findInMap(arg, site, depth)
	case "Fn::If":
		return s.ifFn(arg, site, depth)
	case "Fn::ImportValue":
		return s.importValue(arg, site, depth)
	case "Fn::Base64":
		v := s.eval(arg, depth+1)
		if text, ok := textOf(v); ok {
			return model.Value{Kind: model.String, Str: base64.StdEncoding.EncodeToString([]byte(text)), Refs: v.Refs, Range: site}
		}
		return unknown(site, "Fn::Base64 of "+v.Why, v)
	case "Fn::GetAZs":
		return model.Value{Kind: model.Unknown, Why: "Fn::GetAZs: the region's Availability Zones are known at deploy", Range: site}
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition":
		return s.condition(name, arg, site, depth)
	default:
		return model.Value{Kind: model.Unknown, Why: name + " is not evaluated", Range: site}
	}
	return s.malformed(name, site, "takes a logical ID")
}

// malformed reports a call whose arguments do not fit the function.
func (s *stack) malformed(name string, site model.Range, want string) model.Value {
	s.r.gap(s.d.path, &site, name+" "+want)
	return model.Value{Kind: model.Unknown, Why: name + " is malformed", Range: site}
}

// args are a call's list arguments when there are exactly n of them.
func args(arg *yaml.Node, n ...int) []*yaml.Node {
	arg = deref(arg)
	if arg.Kind != yaml.SequenceNode || isShortForm(arg) {
		return nil
	}
	for _, want := range n {
		if len(arg.Content) == want {
			return arg.Content
		}
	}
	return nil
}

func (s *stack) getAttArgs(arg *yaml.Node, site model.Range, depth int) model.Value {
	if text := str(arg); text != "" {
		// The short form's attribute may itself contain dots
		// (Child.Outputs.KeyArn): the logical ID ends at the first.
		if id, attr, ok := strings.Cut(text, "."); ok {
			return s.getAtt(id, attr, site, depth)
		}
	}
	a := args(arg, 2)
	if a == nil {
		return s.malformed("Fn::GetAtt", site, "takes [logicalId, attribute] or logicalId.attribute")
	}
	attr := s.eval(a[1], depth+1)
	text, ok := textOf(attr)
	if id := str(a[0]); id != "" && ok {
		return s.getAtt(id, text, site, depth)
	}
	return unknown(site, "Fn::GetAtt with a computed attribute", attr)
}

func (s *stack) join(arg *yaml.Node, site model.Range, depth int) model.Value {
	a := args(arg, 2)
	if a == nil {
		return s.malformed("Fn::Join", site, "takes [delimiter, list]")
	}
	delim, _ := textOf(s.eval(a[0], depth+1))
	list := s.eval(a[1], depth+1)
	if list.Kind != model.List {
		return unknown(site, "Fn::Join of "+list.Why, list)
	}
	var parts []model.Value
	for _, item := range list.List {
		if item.Kind == model.Null {
			continue // CloudFormation drops AWS::NoValue from lists
		}
		if len(parts) > 0 {
			parts = append(parts, model.Value{Kind: model.String, Str: delim})
		}
		parts = append(parts, item)
	}
	return concat(site, parts, "Fn::Join", 0)
}

func (s *stack) selectFn(arg *yaml.Node, site model.Range, depth int) model.Value {
	a := args(arg, 2)
	if a == nil {
		return s.malformed("Fn::Select", site, "takes [index, list]")
	}
	iv, list := s.eval(a[0], depth+1), s.eval(a[1], depth+1)
	text, ok := textOf(iv)
	if !ok || list.Kind != model.List {
		return unknown(site, "Fn::Select from a value known at deploy", iv, list)
	}
	i, err := strconv.Atoi(text)
	if err != nil || i < 0 || i >= len(list.List) {
		return s.malformed("Fn::Select", site, "index "+text+" is outside the list")
	}
	v := list.List[i]
	v.Range = site
	return v
}

func (s *stack) split(arg *yaml.Node, site model.Range, depth int) model.Value {
	a := args(arg, 2)
	if a == nil {
		return s.malformed("Fn::Split", site, "takes [delimiter, string]")
	}
	delim, _ := textOf(s.eval(a[0], depth+1))
	src := s.eval(a[1], depth+1)
	text, ok := textOf(src)
	if !ok || delim == "" {
		return unknown(site, "Fn::Split of "+src.Why, src)
	}
	v := model.Value{Kind: model.List, List: []model.Value{}, Refs: src.Refs, Range: site}
	for _, item := range strings.Split(text, delim) {
		v.List = append(v.List, model.Value{Kind: model.String, Str: item, Range: site})
	}
	return v
}

func (s *stack) ifFn(arg *yaml.Node, site model.Range, depth int) model.Value {
	a := args(arg, 3)
	if a == nil || str(a[0]) == "" {
		return s.malformed("Fn::If", site, "takes [condition, value if true, value if false]")
	}
	cond := str(a[0])
	if key(s.conditions, cond) == nil {
		s.r.gap(s.d.path, &site, "Fn::If: no condition "+cond)
	}
	// Both arms, always: which one a deployment takes depends on its
	// parameters, and the judge reports the worse.
	return model.Value{Kind: model.Unknown, Why: "Fn::If " + cond, Range: site, Branches: []model.Branch{
		{Condition: cond + " (true)", Value: s.eval(a[1], depth+1)},
		{Condition: cond + " (false)", Value: s.eval(a[2], depth+1)},
	}}
}

func (s *stack) importValue(arg *yaml.Node, site model.Range, depth int) model.Value {
	name := s.eval(arg, depth+1)
	if text, ok := textOf(name); ok {
		return model.Value{Kind: model.Unknown, Why: "Fn::ImportValue " + text + " is another stack's export",
			Refs: append(append([]model.Ref(nil), name.Refs...), model.Ref{Kind: model.RefImport, Address: text}), Range: site}
	}
	v := unknown(site, "Fn::ImportValue of a name known at deploy ("+name.Why+")", name)
	v.Refs = append(v.Refs, model.Ref{Kind: model.RefImport, Address: "(computed)"})
	return v
}

// textOf is a scalar value's text.
func textOf(v model.Value) (string, bool) {
	switch v.Kind {
	case model.String, model.Number, model.Bool:
		return v.Str, true
	}
	return "", false
}

// unknown is an Unknown value computed from parts, carrying their refs.
func unknown(site model.Range, why string, parts ...model.Value) model.Value {
	v := model.Value{Kind: model.Unknown, Why: why, Range: site}
	seen := map[model.Ref]bool{}
	for _, p := range parts {
		collectRefs(p, &v.Refs, seen)
	}
	return v
}

// collectRefs gathers the refs in a value and everything below it, once
// each, in order (object keys sorted, so output is stable).
func collectRefs(v model.Value, out *[]model.Ref, seen map[model.Ref]bool) {
	for _, r := range v.Refs {
		if !seen[r] {
			seen[r] = true
			*out = append(*out, r)
		}
	}
	for _, item := range v.List {
		collectRefs(item, out, seen)
	}
	keys := make([]string, 0, len(v.Object))
	for k := range v.Object {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		collectRefs(v.Object[k], out, seen)
	}
	for _, b := range v.Branches {
		collectRefs(b.Value, out, seen)
	}
}
