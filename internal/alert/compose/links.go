package compose

import (
	"net/url"
	"strings"

	"github.com/sagekey/sagekey/internal/alert"
)

// addLink adds a dashboard link when a dashboard is configured. The id is
// path-escaped: key ARNs carry ':' and '/', which must stay one segment.
func addLink(a *alert.Alert, opts Options, title, page, id string) {
	base := strings.TrimRight(opts.DashboardURL, "/")
	if base == "" {
		return
	}
	u := base + "/" + page
	if id != "" {
		u += "/" + url.PathEscape(id)
	}
	a.Links = append(a.Links, alert.Link{Title: title, URL: u})
}
