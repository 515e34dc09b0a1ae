package tfplan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

// read reads a fixture under testdata/ and fails the test on an error.
func read(t *testing.T, name string) *model.Config {
	t.Helper()
	cfg, err := Read(context.Background(), filepath.Join("testdata", name), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// resource returns the resource at addr, failing the test when absent.
func resource(t *testing.T, cfg *model.Config, addr string) model.Resource {
	t.Helper()
	r, ok := cfg.Find(addr)
	if !ok {
		t.Fatalf("no resource %s", addr)
	}
	return r
}

// one returns the single value at a dotted path.
func one(t *testing.T, r model.Resource, path string) model.Value {
	t.Helper()
	vs := r.Lookup(strings.Split(path, "."))
	if len(vs) != 1 {
		t.Fatalf("%s %s: %d values, want 1", r.Address, path, len(vs))
	}
	return vs[0]
}

func TestGolden(t *testing.T) {
	for _, name := range []string{"key_in_same_plan", "module_count", "endpoint_config", "unknown_version", "malformed", "truncated"} {
		t.Run(name, func(t *testing.T) {
			cfg := read(t, name+".json")
			got, err := json.MarshalIndent(cfg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, name+".golden.json", append(got, '\n'))
		})
	}
}

func TestKeyCreatedInSamePlan(t *testing.T) {
	cfg := read(t, "key_in_same_plan.json")
	if len(cfg.Gaps) != 0 || cfg.Files != 1 {
		t.Fatalf("gaps %v, files %d", cfg.Gaps, cfg.Files)
	}
	if len(cfg.Resources) != 2 {
		t.Fatalf("%d resources, want the key and the notebook only", len(cfg.Resources))
	}
	nb := resource(t, cfg, "aws_sagemaker_notebook_instance.nb")
	if nb.Source != model.TerraformPlan || nb.Mode != model.Managed || nb.Name != "nb" || nb.Module != "" {
		t.Errorf("notebook header %+v", nb)
	}
	kms := one(t, nb, "kms_key_id")
	if kms.Kind != model.Unknown || kms.Why != "known after apply" {
		t.Errorf("kms_key_id %+v, want unknown after apply", kms)
	}
	want := []model.Ref{{Kind: model.RefResource, Address: "aws_kms_key.main", Attr: "arn"}}
	if !reflect.DeepEqual(kms.Refs, want) {
		t.Errorf("kms_key_id refs %+v, want %+v", kms.Refs, want)
	}
	if kms.Range.File != filepath.Join("testdata", "key_in_same_plan.json") || kms.Range.Start.Line != 0 {
		t.Errorf("range %+v", kms.Range)
	}
	// A reference to a type Read does not return keeps its address.
	role := one(t, nb, "role_arn")
	if want := []model.Ref{{Kind: model.RefResource, Address: "aws_iam_role.nb", Attr: "arn"}}; !reflect.DeepEqual(role.Refs, want) {
		t.Errorf("role_arn refs %+v", role.Refs)
	}
	key := resource(t, cfg, "aws_kms_key.main")
	for attr, want := range map[string]string{"is_enabled": "true", "enable_key_rotation": "true", "deletion_window_in_days": "30"} {
		if v := one(t, key, attr); v.Kind == model.Unknown || v.Str != want {
			t.Errorf("key %s = %+v, want %s", attr, v, want)
		}
	}
	if v := one(t, key, "arn"); v.Kind != model.Unknown {
		t.Errorf("key arn %+v, want unknown", v)
	}
	if v := one(t, key, "tags"); v.Kind != model.Null {
		t.Errorf("key tags %+v, want null", v)
	}
}

func TestModuleCount(t *testing.T) {
	cfg := read(t, "module_count.json")
	if len(cfg.Resources) != 11 {
		t.Fatalf("%d resources, want 11", len(cfg.Resources))
	}
	// Each notebook instance gets the key with its own module and count
	// keys.
	for _, m := range []string{"0", "1"} {
		for _, i := range []string{"0", "1"} {
			nb := resource(t, cfg, "module.ml["+m+"].aws_sagemaker_notebook_instance.nb["+i+"]")
			if nb.Module != "module.ml["+m+"]" {
				t.Errorf("module %q", nb.Module)
			}
			want := []model.Ref{{Kind: model.RefResource, Address: "module.ml[" + m + "].aws_kms_key.this[" + i + "]"}}
			if got := one(t, nb, "kms_key_id").Refs; !reflect.DeepEqual(got, want) {
				t.Errorf("%s refs %+v, want %+v", nb.Address, got, want)
			}
		}
		// var.shared_key → module.kms.key_arn → aws_kms_key.shared.arn.
		ec := resource(t, cfg, "module.ml["+m+"].aws_sagemaker_endpoint_configuration.ec")
		want := []model.Ref{{Kind: model.RefResource, Address: "module.kms.aws_kms_key.shared", Attr: "arn"}}
		if got := one(t, ec, "kms_key_arn").Refs; !reflect.DeepEqual(got, want) {
			t.Errorf("%s kms_key_arn refs %+v, want %+v", ec.Address, got, want)
		}
		if got := one(t, ec, "name").Refs; len(got) != 1 || got[0].Address != "module.ml["+m+"].local.prefix" {
			t.Errorf("name refs %+v", got)
		}
	}
	// A variable whose argument names no declaration stays a variable,
	// named in the module instance.
	key := resource(t, cfg, "module.ml[1].aws_kms_key.this[0]")
	want := []model.Ref{{Kind: model.RefVariable, Address: "module.ml[1].var.rotate"}}
	if got := one(t, key, "enable_key_rotation"); got.Str != "false" || !reflect.DeepEqual(got.Refs, want) {
		t.Errorf("rotation %+v", got)
	}
}

func TestEndpointConfiguration(t *testing.T) {
	cfg := read(t, "endpoint_config.json")
	var addrs []string
	for _, r := range cfg.Resources {
		addrs = append(addrs, r.Address)
	}
	// The delete-only key and the deposed object are gone; the update,
	// the replacement and the no-op data source stay.
	want := []string{"aws_kms_key.hosting", "aws_kms_key.replaced", "aws_sagemaker_endpoint_configuration.ec", "data.aws_kms_alias.capture"}
	if !reflect.DeepEqual(addrs, want) {
		t.Fatalf("resources %v, want %v", addrs, want)
	}
	ec := resource(t, cfg, "aws_sagemaker_endpoint_configuration.ec")
	hosting := []model.Ref{{Kind: model.RefResource, Address: "aws_kms_key.hosting", Attr: "arn"}}
	if v := one(t, ec, "kms_key_arn"); v.Kind != model.String || !reflect.DeepEqual(v.Refs, hosting) {
		t.Errorf("kms_key_arn %+v", v)
	}
	dumps := ec.Lookup([]string{"production_variants", "core_dump_config", "kms_key_id"})
	if len(dumps) != 1 || !reflect.DeepEqual(dumps[0].Refs, hosting) {
		t.Errorf("core dump keys %+v", dumps)
	}
	if got := ec.Lookup([]string{"production_variants", "variant_name"}); len(got) != 2 || got[1].Str != "serverless" {
		t.Errorf("variants %+v", got)
	}
	capture := one(t, ec, "data_capture_config.kms_key_id")
	wantCap := []model.Ref{{Kind: model.RefData, Address: "data.aws_kms_alias.capture", Attr: "target_key_arn"}}
	if capture.Kind != model.String || !reflect.DeepEqual(capture.Refs, wantCap) {
		t.Errorf("data capture key %+v", capture)
	}
	if got := ec.Lookup([]string{"data_capture_config", "capture_options", "capture_mode"}); len(got) != 2 {
		t.Errorf("capture options %+v", got)
	}
	alias := resource(t, cfg, "data.aws_kms_alias.capture")
	if alias.Mode != model.Data || alias.Type != "aws_kms_alias" {
		t.Errorf("alias %+v", alias)
	}
}

func TestGaps(t *testing.T) {
	for name, want := range map[string]string{
		"unknown_version.json": "plan JSON format version 2.0 is not supported",
		"malformed.json":       "plan JSON is malformed: invalid character ',' looking for beginning of object key string",
		"truncated.json":       "plan JSON is malformed: unexpected end of input",
	} {
		cfg := read(t, name)
		if len(cfg.Resources) != 0 || len(cfg.Gaps) != 1 || cfg.Gaps[0].Reason != want {
			t.Errorf("%s: %+v, want one gap %q", name, cfg, want)
		}
	}
	if g := read(t, "truncated.json").Gaps[0]; g.Range == nil || g.Range.Start != (model.Pos{Line: 7, Column: 1}) {
		t.Errorf("truncated position %+v", g.Range)
	}
	if g := read(t, "malformed.json").Gaps[0]; g.Range == nil || g.Range.Start != (model.Pos{Line: 6, Column: 63}) {
		t.Errorf("malformed position %+v", g.Range)
	}
}

// readString reads a plan given as text.
func readString(t *testing.T, plan string) *model.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Read(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestShapeGaps(t *testing.T) {
	for _, c := range []struct{ plan, reason string }{
		{`{"planned_values":{}}`, "plan JSON has no format_version"},
		{`{"format_version":"1.x"}`, "plan JSON format version 1.x is not supported: invalid format version"},
		{`{"format_version":"0.2"}`, "plan JSON format version 0.2 is not supported"},
		{`{"format_version":"1.2","resource_changes":{}}`, "plan JSON is malformed: expected an array"},
		{"{\"format_version\":\"1.2\",\n\"resource_changes\":[{\"type\":\"aws_kms_key\",\"change\":\"x\"}]}",
			"plan JSON is malformed: json: cannot unmarshal string"},
		{`[]`, "plan JSON is malformed: expected an object"},
		{``, "plan JSON is malformed: unexpected end of input"},
	} {
		cfg := readString(t, c.plan)
		if len(cfg.Gaps) != 1 || !strings.HasPrefix(cfg.Gaps[0].Reason, c.reason) {
			t.Errorf("%s: gaps %+v, want %q", c.plan, cfg.Gaps, c.reason)
		}
	}
	// A value of the wrong type is placed at the value's start.
	g := readString(t, "{\"format_version\":\"1.2\",\n\"resource_changes\":[{},\n {\"type\":\"aws_kms_key\",\"change\":7}]}").Gaps
	if len(g) != 1 || g[0].Range == nil || g[0].Range.Start != (model.Pos{Line: 3, Column: 2}) {
		t.Errorf("type error gap %+v", g)
	}
}
