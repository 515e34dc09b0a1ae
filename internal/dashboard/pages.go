package dashboard

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/url"
	"strconv"

	"github.com/sagekey/sagekey/internal/report"
)

//go:embed pages.tmpl
var pagesSource string

// parsePages adds the dashboard's pages to a copy of the report's template
// set, so both share the style, the finding article, the kind, key and gap
// tables and the charts. The dashboard redefines two cells of the key
// table to link each key to its page and its blast radius to it.
func parsePages(base string) (*template.Template, error) {
	t, err := report.HTMLTemplates()
	if err != nil {
		return nil, fmt.Errorf("dashboard templates: %w", err)
	}
	t = t.Funcs(template.FuncMap{
		"keyHref": func(arn string) string { return base + "/keys/" + url.PathEscape(arn) },
		// keyRef lets the KPI page's key lists use the key table's
		// linked ARN cell.
		"keyRef": func(arn string) report.KeyRow { return report.KeyRow{ARN: arn} },
		"hours": func(h *float64) string {
			if h == nil {
				return "n/a"
			}
			return strconv.FormatFloat(*h, 'f', 1, 64)
		},
		"usd": func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) },
	})
	if _, err := t.New("dashboard").Parse(pagesSource); err != nil {
		return nil, fmt.Errorf("dashboard templates: %w", err)
	}
	return t, nil
}
