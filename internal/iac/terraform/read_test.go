package terraform

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

// TestReadRepo reads the fixture repository and compares the whole model
// with testdata/repo.golden.json (go test -update to accept changes).
func TestReadRepo(t *testing.T) {
	cfg, err := Read(context.Background(), []string{"testdata/repo"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "repo.golden.json", append(got, '\n'))
}

// byAddress indexes a Config for the targeted assertions below, which say
// what the golden file must show in a way a reviewer can read.
func byAddress(t *testing.T, cfg *model.Config) map[string]model.Resource {
	t.Helper()
	out := map[string]model.Resource{}
	for _, r := range cfg.Resources {
		if _, dup := out[r.Address]; dup {
			t.Errorf("duplicate address %s", r.Address)
		}
		out[r.Address] = r
	}
	return out
}

func one(t *testing.T, r model.Resource, path ...string) model.Value {
	t.Helper()
	vs := r.Lookup(path)
	if len(vs) != 1 {
		t.Fatalf("%s %v: %d values, want 1", r.Address, path, len(vs))
	}
	return vs[0]
}

func TestReadRepoValues(t *testing.T) {
	cfg, err := Read(context.Background(), []string{"testdata/repo"}, Options{Vars: map[string]string{"env": "stage"}})
	if err != nil {
		t.Fatal(err)
	}
	rs := byAddress(t, cfg)
	ref := func(addr string, path ...string) model.Ref {
		t.Helper()
		r, ok := rs[addr]
		if !ok {
			t.Fatalf("no resource %s", addr)
		}
		v := one(t, r, path...)
		if v.Kind != model.Unknown || len(v.Refs) == 0 {
			t.Fatalf("%s %v = %+v, want Unknown with Refs", addr, path, v)
		}
		return v.Refs[0]
	}
	cases := []struct {
		addr string
		path []string
		want model.Ref
	}{
		{"aws_sagemaker_notebook_instance.by_resource", []string{"kms_key_id"}, model.Ref{Kind: model.RefResource, Address: "aws_kms_key.platform", Attr: "arn"}},
		{"aws_sagemaker_notebook_instance.by_alias", []string{"kms_key_id"}, model.Ref{Kind: model.RefResource, Address: "aws_kms_alias.platform", Attr: "arn"}},
		{"aws_sagemaker_notebook_instance.by_aws_managed_alias", []string{"kms_key_id"}, model.Ref{Kind: model.RefData, Address: "data.aws_kms_alias.sagemaker", Attr: "target_key_arn"}},
		{`aws_sagemaker_notebook_instance.per_team["research"]`, []string{"kms_key_id"}, model.Ref{Kind: model.RefResource, Address: "aws_kms_key.platform", Attr: "arn"}},
		{"aws_sagemaker_endpoint_configuration.main[1]", []string{"data_capture_config", "kms_key_id"}, model.Ref{Kind: model.RefVariable, Address: "var.capture_key_arn"}},
		{"aws_sagemaker_endpoint_configuration.main[0]", []string{"production_variants", "core_dump_config", "kms_key_id"}, model.Ref{Kind: model.RefResource, Address: "module.keys.aws_kms_key.main", Attr: "arn"}},
		{"aws_sagemaker_domain.studio", []string{"kms_key_id"}, model.Ref{Kind: model.RefResource, Address: `module.ml.aws_kms_key.this["data"]`, Attr: "arn"}},
		{"aws_sagemaker_feature_group.fg", []string{"online_store_config", "security_config", "kms_key_id"}, model.Ref{Kind: model.RefResource, Address: "aws_kms_key.platform", Attr: "arn"}},
	}
	for _, c := range cases {
		if got := ref(c.addr, c.path...); got != c.want {
			t.Errorf("%s %v refers to %+v, want %+v", c.addr, c.path, got, c.want)
		}
	}
	strs := map[string]string{
		"aws_sagemaker_notebook_instance.by_literal":          "arn:aws:kms:us-east-1:111122223333:key/literal",
		"aws_sagemaker_notebook_instance.by_variable_default": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	}
	for addr, want := range strs {
		if v := one(t, rs[addr], "kms_key_id"); v.Kind != model.String || v.Str != want {
			t.Errorf("%s kms_key_id = %+v, want %q", addr, v, want)
		}
	}
	// --var beats terraform.tfvars.
	if v := one(t, rs["aws_sagemaker_endpoint_configuration.main[0]"], "async_inference_config", "output_config", "kms_key_id"); v.Str != "alias/async-stage" {
		t.Errorf("async key = %+v, want alias/async-stage", v)
	}
	cond := one(t, rs["aws_sagemaker_notebook_instance.conditional"], "kms_key_id")
	if cond.Kind != model.Unknown || len(cond.Branches) != 2 || cond.Branches[0].Condition != "var.use_cmk ? ... (true)" {
		t.Errorf("conditional = %+v, want two branches", cond)
	}
	if _, ok := rs["aws_sagemaker_training_job.train[0]"]; ok {
		t.Error("count = 0 gave an instance")
	}
	if vs := rs["aws_sagemaker_endpoint_configuration.dynamic_variants"].Lookup([]string{"production_variants", "instance_type"}); len(vs) != 2 {
		t.Errorf("dynamic production_variants: %d instance types, want 2", len(vs))
	}
	legacy := rs["aws_kms_key.legacy"]
	if v := one(t, legacy, "is_enabled"); v.Kind != model.Bool || v.Str != "false" {
		t.Errorf("is_enabled = %+v", v)
	}
	by := rs["aws_sagemaker_notebook_instance.by_resource"]
	if len(by.Ignores) != 1 || by.Ignores[0].Problem != "" || by.Ignores[0].Reason != "sandbox, no data" {
		t.Errorf("ignores = %+v", by.Ignores)
	}
	if ig := rs["aws_sagemaker_notebook_instance.by_alias"].Ignores; len(ig) != 1 || ig[0].Problem == "" {
		t.Errorf("malformed ignore = %+v, want a Problem", ig)
	}
	if _, ok := rs["aws_iam_role.sm"]; ok {
		t.Error("aws_iam_role returned")
	}
}
