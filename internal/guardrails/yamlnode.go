package guardrails

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// YAML templates are built as yaml.Node trees so key order is exactly as
// written and CloudFormation tags (!Sub, !Ref) can be placed on values.

// mapping builds a mapping from key/value pairs; values are *yaml.Node,
// string or bool.
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, str(kv[i].(string)), value(kv[i+1]))
	}
	return n
}

func value(v any) *yaml.Node {
	switch x := v.(type) {
	case *yaml.Node:
		return x
	case string:
		return str(x)
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(x)}
	}
	panic(fmt.Sprintf("guardrails: unsupported YAML value %T", v))
}

// resource is one template resource: its logical id and definition.
type resource struct {
	ID   string
	Node *yaml.Node
}

func resourcesNode(rs []resource) *yaml.Node {
	n := mapping()
	for _, r := range rs {
		n.Content = append(n.Content, str(r.ID), r.Node)
	}
	return n
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func tagged(tag, s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s} }

func sequence(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

// policyNode converts a policy document to block-style YAML, replacing the
// scalar placeholder (if not "") with replacement.
func policyNode(d iampolicy.Document, placeholder string, replacement *yaml.Node) (*yaml.Node, error) {
	b, err := iampolicy.Minify(d)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n.Style = 0 // JSON is parsed as flow style and quoted strings; write block style
		for i, c := range n.Content {
			if placeholder != "" && c.Kind == yaml.ScalarNode && c.Value == placeholder {
				n.Content[i] = replacement
				continue
			}
			walk(c)
		}
	}
	walk(root)
	return root, nil
}

// encodeYAML writes a document with a leading comment block.
func encodeYAML(comment string, root *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(comment)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
