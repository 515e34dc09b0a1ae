package cloudformation

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// maxDepth caps evaluation depth: values nest, and a Ref to an alias
// evaluates the alias's name, which a malformed template can make circular.
const maxDepth = 64

// eval turns a node into a model.Value, evaluating intrinsic functions.
// Its Range is where the node is written: for a value reached through a
// parameter or an output, the place that uses it.
func (s *stack) eval(n *yaml.Node, depth int) model.Value {
	site := model.Range{File: s.d.path, Start: model.Pos{Line: n.Line, Column: n.Column}}
	if !s.spend(n) {
		return model.Value{Kind: model.Unknown, Why: "not evaluated: the template's node budget is spent", Range: site}
	}
	if depth > maxDepth {
		s.r.gap(s.d.path, &site, "expression nested too deeply (a circular reference?); read as unknown")
		return model.Value{Kind: model.Unknown, Why: "expression nested too deeply", Range: site}
	}
	n = deref(n)
	if isShortForm(n) {
		arg := *n // the argument is the node without its tag
		arg.Tag = ""
		return s.intrinsic(shortName(n.Tag), &arg, site, depth)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return scalar(n, site)
	case yaml.SequenceNode:
		v := model.Value{Kind: model.List, List: []model.Value{}, Range: site}
		for _, c := range n.Content {
			v.List = append(v.List, s.eval(c, depth+1))
		}
		return v
	case yaml.MappingNode:
		if name := intrinsicName(n); name != "" {
			return s.intrinsic(name, n.Content[1], site, depth)
		}
		v := model.Value{Kind: model.Object, Object: map[string]model.Value{}, Range: site}
		for _, kv := range pairs(n) {
			v.Object[kv[0].Value] = s.eval(kv[1], depth+1)
		}
		return v
	}
	return model.Value{Kind: model.Null, Range: site}
}

// spend takes one node from the budget; false once it is spent, recording
// where for the Gap.
func (s *stack) spend(n *yaml.Node) bool {
	if s.b.spent {
		return false
	}
	s.b.left--
	if s.b.left < 0 {
		s.b.spent = true
		s.b.file = s.d.path
		s.b.where = s.rng(n)
		return false
	}
	return true
}

func scalar(n *yaml.Node, site model.Range) model.Value {
	switch n.ShortTag() {
	case "!!null":
		return model.Value{Kind: model.Null, Range: site}
	case "!!bool":
		return model.Value{Kind: model.Bool, Str: strings.ToLower(n.Value), Range: site}
	case "!!int", "!!float":
		return model.Value{Kind: model.Number, Str: n.Value, Range: site}
	}
	return model.Value{Kind: model.String, Str: n.Value, Range: site}
}

// isShortForm is a YAML short-form intrinsic (!Ref, !Sub, ...): a local
// tag, not a standard "!!" one.
func isShortForm(n *yaml.Node) bool {
	return strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") && len(n.Tag) > 1
}

func shortName(tag string) string {
	name := strings.TrimPrefix(tag, "!")
	if name == "Ref" || name == "Condition" {
		return name
	}
	return "Fn::" + name
}

// intrinsicName is the function a one-key mapping calls ("Ref",
// "Fn::Sub"), or "".
func intrinsicName(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return ""
	}
	k := n.Content[0].Value
	if k == "Ref" || strings.HasPrefix(k, "Fn::") {
		return k
	}
	return ""
}

