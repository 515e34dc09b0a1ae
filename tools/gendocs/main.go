// Command gendocs regenerates docs/checks/*.md, docs/key-access.md,
// docs/tagging-and-search.md and the README coverage table from the rules
// and the catalog. Run it from the repository root:
//
//	go run ./tools/gendocs
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sagekey/sagekey/internal/checkdoc"
)

func main() {
	if err := run("."); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	dir := filepath.Join(root, "docs", "checks")
	if err := os.RemoveAll(dir); err != nil { // drop pages of removed checks
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, body := range checkdoc.Pages() {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	keyAccess := filepath.Join(root, "docs", checkdoc.KeyAccessFile)
	if err := os.WriteFile(keyAccess, []byte(checkdoc.KeyAccessPage()), 0o644); err != nil {
		return err
	}
	taggingSearch := filepath.Join(root, "docs", checkdoc.TaggingSearchFile)
	if err := os.WriteFile(taggingSearch, []byte(checkdoc.TaggingSearchPage()), 0o644); err != nil {
		return err
	}
	readmePath := filepath.Join(root, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	updated, err := checkdoc.SpliceReadme(string(readme))
	if err != nil {
		return err
	}
	return os.WriteFile(readmePath, []byte(updated), 0o644)
}
