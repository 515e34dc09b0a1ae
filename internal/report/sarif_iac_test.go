package report

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// iacToken is what the line a fixture finding's region starts at holds,
// at its start column: the attribute, or the header of the resource block
// that lacks it.
var iacToken = []string{
	`resource "aws_sagemaker_notebook_instance" "nb"`,
	"kms_key_id",
	"enable_key_rotation",
	"kms_key_id",
	"Notebook:",
	"kms_key_id",
}

// iacLines reads a fixture file named by a SARIF artifact URI.
func iacLines(t *testing.T, uri string) []string {
	t.Helper()
	p, err := url.PathUnescape(uri)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(iacDir, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "\n")
}

func TestSARIFIaC(t *testing.T) {
	r := iacFixture()
	out, doc := sarifOf(t, r)
	golden(t, "iac.sarif", out)
	results := doc.Runs[0].Results
	if len(results) != len(iacToken) || r.Findings.Len() != len(iacToken) {
		t.Fatalf("%d results, %d findings, %d expected tokens", len(results), r.Findings.Len(), len(iacToken))
	}
	for i, res := range results {
		f := r.Findings.At(i)
		loc := res.Locations[0]
		pl := loc.PhysicalLocation
		if pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == nil || pl.Region == nil ||
			pl.Region.StartLine == nil || pl.Region.StartColumn == nil || pl.Region.EndLine == nil || pl.Region.EndColumn == nil {
			t.Fatalf("result %d: incomplete physical location %+v", i, pl)
		}
		if base := pl.ArtifactLocation.URIBaseID; base == nil || *base != SourceRootBase {
			t.Errorf("result %d: uriBaseId %v", i, base)
		}
		lines := iacLines(t, *pl.ArtifactLocation.URI)
		rg := pl.Region
		start := lines[*rg.StartLine-1]
		if !strings.HasPrefix(start[*rg.StartColumn-1:], iacToken[i]) {
			t.Errorf("result %d (%s): line %d column %d is %q, want %q there", i, f.CheckID, *rg.StartLine, *rg.StartColumn, start, iacToken[i])
		}
		// Every fixture region runs to the end of its last line: the
		// whole attribute, or the block's closing line.
		if end := lines[*rg.EndLine-1]; *rg.EndColumn-1 != len(end) {
			t.Errorf("result %d: region ends at %d:%d, line is %q", i, *rg.EndLine, *rg.EndColumn, end)
		}
		if ll := loc.LogicalLocations[0]; *ll.FullyQualifiedName != f.Location.Address || *ll.Kind != "resource" {
			t.Errorf("result %d: logical location %s", i, *ll.FullyQualifiedName)
		}
		if (f.Fix != nil) != (len(res.Fixes) == 1) {
			t.Errorf("result %d: %d fixes", i, len(res.Fixes))
		}
	}
	if got := *results[4].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "stacks/serving%20stack.yaml" {
		t.Errorf("a space in a path must be percent-encoded: %q", got)
	}
	if results[3].Properties.Properties["module"] != "module.ml" {
		t.Errorf("module property: %v", results[3].Properties.Properties)
	}
}

// The fix inserts the key attribute into the block that lacks it: an
// empty deleted region at the insertion point, and text that, inserted
// there, gives a block with the attribute before its closing brace.
func TestSARIFIaCFix(t *testing.T) {
	_, doc := sarifOf(t, iacFixture())
	fix := doc.Runs[0].Results[0].Fixes[0]
	if fix.Description == nil || !strings.Contains(*fix.Description.Text, "aws_kms_key.ml") {
		t.Errorf("fix description %+v", fix.Description)
	}
	change := fix.ArtifactChanges[0]
	rep := change.Replacements[0]
	d := rep.DeletedRegion
	if *d.StartLine != *d.EndLine || *d.StartColumn != *d.EndColumn {
		t.Fatalf("deleted region %d:%d-%d:%d is not empty", *d.StartLine, *d.StartColumn, *d.EndLine, *d.EndColumn)
	}
	lines := iacLines(t, *change.ArtifactLocation.URI)
	line := lines[*d.StartLine-1]
	lines[*d.StartLine-1] = line[:*d.StartColumn-1] + *rep.InsertedContent.Text + line[*d.StartColumn-1:]
	fixed := strings.Split(strings.Join(lines, "\n"), "\n")
	if got := fixed[*d.StartLine-1 : *d.StartLine+1]; got[0] != "  kms_key_id    = aws_kms_key.ml.arn" || got[1] != "}" {
		t.Errorf("after the fix, lines %d-%d are %q", *d.StartLine, *d.StartLine+1, got)
	}
	if fixed[9] != `resource "aws_sagemaker_notebook_instance" "nb" {` {
		t.Errorf("the fix moved the block: %q", fixed[9])
	}
}

func TestSARIFArtifactURI(t *testing.T) {
	for _, tc := range []struct{ file, uri, base string }{
		{"main.tf", "main.tf", SourceRootBase},
		{"./infra/../main.tf", "main.tf", SourceRootBase},
		{"infra/serving stack.yaml", "infra/serving%20stack.yaml", SourceRootBase},
		{"c:main.tf", "./c:main.tf", SourceRootBase},
		{"/work/repo/main.tf", "file:///work/repo/main.tf", ""},
	} {
		a := sarifArtifact(tc.file)
		base := ""
		if a.URIBaseID != nil {
			base = *a.URIBaseID
		}
		if *a.URI != tc.uri || base != tc.base {
			t.Errorf("%q: uri %q base %q, want %q %q", tc.file, *a.URI, base, tc.uri, tc.base)
		}
	}
}
