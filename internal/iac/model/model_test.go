package model

import "testing"

func TestLookup(t *testing.T) {
	variant := func(instance, key string) Value {
		obj := map[string]Value{"instance_type": {Kind: String, Str: instance}}
		if key != "" {
			obj["core_dump_config"] = Value{Kind: List, List: []Value{{Kind: Object, Object: map[string]Value{
				"kms_key_id": {Kind: String, Str: key}}}}}
		}
		return Value{Kind: Object, Object: obj}
	}
	r := Resource{Attrs: map[string]Value{
		"kms_key_arn":         {Kind: String, Str: "arn:k"},
		"production_variants": {Kind: List, List: []Value{variant("ml.m5.large", "arn:d"), variant("ml.g4dn.xlarge", "")}},
	}}
	for _, tc := range []struct {
		path []string
		want []string
	}{
		{[]string{"kms_key_arn"}, []string{"arn:k"}},
		{[]string{"production_variants", "instance_type"}, []string{"ml.m5.large", "ml.g4dn.xlarge"}},
		{[]string{"production_variants", "core_dump_config", "kms_key_id"}, []string{"arn:d"}},
		{[]string{"missing"}, nil},
		{[]string{"kms_key_arn", "deeper"}, nil},
	} {
		var got []string
		for _, v := range r.Lookup(tc.path) {
			got = append(got, v.Str)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%v = %v, want %v", tc.path, got, tc.want)
			}
		}
	}
	if got := (Range{File: "main.tf", Start: Pos{3, 5}}).String(); got != "main.tf:3:5" {
		t.Errorf("range = %q", got)
	}
}
