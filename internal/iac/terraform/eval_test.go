package terraform

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

func readTree(t *testing.T, files map[string]string, opts Options) (map[string]model.Resource, *model.Config) {
	t.Helper()
	dir := writeTree(t, files)
	cfg, err := Read(context.Background(), []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return byAddress(t, cfg), cfg
}

func TestUnknownExpansion(t *testing.T) {
	rs, _ := readTree(t, map[string]string{"main.tf": `
variable "n" { type = number }
variable "names" { type = set(string) }
resource "aws_kms_key" "counted" {
  count       = var.n
  description = "key ${count.index}"
}
resource "aws_kms_key" "eached" {
  for_each    = var.names
  description = each.key
}
resource "aws_sagemaker_notebook_instance" "nb" {
  kms_key_id = aws_kms_key.counted[0].arn
}
resource "aws_sagemaker_endpoint_configuration" "ec" {
  dynamic "production_variants" {
    for_each = var.names
    content {
      variant_name = production_variants.value
    }
  }
}
`}, Options{})
	for _, addr := range []string{"aws_kms_key.counted[*]", "aws_kms_key.eached[*]"} {
		r, ok := rs[addr]
		if !ok {
			t.Fatalf("no %s in %v", addr, rs)
		}
		if v := r.Attrs["description"]; v.Kind != model.Unknown {
			t.Errorf("%s description = %+v, want Unknown", addr, v)
		}
	}
	v := rs["aws_sagemaker_notebook_instance.nb"].Attrs["kms_key_id"]
	if v.Kind != model.Unknown || len(v.Refs) != 1 || v.Refs[0].Address != "aws_kms_key.counted[*]" {
		t.Errorf("kms_key_id = %+v, want a ref to aws_kms_key.counted[*]", v)
	}
	pv := rs["aws_sagemaker_endpoint_configuration.ec"].Attrs["production_variants"]
	if pv.Kind != model.Unknown || len(pv.Refs) != 1 || pv.Refs[0].Address != "var.names" || !strings.Contains(pv.Why, "for_each") {
		t.Errorf("production_variants = %+v, want Unknown referring to var.names", pv)
	}
}

func TestVariablePrecedence(t *testing.T) {
	files := map[string]string{
		"main.tf": `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { type = list(string) }
resource "aws_kms_alias" "x" {
  name   = join(",", [var.a, var.b, var.c, var.d])
  tags   = { e = join("+", var.e) }
}
`,
		"terraform.tfvars":   "a = \"tfvars\"\nb = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
		"a.auto.tfvars":      "b = \"a.auto\"\nc = \"a.auto\"\n",
		"b.auto.tfvars":      "b = \"b.auto\"\n",
		"extra/one.tfvars":   "c = \"var-file\"\nd = \"var-file\"\n",
		"extra/empty.tfvars": "",
	}
	dir := writeTree(t, files)
	cfg, err := Read(context.Background(), []string{filepath.Join(dir, "main.tf")}, Options{
		VarFiles: []string{filepath.Join(dir, "extra/one.tfvars"), filepath.Join(dir, "extra/empty.tfvars")},
		Vars:     map[string]string{"d": "cli", "e": `["x", "y"]`},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := byAddress(t, cfg)["aws_kms_alias.x"]
	if got := r.Attrs["name"].Str; got != "tfvars,b.auto,var-file,cli" {
		t.Errorf("name = %q", got)
	}
	if got := r.Attrs["tags"].Object["e"].Str; got != "x+y" {
		t.Errorf("tags.e = %q (a --var for a list variable is HCL)", got)
	}
}

func TestExpressions(t *testing.T) {
	rs, cfg := readTree(t, map[string]string{"main.tf": `
locals {
  keys = { a = aws_kms_key.k.arn, b = "alias/b" }
  on   = true
}
resource "aws_kms_key" "k" {}
resource "aws_sagemaker_notebook_instance" "nb" {
  count         = 2
  name          = format("nb-%02d", count.index)
  kms_key_id    = local.on ? local.keys["a"] : "alias/never"
  instance_type = lookup({ x = "ml.t3.medium" }, "x", "none")
  platform      = templatefile("x.tpl", {})
  accelerator   = can(local.nope) ? "y" : "n"
  volume_size   = element([5, 10], count.index) * 2
  role_arn      = substr(replace(trimspace("  arn:aws:iam::1:role/x "), "x", "y"), 0, 100)
  tags          = { keys = keys(local.keys), vals = length(values(local.keys)) }
}
`}, Options{})
	nb := rs["aws_sagemaker_notebook_instance.nb[1]"]
	want := map[string]string{"name": "nb-01", "instance_type": "ml.t3.medium", "accelerator": "n", "volume_size": "20", "role_arn": "arn:aws:iam::1:role/y"}
	for k, w := range want {
		if got := nb.Attrs[k]; got.Str != w {
			t.Errorf("%s = %+v, want %q", k, got, w)
		}
	}
	if v := nb.Attrs["kms_key_id"]; v.Kind != model.Unknown || len(v.Refs) != 1 || v.Refs[0] != (model.Ref{Kind: model.RefResource, Address: "aws_kms_key.k", Attr: "arn"}) || len(v.Branches) != 0 {
		t.Errorf("kms_key_id = %+v, want Unknown from aws_kms_key.k.arn, no branches (the predicate is known)", v)
	}
	if v := nb.Attrs["platform"]; v.Kind != model.Unknown || !strings.Contains(v.Why, "templatefile") {
		t.Errorf("platform = %+v, want Unknown naming the unsupported function", v)
	}
	if v := nb.Attrs["tags"].Object["keys"]; v.Kind != model.List || len(v.List) != 2 {
		t.Errorf("tags.keys = %+v", v)
	}
	if len(cfg.Gaps) != 0 {
		t.Errorf("gaps: %+v", cfg.Gaps)
	}
}

func TestModuleExpansion(t *testing.T) {
	rs, _ := readTree(t, map[string]string{
		"main.tf": `
module "team" {
  for_each = { a = "ml.t3.medium", b = "ml.t3.large" }
  source   = "./team"
  type     = each.value
}
module "counted" {
  count   = 1
  source  = "./team"
  log_key = aws_kms_key.root.arn
}
resource "aws_kms_key" "root" {}
resource "aws_sagemaker_notebook_instance" "top" {
  kms_key_id = module.team["b"].key
}
`,
		"team/main.tf": `
variable "type" { default = "ml.m5.large" }
variable "log_key" {
  type    = string
  default = null
}
resource "aws_kms_key" "k" {}
resource "aws_sagemaker_domain" "d" {
  kms_key_id = var.log_key
}
resource "aws_sagemaker_notebook_instance" "nb" {
  instance_type = var.type
  kms_key_id    = aws_kms_key.k.arn
}
output "key" { value = aws_kms_key.k.arn }
`}, Options{})
	for addr, typ := range map[string]string{
		`module.team["a"].aws_sagemaker_notebook_instance.nb`:  "ml.t3.medium",
		`module.team["b"].aws_sagemaker_notebook_instance.nb`:  "ml.t3.large",
		`module.counted[0].aws_sagemaker_notebook_instance.nb`: "ml.m5.large",
	} {
		r, ok := rs[addr]
		if !ok || r.Attrs["instance_type"].Str != typ {
			t.Errorf("%s: %+v, want instance_type %s", addr, r, typ)
		}
		if ref := r.Attrs["kms_key_id"].Refs; len(ref) != 1 || ref[0].Address != r.Module+".aws_kms_key.k" {
			t.Errorf("%s refs %+v", addr, ref)
		}
	}
	// A typed child variable keeps the reference its input carried.
	if ref := rs["module.counted[0].aws_sagemaker_domain.d"].Attrs["kms_key_id"].Refs; len(ref) != 1 || ref[0].Address != "aws_kms_key.root" {
		t.Errorf("module input refs %+v", ref)
	}
	if v := rs[`module.team["a"].aws_sagemaker_domain.d`].Attrs["kms_key_id"]; v.Kind != model.Null {
		t.Errorf("defaulted null input = %+v", v)
	}
	if ref := rs["aws_sagemaker_notebook_instance.top"].Attrs["kms_key_id"].Refs; len(ref) != 1 || ref[0].Address != `module.team["b"].aws_kms_key.k` {
		t.Errorf("top refs %+v", ref)
	}
}
