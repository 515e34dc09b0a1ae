package cloudformation

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// maxNodes caps the nodes evaluated for one root template and its nested
// stacks. YAML aliases let a small file stand for billions of nodes (the
// "billion laughs"); the parser keeps them shared, and this budget keeps
// evaluation from expanding them without end.
const maxNodes = 1 << 20

// maxNesting caps nested-stack depth (CloudFormation itself allows far
// less), so a long chain of distinct files cannot recurse without end.
const maxNesting = 32

// budget is the node allowance one root template's evaluation shares.
type budget struct {
	left  int
	spent bool
	file  string
	where *model.Range
}

// stack is one template being read, as a root or as a nested stack.
type stack struct {
	r      *reader
	d      *doc
	module string                 // the stack path: "template", "template/Child"
	bound  map[string]model.Value // a nested stack's parameters; nil for a root
	chain  []string               // absolute paths from the root down to here
	b      *budget

	params, mappings, conditions, resources, outputs *yaml.Node

	children map[string]*stack // nested stacks by logical ID; nil when not read
	building map[string]bool   // nested stacks whose parameters are being evaluated
	emitted  bool
}

func (r *reader) newStack(d *doc, module string, bound map[string]model.Value, chain []string, b *budget) *stack {
	r.visited[d.abs] = true
	s := &stack{r: r, d: d, module: module, bound: bound, chain: chain, b: b,
		params: key(d.root, "Parameters"), mappings: key(d.root, "Mappings"),
		conditions: key(d.root, "Conditions"), resources: key(d.root, "Resources"),
		outputs:  key(d.root, "Outputs"),
		children: map[string]*stack{}, building: map[string]bool{}}
	s.checkTransform()
	return s
}

// readRoot reads a template as a root stack. When the node budget runs
// out, the template's resources are dropped: values cut off midway would
// look like a verdict when they are not one.
func (r *reader) readRoot(d *doc) {
	b := &budget{left: maxNodes}
	s := r.newStack(d, r.rootName(d.path), nil, []string{d.abs}, b)
	start := len(r.cfg.Resources)
	s.emit()
	if b.spent {
		r.cfg.Resources = r.cfg.Resources[:start]
		r.gap(b.file, b.where, fmt.Sprintf("evaluation exceeded %d YAML nodes (an alias bomb?); the template's resources are not reported", maxNodes))
	}
}

// emit appends the stack's SageMaker and KMS resources, and its nested
// stacks' where they are declared, in declaration order.
func (s *stack) emit() {
	if s.emitted || s.resources == nil {
		return
	}
	s.emitted = true
	for _, kv := range pairs(s.resources) {
		id, v := kv[0].Value, deref(kv[1])
		if strings.HasPrefix(id, "Fn::ForEach::") {
			s.r.gap(s.d.path, s.rng(kv[0]), id+": Fn::ForEach is not expanded; the resources it declares are not read")
			continue
		}
		typ := str(key(v, "Type"))
		switch {
		case isNestedStack(typ):
			if c := s.child(id); c != nil {
				c.emit()
			}
		case strings.HasPrefix(typ, "AWS::SageMaker::"), strings.HasPrefix(typ, "AWS::KMS::"):
			s.r.cfg.Resources = append(s.r.cfg.Resources, s.resource(id, kv[0], v, typ))
		}
		if s.b.spent {
			return
		}
	}
}

func (s *stack) resource(id string, k, v *yaml.Node, typ string) model.Resource {
	res := model.Resource{
		Source: model.CloudFormation, Mode: model.Managed, Type: typ,
		Address: s.addr(id), Module: s.module, Name: id,
		Attrs: map[string]model.Value{}, Range: s.span(k, v),
	}
	if props := key(v, "Properties"); props != nil && props.Kind == yaml.MappingNode && intrinsicName(props) == "" {
		for _, kv := range pairs(props) {
			res.Attrs[kv[0].Value] = s.eval(kv[1], 0)
		}
	}
	res.Ignores = s.ignores(key(v, "Metadata"))
	return res
}

func (s *stack) addr(id string) string { return s.module + "/" + id }

// rng is a node's start.
func (s *stack) rng(n *yaml.Node) *model.Range {
	return at(s.d.path, n.Line, n.Column)
}

// span runs from the logical ID to the end of the resource's last value.
// The parser records starts only, so the end is the last scalar's line and
// the column after its text (for a quoted or folded scalar, approximately).
func (s *stack) span(k, v *yaml.Node) model.Range {
	end := model.Pos{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Line > end.Line || (n.Line == end.Line && n.Column > end.Column) {
			end = model.Pos{Line: n.Line, Column: n.Column + len(n.Value)}
			if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
				end.Column += 2
			}
		}
		for _, c := range n.Content { // aliases are not followed: they end where written
			walk(c)
		}
	}
	walk(v)
	return model.Range{File: s.d.path, Start: model.Pos{Line: k.Line, Column: k.Column}, End: end}
}

// checkTransform reports macros: they rewrite the template at deploy, so
// what is read here may not be what is created. SAM's transform and
// AWS::LanguageExtensions leave SageMaker and KMS resources as written.
func (s *stack) checkTransform() {
	t := key(s.d.root, "Transform")
	if t == nil {
		return
	}
	names := []*yaml.Node{t}
	if t.Kind == yaml.SequenceNode {
		names = t.Content
	}
	for _, n := range names {
		name := str(n)
		if strings.HasPrefix(name, "AWS::Serverless-") || name == "AWS::LanguageExtensions" {
			continue
		}
		if name == "" {
			name = "with parameters"
		}
		s.r.gap(s.d.path, s.rng(n), "Transform "+name+" may change the template at deploy; it is read as written")
	}
}

// pairs lists a mapping's key/value pairs, with YAML merge keys ("<<")
// expanded: keys written in the mapping win over merged ones.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	return mergePairs(deref(m), 0)
}

func mergePairs(m *yaml.Node, depth int) [][2]*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode || depth > 8 {
		return nil
	}
	var own, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Tag == "!!merge" {
			src := deref(v)
			srcs := []*yaml.Node{src}
			if src.Kind == yaml.SequenceNode {
				srcs = src.Content
			}
			for _, sm := range srcs {
				merged = append(merged, mergePairs(deref(sm), depth+1)...)
			}
			continue
		}
		seen[k.Value] = true
		own = append(own, [2]*yaml.Node{k, v})
	}
	for _, kv := range merged {
		if !seen[kv[0].Value] {
			seen[kv[0].Value] = true
			own = append(own, kv)
		}
	}
	return own
}