// ref evaluates Ref: a pseudo parameter, a parameter or a resource.
func (s *stack) ref(name string, site model.Range, depth int) model.Value {
	if name == "AWS::NoValue" {
		return model.Value{Kind: model.Null, Range: site}
	}
	if strings.HasPrefix(name, "AWS::") {
		// AWS::Region, AWS::AccountId, AWS::Partition, AWS::StackName, ...
		return model.Value{Kind: model.Unknown, Why: "pseudo parameter " + name + " is known at deploy", Range: site}
	}
	if decl := key(s.params, name); decl != nil {
		return s.param(name, decl, site)
	}
	if res := deref(key(s.resources, name)); res != nil {
		typ := str(key(res, "Type"))
		r := model.Ref{Kind: model.RefResource, Address: s.addr(name), Attr: "Ref"}
		// An alias is referred to by its name, which the template states.
		if an := key(key(res, "Properties"), "AliasName"); typ == "AWS::KMS::Alias" && an != nil {
			v := s.eval(an, depth+1)
			v.Range = site
			v.Refs = append([]model.Ref{r}, v.Refs...)
			return v
		}
		return model.Value{Kind: model.Unknown, Why: fmt.Sprintf("Ref %s (%s) is known after deploy", name, typ),
			Refs: []model.Ref{r}, Range: site}
	}
	s.r.gap(s.d.path, &site, "Ref "+name+": no parameter or resource of that name")
	return model.Value{Kind: model.Unknown, Why: "Ref " + name + " is undeclared", Range: site}
}

// param is a parameter's value: bound by the parent stack, overridden on
// the command line (root stacks), or its Default.
func (s *stack) param(name string, decl *yaml.Node, site model.Range) model.Value {
	typ := str(key(decl, "Type"))
	if s.bound != nil {
		if v, ok := s.bound[name]; ok {
			v.Range = site
			return v
		}
	} else if text, ok := s.r.opts.Parameters[name]; ok {
		return s.paramValue(name, typ, text, site)
	}
	if d := key(decl, "Default"); d != nil && d.Kind == yaml.ScalarNode {
		return s.paramValue(name, typ, d.Value, site)
	}
	return model.Value{Kind: model.Unknown, Why: "parameter " + name + " has no value (no Default and no --parameter)",
		Refs: []model.Ref{{Kind: model.RefParameter, Address: s.paramAddr(name)}}, Range: site}
}

// paramAddr is a root parameter's name, which --parameter sets, or a
// nested stack's parameter under its stack path.
func (s *stack) paramAddr(name string) string {
	if s.bound == nil {
		return name
	}
	return s.module + "/" + name
}

func (s *stack) paramValue(name, typ, text string, site model.Range) model.Value {
	switch {
	case strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<"):
		return model.Value{Kind: model.Unknown, Why: "parameter " + name + " is read from SSM parameter " + text + " at deploy",
			Refs: []model.Ref{{Kind: model.RefParameter, Address: s.paramAddr(name)}}, Range: site}
	case typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<"):
		v := model.Value{Kind: model.List, List: []model.Value{}, Range: site}
		for _, item := range strings.Split(text, ",") {
			v.List = append(v.List, model.Value{Kind: model.String, Str: strings.TrimSpace(item), Range: site})
		}
		return v
	case typ == "Number":
		return model.Value{Kind: model.Number, Str: text, Range: site}
	}
	return model.Value{Kind: model.String, Str: text, Range: site}
}

// getAtt evaluates Fn::GetAtt. A nested stack's output is read from the
// nested stack; any other attribute is known after deploy.
func (s *stack) getAtt(id, attr string, site model.Range, depth int) model.Value {
	res := deref(key(s.resources, id))
	if res == nil {
		s.r.gap(s.d.path, &site, "Fn::GetAtt "+id+"."+attr+": no resource "+id)
		return model.Value{Kind: model.Unknown, Why: "Fn::GetAtt " + id + " is undeclared", Range: site}
	}
	r := model.Ref{Kind: model.RefResource, Address: s.addr(id), Attr: attr}
	if out, ok := strings.CutPrefix(attr, "Outputs."); ok && isNestedStack(str(key(res, "Type"))) {
		if c := s.child(id); c != nil {
			v, ok := c.output(out, depth)
			if ok {
				v.Range = site
				return v
			}
			s.r.gap(s.d.path, &site, "Fn::GetAtt "+id+"."+attr+": the nested stack has no output "+out)
		}
	}
	return model.Value{Kind: model.Unknown, Why: "Fn::GetAtt " + id + "." + attr + " is known after deploy",
		Refs: []model.Ref{r}, Range: site}
}
