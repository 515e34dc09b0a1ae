package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Parse reads a policy document. It accepts what IAM accepts: Statement as
// one object or a list; Principal as "*" or a map of types to a string or a
// list; Action, Resource and their Not forms as a string or a list; condition
// values as strings, booleans, numbers or lists of them (kept as strings).
// Unknown top-level fields are ignored. Parse does not validate; call
// Validate for that.
func Parse(b []byte) (Document, error) {
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Document{}, fmt.Errorf("policy: %w", err)
	}
	d := Document{Version: raw.Version, ID: raw.ID}
	st := bytes.TrimSpace(raw.Statement)
	switch {
	case len(st) == 0 || bytes.Equal(st, []byte("null")):
	case st[0] == '{':
		var one Statement
		if err := json.Unmarshal(st, &one); err != nil {
			return Document{}, fmt.Errorf("policy statement: %w", err)
		}
		d.Statement = []Statement{one}
	default:
		if err := json.Unmarshal(st, &d.Statement); err != nil {
			return Document{}, fmt.Errorf("policy statements: %w", err)
		}
	}
	return d, nil
}

// UnmarshalJSON accepts a string or a list of strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	vals, err := scalars(b)
	if err != nil {
		return err
	}
	*s = vals
	return nil
}

// UnmarshalJSON accepts "*" or a map of principal types to values.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal: a string principal must be \"*\", got %q", star)
		}
		*p = AnyPrincipal()
		return nil
	}
	var m map[string]Strings
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	*p = m
	return nil
}

// scalars reads a JSON scalar or a list of scalars as strings, the way IAM
// compares condition values (true and "true" are the same).
func scalars(b []byte) ([]string, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		list = []json.RawMessage{b}
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		var v any
		if err := json.Unmarshal(item, &v); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, string(bytes.TrimSpace(item)))
		default:
			return nil, fmt.Errorf("want a string, boolean or number, got %s", item)
		}
	}
	return out, nil
}
