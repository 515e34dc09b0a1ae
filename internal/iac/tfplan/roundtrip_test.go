package tfplan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// TestFixturesRoundTrip checks that the hand-written fixtures are plans
// as terraform-json understands them: each unmarshals into tfjson.Plan,
// passes its Validate, and marshals back to the same JSON structure, so no
// field is misspelt or misplaced. Members whose value is null are left out
// of the comparison: terraform-json omits a null change.after (a delete),
// which Terraform writes.
func TestFixturesRoundTrip(t *testing.T) {
	for _, name := range []string{"key_in_same_plan.json", "module_count.json", "endpoint_config.json"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			var p tfjson.Plan
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatal(err)
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(&p)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(again, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(dropNulls(want), dropNulls(got)) {
				t.Errorf("differs after a round trip through tfjson.Plan:\n%s", again)
			}
		})
	}
}

// dropNulls removes the object members whose value is null, at any depth.
func dropNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = dropNulls(e)
		}
		return out
	}
	return v
}
