package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/store"
)

// Options configure a Dashboard.
type Options struct {
	Store *store.Store
	// OwnerTag is the tag that names a resource's owning team, as the
	// scans were configured (default "owner"); the pages name it.
	OwnerTag string
	// Now is the clock (nil = time.Now): ages and the KPI window end at it.
	Now func() time.Time
	// PageSize is how many rows a list page shows (default 50).
	PageSize int
	// BasePath is where the dashboard is mounted ("" = at /); links on the
	// pages start with it.
	BasePath string
}

// Dashboard serves the pages. It is safe for concurrent use.
type Dashboard struct {
	opts  Options
	pages *template.Template
	cache *caches
}

// defaultPageSize is the rows per list page when Options.PageSize is unset.
const defaultPageSize = 50

// New checks opts and parses the page templates onto the report's.
func New(opts Options) (*Dashboard, error) {
	if opts.Store == nil {
		return nil, errors.New("dashboard: no store")
	}
	if opts.OwnerTag == "" {
		opts.OwnerTag = "owner"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PageSize <= 0 {
		opts.PageSize = defaultPageSize
	}
	opts.PageSize = min(opts.PageSize, store.MaxPageSize)
	opts.BasePath = strings.TrimSuffix(opts.BasePath, "/")
	if opts.BasePath != "" && !strings.HasPrefix(opts.BasePath, "/") {
		return nil, fmt.Errorf("dashboard: base path %q must start with /", opts.BasePath)
	}
	pages, err := parsePages(opts.BasePath)
	if err != nil {
		return nil, err
	}
	return &Dashboard{opts: opts, pages: pages, cache: &caches{}}, nil
}

// Handler serves the pages under BasePath: /, /findings, /findings/{fp},
// /keys, /keys/{arn}, /kpi, /runs and /alerts. Everything else is 404, and
// any method but GET and HEAD is 405: the dashboard never changes anything.
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", d.overview)
	mux.HandleFunc("GET /findings", d.findings)
	mux.HandleFunc("GET /findings/{fingerprint}", d.finding)
	mux.HandleFunc("GET /keys", d.keys)
	// {arn...} takes the rest of the path, so a key ARN whose slash was not
	// escaped (key/1234) finds its page too.
	mux.HandleFunc("GET /keys/{arn...}", d.key)
	mux.HandleFunc("GET /kpi", d.kpi)
	mux.HandleFunc("GET /runs", d.runs)
	mux.HandleFunc("GET /alerts", d.alerts)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		d.fail(w, r, http.StatusNotFound, "No such page.")
	})
	var h http.Handler = mux
	if d.opts.BasePath != "" {
		h = http.StripPrefix(d.opts.BasePath, h)
	}
	return secure(readOnly(h))
}

// readOnly refuses every method but GET and HEAD before routing, so no
// path (a 404 included) answers a POST with anything but 405.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: the dashboard is read-only", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Base, p.OwnerTag = d.opts.BasePath, d.opts.OwnerTag
	p.Now = d.opts.Now().UTC().Format("2006-01-02 15:04 UTC")
	var buf bytes.Buffer
	if err := d.pages.ExecuteTemplate(&buf, "page-"+name, p); err != nil {
		slog.ErrorContext(r.Context(), "dashboard page", "page", name, "error", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	}
}

// fail shows an error page with status.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d.render(w, r, status, "error", page{Title: http.StatusText(status), Data: msg})
}

// failErr logs err and shows a 500 without its text: store errors can
// name the database.
func (d *Dashboard) failErr(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away
	}
	slog.ErrorContext(r.Context(), "dashboard", "path", r.URL.Path, "error", err)
	d.fail(w, r, http.StatusInternalServerError, "The store could not be read; see the server log.")
}

// page is what every page template receives: the layout's fields and the
// page's own view in Data.
type page struct {
	Title    string
	Nav      string // which navigation entry is current
	Base     string
	OwnerTag string
	Now      string
	Data     any
}
