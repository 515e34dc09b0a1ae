package report

import (
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sagekey/sagekey/internal/finding"
)

// SourceRootBase is the uriBaseId of a relative file: SARIF's name for the
// root of the checked-out sources, which GitHub code scanning resolves
// against the repository.
const SourceRootBase = "%SRCROOT%"

// sarifLocation is where a result is: for a live finding, the resource ARN
// as a logical location (there is no file); for infrastructure as code,
// the file and region GitHub code scanning annotates, with the resource's
// address as the logical location.
func sarifLocation(f finding.Finding) *sarif.Location {
	l := f.Location
	if l == nil {
		return sarif.NewLocation().AddLogicalLocation(sarif.NewLogicalLocation().
			WithFullyQualifiedName(f.Resource.ARN).WithName(f.Resource.Name).WithKind("resource"))
	}
	name := l.Address
	if name == "" {
		name = f.Resource.ARN
	}
	region := sarif.NewRegion().WithStartLine(max(l.StartLine, 1)) // code scanning requires startLine
	if l.StartColumn > 0 {
		region.WithStartColumn(l.StartColumn)
	}
	if l.EndLine >= l.StartLine && l.EndLine > 0 {
		region.WithEndLine(l.EndLine)
		if l.EndColumn > 0 {
			region.WithEndColumn(l.EndColumn)
		}
	}
	phys := sarif.NewPhysicalLocation().WithArtifactLocation(sarifArtifact(l.File)).WithRegion(region)
	return sarif.NewLocation().WithPhysicalLocation(phys).AddLogicalLocation(sarif.NewLogicalLocation().
		WithFullyQualifiedName(name).WithName(f.Resource.Name).WithKind("resource"))
}

// sarifArtifact names a file as SARIF requires, a URI: a relative path
// with forward slashes, percent-encoded and resolved against the source
// root, so the same repository gives the same URI on any machine (code
// scanning matches alerts across runs by path); an absolute path becomes a
// file URI, since a base id may only go with a relative reference.
func sarifArtifact(file string) *sarif.ArtifactLocation {
	p := filepath.ToSlash(file)
	if filepath.IsAbs(file) || strings.HasPrefix(p, "/") || filepath.VolumeName(file) != "" {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x is the path /C:/x in a file URI
		}
		return sarif.NewArtifactLocation().WithURI((&url.URL{Scheme: "file", Path: path.Clean(p)}).String())
	}
	p = path.Clean(p)
	// EscapedPath alone would leave a colon in the first segment, which
	// makes the reference read as a scheme.
	uri := (&url.URL{Path: p}).EscapedPath()
	if first, _, _ := strings.Cut(uri, "/"); strings.Contains(first, ":") {
		uri = "./" + uri
	}
	return sarif.NewArtifactLocation().WithURI(uri).WithURIBaseID(SourceRootBase)
}

// sarifFix is a finding's fix as SARIF's: one insertion (a replacement
// whose deleted region is empty, starting and ending at the same column)
// of the key attribute. Code scanning does not apply fixes; editors with a
// SARIF viewer offer them.
func sarifFix(x *finding.Fix) *sarif.Fix {
	at := sarif.NewRegion().WithStartLine(max(x.Line, 1)).WithStartColumn(max(x.Column, 1)).
		WithEndLine(max(x.Line, 1)).WithEndColumn(max(x.Column, 1))
	change := sarif.NewArtifactChange().WithArtifactLocation(sarifArtifact(x.File)).
		AddReplacement(sarif.NewReplacement().WithDeletedRegion(at).
			WithInsertedContent(sarif.NewArtifactContent().WithText(x.Text)))
	return sarif.NewFix().WithDescription(sarif.NewTextMessage(x.Description)).AddArtifactChange(change)
}
