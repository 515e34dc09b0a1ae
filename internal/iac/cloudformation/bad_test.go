package cloudformation

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// wantGap fails unless a gap for the file mentions reason at the line
// (any line when line is 0).
func wantGap(t *testing.T, cfg *model.Config, file string, line int, reason string) {
	t.Helper()
	for _, g := range cfg.Gaps {
		if g.File != file || !strings.Contains(g.Reason, reason) {
			continue
		}
		if line == 0 || (g.Range != nil && g.Range.File == file && g.Range.Start.Line == line) {
			return
		}
	}
	t.Errorf("no gap %q at %s:%d in %+v", reason, file, line, cfg.Gaps)
}

const goodTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      KmsKeyId: alias/good
`

// readBad reads a directory holding good.yaml and the bad files, and
// checks that the good template is still read.
func readBad(t *testing.T, files map[string]string) (*model.Config, string) {
	t.Helper()
	dir := t.TempDir()
	files["good.yaml"] = goodTemplate
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Read(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Find("good/Notebook"); !ok {
		t.Errorf("good.yaml not read beside the bad input: %+v", cfg.Resources)
	}
	return cfg, dir
}

func TestSyntaxError(t *testing.T) {
	cfg, dir := readBad(t, map[string]string{"broken.yaml": "Resources:\n  A:\n    Type: [unclosed\n  B: x\n"})
	wantGap(t, cfg, filepath.Join(dir, "broken.yaml"), 3, "syntax error")
}

func TestJSONSyntaxErrorAndTabs(t *testing.T) {
	cfg, dir := readBad(t, map[string]string{
		"broken.json": "{\n \"Resources\": {\n  \"A\": {\n   \"Type\" \"x\"\n  }\n }\n}\n",
		"tabs.json":   "{\n\t\"Resources\": {\n\t\t\"Key\": {\n\t\t\t\"Type\": \"AWS::KMS::Key\",\n\t\t\t\"Properties\": {\"Enabled\": false}\n\t\t}\n\t}\n}\n",
	})
	wantGap(t, cfg, filepath.Join(dir, "broken.json"), 4, "syntax error")
	r := find(t, cfg, "tabs/Key")
	if v := one(t, r, "Enabled"); v.Range.Start.Line != 5 || v.Kind != model.Bool {
		t.Errorf("tab-indented JSON value = %+v", v)
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("x" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("Resources:\n  Bomb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      Tags: *a9\n")
	cfg, dir := readBad(t, map[string]string{"bomb.yaml": b.String()})
	wantGap(t, cfg, filepath.Join(dir, "bomb.yaml"), 0, "alias bomb")
	for _, r := range cfg.Resources {
		if r.Name == "Bomb" {
			t.Errorf("a half-evaluated resource was reported: %s", r.Address)
		}
	}
}

func TestLargeFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("# " + strings.Repeat("x", 1021) + "\n")
	for i := 0; i < 50<<10; i++ { // 50 MiB of comment lines
		if _, err := f.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cfg, err := Read(context.Background(), []string{big}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantGap(t, cfg, big, 1, "larger than 10485760 bytes")
}

func TestBinaryFile(t *testing.T) {
	cfg, dir := readBad(t, map[string]string{"image.yaml": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"})
	wantGap(t, cfg, filepath.Join(dir, "image.yaml"), 1, "binary")
}

func TestSubMissingVariable(t *testing.T) {
	cfg, dir := readBad(t, map[string]string{"sub.yaml": `Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      KmsKeyId: !Sub "arn:aws:kms:us-east-1:111122223333:key/${KeyIdd}"
`})
	wantGap(t, cfg, filepath.Join(dir, "sub.yaml"), 5, "${KeyIdd} is not a variable")
	v := one(t, find(t, cfg, "sub/Notebook"), "KmsKeyId")
	if v.Kind != model.Unknown {
		t.Errorf("Sub with a missing variable = %+v", v)
	}
}

func TestSymlinkLoops(t *testing.T) {
	cfg, dir := readBad(t, map[string]string{"sub/inner.yaml": goodTemplate})
	// A directory that links to its parent, and a link to itself.
	if err := os.Symlink("..", filepath.Join(dir, "sub", "up")); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	if err := os.Symlink("self.yaml", filepath.Join(dir, "self.yaml")); err != nil {
		t.Fatal(err)
	}
	cfg, err := Read(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantGap(t, cfg, filepath.Join(dir, "sub", "up"), 0, "symlink loop")
	wantGap(t, cfg, filepath.Join(dir, "self.yaml"), 0, "symlink loop")
	find(t, cfg, "inner/Notebook")
	find(t, cfg, "good/Notebook")
}

func TestNestedStackCycleAndMissing(t *testing.T) {
	stackOf := func(url string) string {
		return "Resources:\n  Next:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: " + url + "\n"
	}
	cfg, dir := readBad(t, map[string]string{
		"a.yaml":      stackOf("b.yaml"),
		"b.yaml":      stackOf("./a.yaml"),
		"orphan.yaml": stackOf("missing/none.yaml"),
		"s3.yaml":     stackOf("s3://bucket/x.yaml"),
	})
	wantGap(t, cfg, filepath.Join(dir, "b.yaml"), 5, "nested stack cycle: a.yaml → b.yaml → a.yaml")
	wantGap(t, cfg, filepath.Join(dir, "missing", "none.yaml"), 0, "no such file")
	wantGap(t, cfg, filepath.Join(dir, "s3.yaml"), 5, "remote template not read")
}

func TestNotATemplate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "values.yaml")
	if err := os.WriteFile(p, []byte("replicas: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Read(context.Background(), []string{dir}, Options{})
	if err != nil || len(cfg.Gaps) != 0 || cfg.Files != 0 {
		t.Errorf("directory with a non-template: %+v %v", cfg, err)
	}
	cfg, err = Read(context.Background(), []string{p, filepath.Join(dir, "absent.yaml")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Callers pass every YAML file they find: a named non-template is
	// skipped as silently as a found one.
	if len(cfg.Gaps) != 1 {
		t.Errorf("gaps = %+v", cfg.Gaps)
	}
	wantGap(t, cfg, filepath.Join(dir, "absent.yaml"), 0, "no such file")
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, []string{"testdata/repo"}, Options{}); err == nil {
		t.Error("Read ignored a canceled context")
	}
}
