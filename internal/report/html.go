package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/sagekey/sagekey/internal/version"
)

//go:embed html.tmpl
var htmlSource string

// htmlBase is the parsed template set, never executed, so HTMLTemplates can
// clone it; htmlTemplate is the report's own copy. A template that does
// not parse is a build defect, caught by every test that renders it.
var (
	htmlBase = template.Must(template.New("report").Funcs(template.FuncMap{
		"pct":   percentText,
		"deref": func(p *float64) float64 { return *p },
		"add":   func(a, b int) int { return a + b },
	}).Parse(htmlSource))
	htmlTemplate = template.Must(htmlBase.Clone())
)

// htmlPage is the template's data: the view plus what is not in a report.
type htmlPage struct {
	htmlView
	Version string
}

// WriteHTML writes one self-contained page for auditors: inline CSS and
// SVG, no script, no external URL, and a Content-Security-Policy that
// forbids loading or running anything even if a value slipped through.
// Every AWS-derived value goes through html/template's contextual
// escaping.
func WriteHTML(w io.Writer, r *Report) error {
	return htmlTemplate.Execute(w, htmlPage{htmlView: buildHTMLView(r), Version: version.String()})
}

// percentText prints a compliance figure; n/a when nothing was judged.
func percentText(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", *p)
}
