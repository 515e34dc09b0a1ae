package checkdoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
)

// TestTaggingSearchPageIsCurrent fails when docs/tagging-and-search.md no
// longer matches the catalog. Fix: go run ./tools/gendocs
func TestTaggingSearchPageIsCurrent(t *testing.T) {
	t.Parallel()
	got, err := os.ReadFile(filepath.Join("..", "..", "docs", TaggingSearchFile))
	if err != nil {
		t.Fatalf("%v (run go run ./tools/gendocs)", err)
	}
	if string(got) != TaggingSearchPage() {
		t.Errorf("docs/%s is stale (run go run ./tools/gendocs)", TaggingSearchFile)
	}
}

func TestTaggingSearchTableHasEveryKind(t *testing.T) {
	t.Parallel()
	table := TaggingSearchTable()
	for _, k := range catalog.Kinds() {
		if !strings.Contains(table, "| `"+k.ID+"` |") {
			t.Errorf("no row for %s", k.ID)
		}
	}
}
