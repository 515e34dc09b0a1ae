package report

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
)

// hasLocations reports whether any finding says where it is declared: a
// report of infrastructure as code (sagekey iac) rather than of a live
// scan. Writers add source columns and sections only then, so a live
// report reads exactly as before.
func hasLocations(fs finding.List) bool {
	for _, f := range fs.All() {
		if f.Location != nil {
			return true
		}
	}
	return false
}

// position is "line:column" (or "line" when the column is unknown), as
// compilers and linters write it after a file name.
func position(line, column int) string {
	if column > 0 {
		return fmt.Sprintf("%d:%d", line, column)
	}
	return fmt.Sprintf("%d", line)
}

// locationText is "file:line:column", the form editors, terminals and CI
// logs turn into a link.
func locationText(l *finding.Location) string {
	return OneLine(l.File) + ":" + position(l.StartLine, l.StartColumn)
}

// locatedSubject names a located finding's subject as the configuration
// does: its address (which carries the module path), else the module and
// the resource's kind and name.
func locatedSubject(f finding.Finding) string {
	l := f.Location
	if l.Address != "" {
		return OneLine(l.Address)
	}
	return OneLine(strings.TrimSpace(l.Module + " " + f.Resource.Kind + "/" + f.Resource.Name))
}

// fixLines are a fix's inserted text as lines without their common
// indentation, for showing in a table or a CI log: the indentation fits
// the file, not the report.
func fixLines(text string) []string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	indent := -1
	for i, l := range lines {
		l = strings.TrimRight(OneLine(l), " ")
		lines[i] = l
		if l == "" {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, " ")); indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	return lines
}
