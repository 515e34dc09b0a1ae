package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
)

// largeReport repeats the fixture's findings with distinct resources: a
// scan of a big job history, where every format must still be written in
// seconds.
func largeReport(n int) *Report {
	r := fixture()
	base := r.Findings
	fs := make([]finding.Finding, 0, n)
	for i := 0; len(fs) < n; i++ {
		for _, f := range base.All() {
			f.Resource.ARN = fmt.Sprintf("%s-%d", f.Resource.ARN, i)
			f.Resource.Name = fmt.Sprintf("%s-%d", f.Resource.Name, i)
			fs = append(fs, f)
		}
	}
	r.Findings = finding.NewList(fs)
	return r
}

// BenchmarkWriters writes 10,000 findings in every format.
func BenchmarkWriters(b *testing.B) {
	r := largeReport(10_000)
	for _, format := range slices.Sorted(maps.Keys(formats)) {
		b.Run(format, func(b *testing.B) {
			w := formats[format]
			b.ReportAllocs()
			for b.Loop() {
				if err := w(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
