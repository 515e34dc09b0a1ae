package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchModules, benchFiles and benchPerFile shape the generated repository:
// 1,000 files, 10,000 SageMaker and KMS resources across 50 modules.
const (
	benchModules = 50
	benchFiles   = 1000
	benchPerFile = 10
)

// writeLargeRepo generates a root module with 20 files that calls 50 local
// modules of 19 or 20 files each, 10 resources per file.
func writeLargeRepo(tb testing.TB) string {
	tb.Helper()
	root := tb.TempDir()
	var calls strings.Builder
	for m := 0; m < benchModules; m++ {
		fmt.Fprintf(&calls, "module \"m%02d\" {\n  source = \"./modules/m%02d\"\n  env = \"prod\"\n  role = aws_iam_role.sm.arn\n}\n", m, m)
	}
	write := func(path, content string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write(filepath.Join(root, "modules.tf"), calls.String()+"resource \"aws_iam_role\" \"sm\" {}\n")
	moduleHeader := `variable "env" {}
variable "role" {}
variable "capture_key" { default = null }
locals {
  prefix  = "${var.env}-ml"
  capture = coalesce(var.capture_key, aws_kms_key.k0_0.arn)
}
output "key" { value = aws_kms_key.k0_0.arn }
`
	for i := 1; i < benchFiles; i++ { // modules.tf is file 0 and holds no resources of its own
		dir, f := root, i
		if i >= 20 {
			m := (i - 20) % benchModules
			dir = filepath.Join(root, "modules", fmt.Sprintf("m%02d", m))
			f = (i - 20) / benchModules
		}
		var b strings.Builder
		if f == 0 {
			b.WriteString(moduleHeader)
		}
		if dir == root && i == 1 {
			b.WriteString("variable \"env\" { default = \"prod\" }\nvariable \"role\" { default = \"r\" }\nvariable \"capture_key\" { default = null }\n" +
				"locals {\n  prefix = \"root\"\n  capture = module.m00.key\n}\n")
		}
		n := benchPerFile
		if i == benchFiles-1 {
			n += benchPerFile // file 0 has none: keep the total at 10,000
		}
		for r := 0; r < n; r += 5 {
			fmt.Fprintf(&b, benchResources, f, r)
		}
		write(filepath.Join(dir, fmt.Sprintf("file%03d.tf", i)), b.String())
	}
	return root
}

// benchResources are five resources: key, alias, notebook, endpoint
// configuration with nested blocks, feature group.
const benchResources = `
resource "aws_kms_key" "k%[1]d_%[2]d" {
  description         = "${local.prefix} key %[1]d"
  enable_key_rotation = true
}
resource "aws_kms_alias" "a%[1]d_%[2]d" {
  name          = "alias/${local.prefix}-%[1]d-%[2]d"
  target_key_id = aws_kms_key.k%[1]d_%[2]d.key_id
}
# sagekey:ignore notebook-instance.cmk reason="bench" expires=2030-01-01
resource "aws_sagemaker_notebook_instance" "nb%[1]d_%[2]d" {
  name          = "${local.prefix}-nb-%[1]d-%[2]d"
  role_arn      = var.role
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_key.k%[1]d_%[2]d.arn
}
resource "aws_sagemaker_endpoint_configuration" "ec%[1]d_%[2]d" {
  name        = "${local.prefix}-ec-%[1]d-%[2]d"
  kms_key_arn = aws_kms_alias.a%[1]d_%[2]d.arn
  production_variants {
    variant_name  = "a"
    model_name    = "m"
    instance_type = "ml.g5.xlarge"
  }
  data_capture_config {
    initial_sampling_percentage = 10
    destination_s3_uri          = "s3://capture/"
    kms_key_id                  = local.capture
  }
}
resource "aws_sagemaker_feature_group" "fg%[1]d_%[2]d" {
  feature_group_name = "fg-%[1]d-%[2]d"
  role_arn           = var.role
  offline_store_config {
    s3_storage_config {
      s3_uri     = "s3://offline/"
      kms_key_id = var.env == "prod" ? aws_kms_key.k%[1]d_%[2]d.arn : null
    }
  }
}
`

func TestLargeRepoShape(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 1,000 files")
	}
	root := writeLargeRepo(t)
	cfg, err := Read(context.Background(), []string{root}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Files != benchFiles || len(cfg.Resources) != benchFiles*benchPerFile || len(cfg.Gaps) != 0 {
		t.Errorf("files %d, resources %d, gaps %v: want %d, %d, none", cfg.Files, len(cfg.Resources), cfg.Gaps, benchFiles, benchFiles*benchPerFile)
	}
}

func BenchmarkReadLargeRepo(b *testing.B) {
	root := writeLargeRepo(b)
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := Read(context.Background(), []string{root}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(cfg.Resources) != benchFiles*benchPerFile {
			b.Fatalf("%d resources", len(cfg.Resources))
		}
	}
}
