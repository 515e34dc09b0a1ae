package tfplan

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// plan is what Read keeps of a plan JSON: the wanted resources' planned
// values and changes, and the configuration expressions references are
// resolved through.
type plan struct {
	formatVersion string
	// planned are the wanted instances in planned_values, in file order.
	planned []*stateResource
	// changes are the wanted instances' resource_changes by address, and
	// changeOrder their file order.
	changes     map[string]*change
	changeOrder []string
	// modules is the configuration by module path ("" for the root).
	modules map[string]*cfgModule
}

// stateResource is one resource instance of planned_values, with only the
// fields Read uses.
type stateResource struct {
	Address string              `json:"address"`
	Mode    tfjson.ResourceMode `json:"mode"`
	Type    string              `json:"type"`
	Name    string              `json:"name"`
	// Values stays raw until the type is known to be wanted.
	Values json.RawMessage `json:"values"`

	values any
}

// resourceChange is one element of resource_changes, with only the fields
// Read uses.
type resourceChange struct {
	Address string              `json:"address"`
	Mode    tfjson.ResourceMode `json:"mode"`
	Type    string              `json:"type"`
	Name    string              `json:"name"`
	Deposed string              `json:"deposed"`
	Change  json.RawMessage     `json:"change"`
}

// change is a wanted instance's planned change.
type change struct {
	mode         tfjson.ResourceMode
	typ, name    string
	Actions      tfjson.Actions `json:"actions"`
	After        any            `json:"after"`
	AfterUnknown any            `json:"after_unknown"`
}

// decodePlan reads the sections of a plan JSON that Read uses and skips
// the rest. It stops early at a format_version it cannot read, which
// Terraform writes first.
func decodePlan(ctx context.Context, r io.Reader) (*plan, error) {
	s := newStream(ctx, r)
	p := &plan{changes: map[string]*change{}, modules: map[string]*cfgModule{}}
	errStop := &shapeError{}
	err := s.object(func(key string) error {
		switch key {
		case "format_version":
			if err := s.decode(&p.formatVersion); err != nil {
				return err
			}
			if major, _, _ := strings.Cut(p.formatVersion, "."); major != "1" {
				return errStop
			}
			return nil
		case "planned_values":
			return s.object(func(key string) error {
				if key != "root_module" {
					return s.skip()
				}
				return s.stateModule(p)
			})
		case "resource_changes":
			return s.array(func() error { return s.resourceChange(p) })
		case "configuration":
			return s.object(func(key string) error {
				if key != "root_module" {
					return s.skip()
				}
				return s.configModule(p, "")
			})
		}
		// prior_state, resource_drift, variables, output_changes,
		// relevant_attributes, checks and what later versions add.
		return s.skip()
	})
	if err == errStop {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// stateModule reads a module of planned_values and its child modules.
func (s *stream) stateModule(p *plan) error {
	return s.object(func(key string) error {
		switch key {
		case "resources":
			return s.array(func() error {
				var r stateResource
				start := s.dec.InputOffset()
				if err := s.decode(&r); err != nil {
					return err
				}
				if !wanted(r.Type) {
					return nil
				}
				if err := unmarshalNumbers(r.Values, &r.values); err != nil {
					return s.shape(err, start)
				}
				r.Values = nil
				p.planned = append(p.planned, &r)
				return nil
			})
		case "child_modules":
			return s.array(func() error { return s.stateModule(p) })
		}
		return s.skip()
	})
}

// resourceChange reads one element of resource_changes.
func (s *stream) resourceChange(p *plan) error {
	var rc resourceChange
	start := s.dec.InputOffset()
	if err := s.decode(&rc); err != nil {
		return err
	}
	// A deposed object is an old instance on its way out; the instance
	// that stays has its own change.
	if !wanted(rc.Type) || rc.Deposed != "" {
		return nil
	}
	c := &change{mode: rc.Mode, typ: rc.Type, name: rc.Name}
	if err := unmarshalNumbers(rc.Change, c); err != nil {
		return s.shape(err, start)
	}
	if _, dup := p.changes[rc.Address]; !dup {
		p.changeOrder = append(p.changeOrder, rc.Address)
	}
	p.changes[rc.Address] = c
	return nil
}

// unmarshalNumbers is json.Unmarshal keeping numbers as json.Number.
func unmarshalNumbers(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// shape reports err, from decoding again part of the value that starts at
// start. That value came from a decoder that accepted its syntax, so only
// a type mismatch (a "change" that is not an object) ends here; it is
// placed at the value's start.
func (s *stream) shape(err error, start int64) error {
	return &shapeError{offset: start, msg: err.Error(), rescan: true}
}

// leaves reports whether a change leaves the instance in place after
// apply. Deletes and forgets (a `removed` block) do not: the resource will
// not exist, or Terraform will stop managing it, so it is nothing to judge.
// No-op, update, create, read and both orders of replace do.
func (c *change) leaves() bool {
	for _, a := range c.Actions {
		if a != tfjson.ActionDelete && a != tfjson.ActionForget {
			return true
		}
	}
	return false
}
