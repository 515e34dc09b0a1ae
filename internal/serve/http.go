package serve

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// handler routes the probes, /metrics, the scan trigger and the dashboard.
// Probes answer without a token so orchestrators can call them; everything
// else needs it when one is configured, and the trigger always does.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.authenticated(s.o.Metrics.Handler()))
	mux.Handle("POST /api/scan", s.tokenRequired(http.HandlerFunc(s.requestScan)))
	if s.o.Dashboard != nil {
		mux.Handle("/", s.authenticated(s.o.Dashboard))
	}
	return securityHeaders(mux)
}

// securityHeaders are set on every response; the dashboard adds its own
// Content-Security-Policy for pages.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if h.Get("Content-Security-Policy") == "" {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.o.Store.Ping(ctx); err != nil {
		// The driver's message may name the host; the probe says only what failed.
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unreachable"})
		return
	}
	if late, due := s.ready.overdue(s.now()); late {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "scheduled scan overdue",
			"due": due.UTC().Format(time.RFC3339)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// requestScan queues a scan now. Requests while one is queued are the same
// request; the replica holding the scan lock runs it.
func (s *server) requestScan(w http.ResponseWriter, _ *http.Request) {
	if s.o.NoScan {
		writeJSON(w, http.StatusConflict, map[string]string{"status": "this serve does not scan (--scan=false)"})
		return
	}
	s.forced.Store(true)
	select {
	case s.trigger <- struct{}{}:
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued"})
	default:
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "already queued"})
	}
}

// authenticated requires the token when one is configured.
func (s *server) authenticated(next http.Handler) http.Handler {
	if s.o.AuthToken == "" {
		return next
	}
	return s.tokenRequired(next)
}

// tokenRequired accepts "Authorization: Bearer <token>", or the token as a
// basic-auth password so a browser can open the dashboard. Without a
// configured token it refuses: the trigger spends API quota.
func (s *server) tokenRequired(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.o.AuthToken == "" {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "this endpoint needs sagekey serve --auth-token-file"})
			return
		}
		if !tokenMatches(presented(r), s.o.AuthToken) {
			w.Header().Set("WWW-Authenticate", `Basic realm="sagekey", charset="UTF-8"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "a valid token is required"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func presented(r *http.Request) string {
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(v)
	}
	if _, pass, ok := r.BasicAuth(); ok {
		return pass
	}
	return ""
}

// tokenMatches compares in constant time; hashing first makes the time
// independent of the lengths too.
func tokenMatches(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return got != "" && subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
