package checkdoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedDocsAreCurrent fails when docs/checks or the README coverage
// table no longer match the code. Fix: go run ./tools/gendocs
func TestGeneratedDocsAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	pages := Pages()
	dir := filepath.Join(root, "docs", "checks")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go run ./tools/gendocs)", err)
	}
	if len(entries) != len(pages) {
		t.Errorf("docs/checks has %d files, want %d (run go run ./tools/gendocs)", len(entries), len(pages))
	}
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("docs/checks/%s is stale (run go run ./tools/gendocs)", name)
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := SpliceReadme(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(readme) {
		t.Error("README coverage table is stale (run go run ./tools/gendocs)")
	}
}

func TestChecksAreComplete(t *testing.T) {
	t.Parallel()
	for _, c := range Checks() {
		if c.Severity == "" || c.Remediation == "" || c.Rationale == "" || len(c.Examples) < 2 {
			t.Errorf("%s: incomplete: %+v", c.ID, c)
		}
		if strings.HasSuffix(c.ID, ".cmk") && len(c.Slots) == 0 {
			t.Errorf("%s: a cmk check must list its slots", c.ID)
		}
	}
}
