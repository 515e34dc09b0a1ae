package config

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/alert/route"
)

// Serve is the `serve:` section: sagekey serve's options under their flag
// names (scan's among them, so a team's scan settings read the same in
// both), plus the alert sinks and routes, which have no flags because
// their URLs and secrets must not appear on a command line.
type Serve struct {
	// Flags maps a flag name to its value as it would be typed: a list
	// becomes comma-separated. Flags given on the command line win.
	Flags map[string]string
	// Alerts are the sinks, routes and default sinks.
	Alerts route.Config
}

// alertKeys are the keys of the section that are not flags.
var alertKeys = map[string]bool{"sinks": true, "routes": true, "default": true}

// UnmarshalYAML reads the section strictly: alert settings must match
// route.Config's fields exactly, and flag values must be scalars or lists
// of scalars. Whether a flag name exists is checked by the command that
// applies them, which knows its flags.
func (s *Serve) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: serve must be a mapping", n.Line)
	}
	s.Flags = map[string]string{}
	alerts := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if alertKeys[key.Value] {
			alerts.Content = append(alerts.Content, key, val)
			continue
		}
		v, err := flagValue(val)
		if err != nil {
			return fmt.Errorf("line %d: serve.%s: %w", key.Line, key.Value, err)
		}
		s.Flags[key.Value] = v
	}
	return decodeStrict(alerts, &s.Alerts)
}

func flagValue(n *yaml.Node) (string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, nil
	case yaml.SequenceNode:
		parts := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("a list of plain values is expected")
			}
			parts = append(parts, item.Value)
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("a value or a list of values is expected")
}

// decodeStrict decodes n refusing unknown fields, which yaml.v3's
// Node.Decode would silently drop: a misspelt routing key must not send
// alerts nowhere.
func decodeStrict(n *yaml.Node, into any) error {
	var buf bytes.Buffer
	if err := yaml.NewEncoder(&buf).Encode(n); err != nil {
		return err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
