package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// writeTree writes files (path → content) under a new temporary directory.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const goodNotebook = `resource "aws_sagemaker_notebook_instance" "ok" {
  kms_key_id = "alias/ok"
}
`

// readBad reads dir and checks that the good notebook was still read and
// that a gap on file mentions want, with a line.
func readBad(t *testing.T, dir, file, want string) *model.Config {
	t.Helper()
	cfg, err := Read(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, found := cfg.Find("aws_sagemaker_notebook_instance.ok"); !found {
		t.Errorf("the good file was not read: %+v", cfg.Resources)
	}
	for _, g := range cfg.Gaps {
		if strings.HasSuffix(g.File, file) && strings.Contains(g.Reason, want) {
			if g.Range == nil || g.Range.Start.Line < 1 {
				t.Errorf("gap without a line: %+v", g)
			}
			return cfg
		}
	}
	t.Errorf("no gap on %s mentioning %q in %+v", file, want, cfg.Gaps)
	return cfg
}

func TestSyntaxError(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.tf": goodNotebook, "bad.tf": "resource \"aws_kms_key\" \"k\" {\n  description = \n}\n"})
	cfg := readBad(t, dir, "bad.tf", "")
	for _, g := range cfg.Gaps {
		if strings.HasSuffix(g.File, "bad.tf") && g.Range.Start.Line != 2 {
			t.Errorf("syntax error at line %d, want 2", g.Range.Start.Line)
		}
	}
}

func TestLargeFile(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.tf": goodNotebook})
	f, err := os.Create(filepath.Join(dir, "huge.tf"))
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 50 MB on paper, nothing on disk, instant.
	if err := f.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	readBad(t, dir, "huge.tf", "larger than the 10485760-byte limit")
}

func TestBinaryFile(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.tf": goodNotebook, "blob.tf": "\x7fELF\x02\x01\x01\x00\x00\x00binary"})
	readBad(t, dir, "blob.tf", "binary file")
}

func TestSymlinkLoops(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.tf": goodNotebook, "self.tf": "module \"self\" {\n  source = \"./loop\"\n}\n"})
	for _, link := range [][2]string{{".", "loop"}, {"b.tf", "a.tf"}, {"a.tf", "b.tf"}} {
		if err := os.Symlink(link[0], filepath.Join(dir, link[1])); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	readBad(t, dir, "self.tf", "loop")
	readBad(t, dir, "a.tf", "cannot read")
}

func TestLocalsCycle(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.tf": goodNotebook, "cycle.tf": `locals {
  a = "${local.b}-x"
  b = local.c
  c = local.a
}
resource "aws_kms_key" "k" {
  description = local.a
}
`})
	cfg := readBad(t, dir, "cycle.tf", "reference cycle between locals: local.a → local.b → local.c → local.a")
	for _, r := range cfg.Resources {
		if r.Address == "aws_kms_key.k" {
			if v := r.Attrs["description"]; v.Kind != model.Unknown || !strings.Contains(v.Why, "cycle") {
				t.Errorf("description = %+v, want Unknown naming the cycle", v)
			}
		}
	}
}

func TestMissingModule(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.tf": goodNotebook, "mods.tf": `module "gone" {
  source = "./nowhere"
}
module "registry" {
  source = "acme/ml/aws"
}
resource "aws_sagemaker_domain" "d" {
  kms_key_id = module.registry.key_arn
}
`})
	cfg := readBad(t, dir, "mods.tf", `module "gone": source "./nowhere" is not a readable directory`)
	readBad(t, dir, "mods.tf", "is not installed")
	for _, r := range cfg.Resources {
		if r.Address == "aws_sagemaker_domain.d" {
			v := r.Attrs["kms_key_id"]
			if v.Kind != model.Unknown || len(v.Refs) != 1 || v.Refs[0].Address != "module.registry" || !strings.Contains(v.Why, "was not read") {
				t.Errorf("kms_key_id = %+v, want Unknown referring to module.registry", v)
			}
		}
	}
}

func TestMissingRootIsAnError(t *testing.T) {
	if _, err := Read(context.Background(), []string{filepath.Join(t.TempDir(), "nope")}, Options{}); err == nil {
		t.Error("no error for a root that does not exist")
	}
}

func TestCancelled(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.tf": goodNotebook})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, []string{dir}, Options{}); err == nil {
		t.Error("no error when cancelled")
	}
}
