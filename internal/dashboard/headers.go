package dashboard

import "net/http"

// csp forbids everything the pages do not use: no script at all, styles
// only inline, images only inline SVG or data: URLs, forms only back to the
// dashboard, and no framing. A value that slipped past escaping still
// could not run or load anything.
const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secure sets the security headers on every response, errors included.
// no-store because pages show the current state of findings and keys,
// which a shared cache must not keep.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
