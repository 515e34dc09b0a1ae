package cloudformation

import (
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

func isNestedStack(typ string) bool {
	return typ == "AWS::CloudFormation::Stack" || typ == "AWS::Serverless::Application"
}

// templateRef is where a nested stack's template is: TemplateURL, or for
// a SAM application a Location string (a mapping there names a
// Serverless Application Repository application, which is remote).
func templateRef(v *yaml.Node) *yaml.Node {
	props := key(v, "Properties")
	if n := key(props, "TemplateURL"); n != nil {
		return n
	}
	return key(props, "Location")
}

func isRemote(url string) bool {
	return strings.Contains(url, "://") || strings.HasPrefix(url, "s3:") || strings.HasPrefix(url, "https:")
}

// localPath resolves a local template reference against the template
// that makes it; "" when it is not a literal local path.
func localPath(parent, url string) string {
	if url == "" || isRemote(url) {
		return ""
	}
	if filepath.IsAbs(url) {
		return url
	}
	return filepath.Join(filepath.Dir(parent), filepath.FromSlash(url))
}

// localChildren are the absolute paths of the local templates a document
// nests, so Read can read them through their parent rather than as roots.
func localChildren(d *doc) []string {
	var out []string
	for _, kv := range pairs(key(d.root, "Resources")) {
		v := deref(kv[1])
		if !isNestedStack(str(key(v, "Type"))) {
			continue
		}
		if p := localPath(d.path, str(templateRef(v))); p != "" {
			if abs, err := filepath.Abs(p); err == nil {
				out = append(out, abs)
			}
		}
	}
	return out
}

// child returns the nested stack a Stack resource declares, reading its
// template the first time, or nil when it cannot be read (a Gap says why).
func (s *stack) child(id string) *stack {
	if c, ok := s.children[id]; ok {
		return c
	}
	if s.building[id] {
		return nil // its parameters refer to its own outputs
	}
	s.building[id] = true
	defer delete(s.building, id)
	c := s.readChild(id)
	s.children[id] = c
	return c
}

func (s *stack) readChild(id string) *stack {
	res := deref(key(s.resources, id))
	ref := templateRef(res)
	where := s.rng(res)
	if ref != nil {
		where = s.rng(ref)
	}
	url := str(ref)
	switch {
	case ref == nil:
		s.r.gap(s.d.path, where, "nested stack "+id+" has no TemplateURL; not read")
		return nil
	case deref(ref).Kind == yaml.MappingNode && intrinsicName(deref(ref)) == "":
		s.r.gap(s.d.path, where, "nested stack "+id+" is a Serverless Application Repository application: remote template not read")
		return nil
	case url == "":
		s.r.gap(s.d.path, where, "nested stack "+id+": TemplateURL is computed, not a local path; not read through this stack")
		return nil
	case isRemote(url):
		s.r.gap(s.d.path, where, "nested stack "+id+": remote template not read: "+url)
		return nil
	case len(s.chain) >= maxNesting:
		s.r.gap(s.d.path, where, "nested stack "+id+": nested deeper than the limit; not read")
		return nil
	}
	path := localPath(s.d.path, url)
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	for i, p := range s.chain {
		if p == abs {
			names := make([]string, 0, len(s.chain)-i+1)
			for _, q := range s.chain[i:] {
				names = append(names, filepath.Base(q))
			}
			s.r.gap(s.d.path, where, "nested stack cycle: "+strings.Join(append(names, filepath.Base(abs)), " → ")+"; not read again")
			return nil
		}
	}
	d := s.r.load(path)
	if d.root == nil {
		return nil
	}
	if !d.template {
		s.r.gap(s.d.path, where, "nested stack "+id+": "+path+" is not a CloudFormation template")
		return nil
	}
	bound := map[string]model.Value{}
	for _, kv := range pairs(key(key(res, "Properties"), "Parameters")) {
		bound[kv[0].Value] = s.eval(kv[1], 0)
	}
	chain := append(append([]string(nil), s.chain...), abs)
	return s.r.newStack(d, s.module+"/"+id, bound, chain, s.b)
}

// output is a nested stack's output value (Fn::GetAtt Child.Outputs.Name),
// evaluated in the nested stack; ok is false when it is not declared.
func (s *stack) output(name string, depth int) (model.Value, bool) {
	out := key(key(s.outputs, name), "Value")
	if out == nil {
		return model.Value{}, false
	}
	v := s.eval(out, depth+1)
	return v, true
}
