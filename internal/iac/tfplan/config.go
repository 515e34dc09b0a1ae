package tfplan

import (
	"encoding/json"

	tfjson "github.com/hashicorp/terraform-json"
)

// cfgModule is what Read keeps of one module of the configuration: enough
// to follow a reference from a wanted resource to the declaration it
// names, through module input variables and outputs.
type cfgModule struct {
	// resources are the wanted resources' expressions by address within
	// the module (aws_kms_key.main, data.aws_kms_alias.a).
	resources map[string]map[string]*tfjson.Expression
	// calls are the references of each module call's arguments: call name
	// → variable name → references.
	calls map[string]map[string][]string
	// outputs are the references of each output's expression.
	outputs map[string][]string
}

// configResource is one element of a configuration module's resources,
// with only the fields Read uses.
type configResource struct {
	Mode tfjson.ResourceMode `json:"mode"`
	Type string              `json:"type"`
	Name string              `json:"name"`
	// Expressions stays raw until the type is known to be wanted.
	Expressions json.RawMessage `json:"expressions"`
}

// localAddress is a resource's address within its module.
func localAddress(mode tfjson.ResourceMode, typ, name string) string {
	if mode == tfjson.DataResourceMode {
		return "data." + typ + "." + name
	}
	return typ + "." + name
}

// joinPath prefixes an address with a module path.
func joinPath(module, rest string) string {
	if module == "" {
		return rest
	}
	return module + "." + rest
}

// configModule reads a module of the configuration and, through its
// module_calls, the modules it calls, at module path path.
func (s *stream) configModule(p *plan, path string) error {
	m := &cfgModule{
		resources: map[string]map[string]*tfjson.Expression{},
		calls:     map[string]map[string][]string{},
		outputs:   map[string][]string{},
	}
	p.modules[path] = m
	return s.object(func(key string) error {
		switch key {
		case "resources":
			return s.array(func() error {
				var r configResource
				start := s.dec.InputOffset()
				if err := s.decode(&r); err != nil {
					return err
				}
				if !wanted(r.Type) {
					return nil
				}
				var exprs map[string]*tfjson.Expression
				if len(r.Expressions) > 0 {
					if err := json.Unmarshal(r.Expressions, &exprs); err != nil {
						return s.shape(err, start)
					}
				}
				m.resources[localAddress(r.Mode, r.Type, r.Name)] = exprs
				return nil
			})
		case "outputs":
			var outs map[string]struct {
				Expression *tfjson.Expression `json:"expression"`
			}
			if err := s.decode(&outs); err != nil {
				return err
			}
			for name, o := range outs {
				m.outputs[name] = references(o.Expression)
			}
			return nil
		case "module_calls":
			return s.object(func(call string) error {
				return s.moduleCall(p, m, path, call)
			})
		}
		return s.skip()
	})
}

// moduleCall reads one module call: its arguments' references and the
// module it calls.
func (s *stream) moduleCall(p *plan, parent *cfgModule, path, call string) error {
	return s.object(func(key string) error {
		switch key {
		case "expressions":
			var exprs map[string]*tfjson.Expression
			if err := s.decode(&exprs); err != nil {
				return err
			}
			args := map[string][]string{}
			for name, e := range exprs {
				args[name] = references(e)
			}
			parent.calls[call] = args
			return nil
		case "module":
			return s.configModule(p, joinPath(path, "module."+call))
		}
		return s.skip()
	})
}

// references lists the references of an expression and of every nested
// block below it, in order.
func references(e *tfjson.Expression) []string {
	if e == nil || e.ExpressionData == nil {
		return nil
	}
	out := append([]string(nil), e.References...)
	for _, block := range e.NestedBlocks {
		for _, k := range sortedKeys(block) {
			out = append(out, references(block[k])...)
		}
	}
	return out
}
