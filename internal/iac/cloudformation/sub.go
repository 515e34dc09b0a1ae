package cloudformation

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// maxSpread caps how deeply concat spreads Fn::If branches through a
// string, since each level doubles the branches.
const maxSpread = 3

// concat joins parts into a string. Known parts give a String; a part
// with branches (an Fn::If inside a Join or Sub) gives one branch per arm,
// so the key ARN each arm builds can still be judged; anything else known
// only at deploy gives an Unknown that says what and carries the refs.
func concat(site model.Range, parts []model.Value, what string, spread int) model.Value {
	for i, p := range parts {
		if len(p.Branches) == 0 || spread >= maxSpread {
			continue
		}
		out := model.Value{Kind: model.Unknown, Why: p.Why, Range: site}
		for _, b := range p.Branches {
			arm := append([]model.Value(nil), parts...)
			arm[i] = b.Value
			out.Branches = append(out.Branches, model.Branch{Condition: b.Condition, Value: concat(site, arm, what, spread+1)})
		}
		return out
	}
	var sb strings.Builder
	var whys []string
	seenWhy := map[string]bool{}
	known := true
	for _, p := range parts {
		if text, ok := textOf(p); ok {
			sb.WriteString(text)
			continue
		}
		if p.Kind == model.Null {
			continue
		}
		sb.WriteString("*")
		known = false
		why := p.Why
		if why == "" {
			why = "a " + string(p.Kind) + " is not a string"
		}
		if !seenWhy[why] {
			seenWhy[why] = true
			whys = append(whys, why)
		}
	}
	v := unknown(site, what+": "+strings.Join(whys, "; "), parts...)
	v.Str = sb.String()
	if known {
		v.Kind, v.Why = model.String, ""
	}
	return v
}

// subPart is a literal run or a ${variable} of an Fn::Sub template.
type subPart struct {
	text  string
	isVar bool
}

// splitSub splits an Fn::Sub template. ${!Name} is the literal ${Name};
// an unclosed ${ is literal, as CloudFormation leaves it.
func splitSub(tmpl string) []subPart {
	var parts []subPart
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			break
		}
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			break
		}
		if i > 0 {
			parts = append(parts, subPart{text: tmpl[:i]})
		}
		name := tmpl[i+2 : i+j]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			parts = append(parts, subPart{text: "${" + lit + "}"})
		} else {
			parts = append(parts, subPart{text: strings.TrimSpace(name), isVar: true})
		}
		tmpl = tmpl[i+j+1:]
	}
	if tmpl != "" {
		parts = append(parts, subPart{text: tmpl})
	}
	return parts
}

// sub evaluates Fn::Sub in both forms: a template string, or [template,
// {Name: value}].
func (s *stack) sub(arg *yaml.Node, site model.Range, depth int) model.Value {
	var tmpl string
	vars := map[string]*yaml.Node{}
	if a := args(arg, 2); a != nil {
		tmpl = str(a[0])
		for _, kv := range pairs(a[1]) {
			vars[kv[0].Value] = kv[1]
		}
	} else if n := deref(arg); n.Kind == yaml.ScalarNode {
		tmpl = n.Value
	} else {
		return s.malformed("Fn::Sub", site, "takes a string or [string, {variables}]")
	}
	var parts []model.Value
	for _, p := range splitSub(tmpl) {
		if !p.isVar {
			parts = append(parts, model.Value{Kind: model.String, Str: p.text})
			continue
		}
		parts = append(parts, s.subVar(p.text, vars, site, depth))
	}
	return concat(site, parts, "Fn::Sub "+tmpl, 0)
}

// subVar resolves one ${Name}: a variable of the call, a pseudo
// parameter, a parameter or resource, or Resource.Attribute.
func (s *stack) subVar(name string, vars map[string]*yaml.Node, site model.Range, depth int) model.Value {
	if n, ok := vars[name]; ok {
		return s.eval(n, depth+1)
	}
	if strings.HasPrefix(name, "AWS::") || key(s.params, name) != nil || key(s.resources, name) != nil {
		return s.ref(name, site, depth)
	}
	if id, attr, ok := strings.Cut(name, "."); ok && key(s.resources, id) != nil {
		return s.getAtt(id, attr, site, depth)
	}
	s.r.gap(s.d.path, &site, "Fn::Sub: ${"+name+"} is not a variable, parameter or resource")
	return model.Value{Kind: model.Unknown, Why: "${" + name + "} is undefined", Range: site}
}
