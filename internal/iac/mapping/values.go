package mapping

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iac/model"
)

// Helpers that read declared values. A value the readers could not know
// (model.Unknown) is never taken for a literal: what it decides stays
// undecided, so verdicts depend only on what is written.

// root is a resource's attributes as one object value, so paths below a
// list element and below the resource are read the same way.
func root(r *model.Resource) model.Value {
	return model.Value{Kind: model.Object, Object: r.Attrs, Range: r.Range}
}

// at returns the values at a catalog path below v.
func at(v model.Value, path string) []model.Value {
	if path == "" {
		return nil
	}
	return v.Lookup(catalog.IaCPath(path))
}

// first returns the first value at path, if declared.
func first(v model.Value, path string) (model.Value, bool) {
	vs := at(v, path)
	if len(vs) == 0 {
		return model.Value{}, false
	}
	return vs[0], true
}

// declared reports whether path holds something other than null or "".
func declared(v model.Value, path string) bool {
	for _, x := range at(v, path) {
		if x.Kind != model.Null && (x.Kind != model.String || x.Str != "") {
			return true
		}
	}
	return false
}

// literal returns a known string value.
func literal(v model.Value) (string, bool) {
	if v.Kind == model.String && len(v.Branches) == 0 {
		return v.Str, true
	}
	return "", false
}

// literalAt is literal of the first value at path.
func literalAt(v model.Value, path string) (string, bool) {
	x, ok := first(v, path)
	if !ok {
		return "", false
	}
	return literal(x)
}

// boolAt reads a bool: declared reports whether it is there at all, known
// whether its value is written (not computed).
func boolAt(v model.Value, path string) (value, declared, known bool) {
	x, ok := first(v, path)
	if !ok || x.Kind == model.Null {
		return false, false, true
	}
	switch {
	case x.Kind == model.Bool || x.Kind == model.String:
		switch strings.ToLower(x.Str) {
		case "true":
			return true, true, true
		case "false":
			return false, true, true
		}
	}
	return false, true, false
}

// why says what an unknown value waits for.
func why(v model.Value) string {
	if v.Why != "" {
		return v.Why
	}
	return "not known before apply"
}

// tags reads a tag map (Terraform aws_) or a list of {Key, Value}
// (CloudFormation) or {key, value} (awscc_): the first declared top-level
// attribute wins.
// A tag that is not a literal makes the whole set unknown.
func tags(r *model.Resource, paths []string) (map[string]string, string) {
	for _, p := range paths {
		// Read the attribute itself: Lookup would hand a list's elements.
		v, ok := r.Attrs[p]
		if !ok || v.Kind == model.Null {
			continue
		}
		out := map[string]string{}
		switch v.Kind {
		case model.Object:
			for k, x := range v.Object {
				s, ok := literal(x)
				if !ok {
					return nil, "tag " + k + ": " + why(x)
				}
				out[k] = s
			}
		case model.List:
			for _, item := range v.List {
				k, okK := literalAt(item, pick(item, "Key", "key"))
				s, okV := literalAt(item, pick(item, "Value", "value"))
				if !okK || !okV {
					return nil, "tags: " + why(item)
				}
				out[k] = s
			}
		default:
			return nil, "tags: " + why(v)
		}
		return out, ""
	}
	return nil, ""
}

// pick returns the first of names that item declares, else the first.
func pick(item model.Value, names ...string) string {
	for _, n := range names {
		if _, ok := item.Object[n]; ok {
			return n
		}
	}
	return names[0]
}

// jsonText renders a fully known value as JSON (a key policy written as an
// object in CloudFormation or with jsonencode in Terraform).
func jsonText(v model.Value) (string, error) {
	x, err := plain(v)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(x)
	return string(b), err
}

func plain(v model.Value) (any, error) {
	switch v.Kind {
	case model.String, model.Number, model.Bool:
		if len(v.Branches) > 0 {
			return nil, fmt.Errorf("%s", why(v))
		}
		if v.Kind == model.String {
			return v.Str, nil
		}
		return json.RawMessage(v.Str), nil
	case model.Null:
		return nil, nil
	case model.List:
		out := make([]any, len(v.List))
		for i, x := range v.List {
			p, err := plain(x)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	case model.Object:
		keys := make([]string, 0, len(v.Object))
		for k := range v.Object {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(keys))
		for _, k := range keys {
			p, err := plain(v.Object[k])
			if err != nil {
				return nil, err
			}
			out[k] = p
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s", why(v))
}
