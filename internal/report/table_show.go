package report

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
)

// ShowValues names what --show accepts, for help and error messages.
const ShowValues = "passed, na, muted, all"

// ParseShow reads --show: which statuses the table lists besides FAIL and
// ERROR, which it always lists. An unknown value is an error, so a typo
// does not silently hide a section.
func ParseShow(values []string) (map[finding.Status]bool, error) {
	show := map[finding.Status]bool{}
	for _, v := range values {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "passed", "pass":
			show[finding.Pass] = true
		case "na", "not-applicable", "not_applicable":
			show[finding.NotApplicable] = true
		case "muted":
			show[finding.Muted] = true
		case "all":
			show[finding.Pass], show[finding.NotApplicable], show[finding.Muted] = true, true, true
		default:
			return nil, fmt.Errorf("%q is not one of %s", v, ShowValues)
		}
	}
	return show, nil
}
