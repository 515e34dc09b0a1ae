package report

import (
	"strconv"

	"github.com/sagekey/sagekey/internal/finding"
)

// CSVLocationHeader names the columns WriteCSV adds last when findings say
// where code declares them (sagekey iac): the file and range, the module
// and address, and the fix's description. Like the trail columns they are
// left out otherwise, so a live scan's CSV keeps its columns.
var CSVLocationHeader = []string{"file", "start_line", "start_column", "end_line", "end_column", "module", "address", "fix"}

// csvLocation is a finding's location cells; empty for a finding without
// one (a report may mix them).
func csvLocation(f finding.Finding) []string {
	l := f.Location
	if l == nil {
		return make([]string, len(CSVLocationHeader))
	}
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	fix := ""
	if f.Fix != nil {
		fix = f.Fix.Description
	}
	return []string{l.File, num(l.StartLine), num(l.StartColumn), num(l.EndLine), num(l.EndColumn), l.Module, l.Address, fix}
}
