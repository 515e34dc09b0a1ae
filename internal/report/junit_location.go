package report

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
)

// locateCase gives the test case of a finding from code its file and line
// attributes, and names it by address: declared resources have no ARN,
// and the address is what the code calls them.
func locateCase(c *junitCase, f finding.Finding) {
	l := f.Location
	if l == nil {
		return
	}
	c.File, c.Line = xmlSafe(l.File), l.StartLine
	if l.Address != "" {
		c.Name = xmlSafe(l.Address)
	}
}

// junitAt is the "file:line:column: " a failure message starts with, as a
// compiler's would, so a CI log that shows only the message links to the
// line; empty for a live finding.
func junitAt(f finding.Finding) string {
	if f.Location == nil {
		return ""
	}
	return locationText(f.Location) + ": "
}

// writeJUnitLocation adds where code declares the subject, and the fix
// when the configuration defines a suitable key, to a failure's body.
func writeJUnitLocation(b *strings.Builder, f finding.Finding) {
	l := f.Location
	if l == nil {
		return
	}
	fmt.Fprintf(b, "location: %s", locationText(l))
	if l.EndLine > 0 {
		fmt.Fprintf(b, "-%s", position(l.EndLine, l.EndColumn))
	}
	if l.Address != "" {
		b.WriteString(" " + l.Address)
	}
	if l.Module != "" {
		b.WriteString(" (in " + l.Module + ")")
	}
	b.WriteString("\n")
	if x := f.Fix; x != nil {
		fmt.Fprintf(b, "fix: %s\ninsert at %s:%s:\n%s", x.Description, x.File, position(x.Line, x.Column),
			strings.TrimSuffix(x.Text, "\n")+"\n")
	}
}
