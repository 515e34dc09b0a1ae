package dashboard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

func newDashboard(t testing.TB, opts Options) http.Handler {
	t.Helper()
	if opts.Store == nil {
		opts.Store = seeded(t)
	}
	if opts.Now == nil {
		opts.Now = now
	}
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return d.Handler()
}

func get(t testing.TB, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func fetch(t *testing.T, h http.Handler, target string) string {
	t.Helper()
	res, body := get(t, h, http.MethodGet, target)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", target, res.StatusCode, body)
	}
	return body
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

var (
	fpNB01 = history.Subject{CheckID: "notebook-instance.cmk", ResourceARN: nbARN("nb-01", "us-east-1")}.Fingerprint()
	fpNB02 = history.Subject{CheckID: "notebook-instance.cmk", ResourceARN: nbARN("nb-02", "us-east-1")}.Fingerprint()
)

func TestOverviewGolden(t *testing.T) {
	h := newDashboard(t, Options{})
	golden.Check(t, "overview.html", []byte(fetch(t, h, "/")))
}

func TestFindingGolden(t *testing.T) {
	h := newDashboard(t, Options{})
	golden.Check(t, "finding.html", []byte(fetch(t, h, "/findings/"+fpNB02)))
}

func TestOverview(t *testing.T) {
	h := newDashboard(t, Options{})
	body := fetch(t, h, "/")
	// CMK verdicts of the last scan: nb-01, nb-02 and fraud-v1 fail, nb-03
	// and nb-04 pass; the key's state check is the fourth open violation.
	mustContain(t, "overview", body, `id="overall-compliance">40.00%<`, "<polyline", `id="kind-compliance"`,
		`<span class="big">4</span><a href="/findings?open=1">open violations</a>`,
		`<span class="big">1</span><a href="#attention">keys pending deletion or disabled</a>`,
		`<span class="big">1</span><a href="/alerts">alerts not delivered`,
		`/findings?open=1&amp;severity=critical`, `/findings?open=1&amp;owner=risk`,
		"sagemaker:ListClusters", `id="incomplete"`, "/keys/arn:aws:kms:us-east-1:123456789012:key%2Fdead0000-doom")
}

func TestSecurityHeaders(t *testing.T) {
	h := newDashboard(t, Options{})
	for _, target := range []string{"/", "/findings", "/findings/" + fpNB01, "/keys", "/kpi", "/runs", "/alerts", "/nope", "/findings/nope"} {
		res, _ := get(t, h, http.MethodGet, target)
		want := map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			"X-Content-Type-Options":  "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", target, k, got, v)
			}
		}
	}
}

func TestReadOnly(t *testing.T) {
	h := newDashboard(t, Options{})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		for _, target := range []string{"/", "/findings", "/nope"} {
			res, _ := get(t, h, m, target)
			if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d (Allow %q), want 405", m, target, res.StatusCode, res.Header.Get("Allow"))
			}
			if res.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("%s %s: no security headers on the 405", m, target)
			}
		}
	}
	res, body := get(t, h, http.MethodHead, "/")
	if res.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD /: %d with %d bytes", res.StatusCode, len(body))
	}
}

func TestNotFound(t *testing.T) {
	h := newDashboard(t, Options{})
	for _, target := range []string{"/findings/0123456789abcdef", "/keys/" + url.PathEscape("arn:aws:kms:us-east-1:1:key/none"), "/nope", "/healthz"} {
		if res, _ := get(t, h, http.MethodGet, target); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", target, res.StatusCode)
		}
	}
	for _, target := range []string{"/findings?severity=bad", "/findings?status=nope", "/findings?page=0", "/kpi?days=3", "/runs?page=x"} {
		if res, _ := get(t, h, http.MethodGet, target); res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", target, res.StatusCode)
		}
	}
}

// rowCount counts the finding rows of a list page.
func rowCount(body string) int { return strings.Count(body, `<tr><td><span class="badge `) }

func TestFindingsFilterAndPages(t *testing.T) {
	h := newDashboard(t, Options{PageSize: 2})
	body := fetch(t, h, "/findings?status=FAIL")
	// Present FAILs: nb-01, nb-02, fraud-v1 and the key's state check.
	mustContain(t, "FAIL list", body, "<strong>4</strong> matching findings", "Page 1 of 2", `rel="next"`,
		`href="/findings?page=2&amp;status=FAIL"`)
	if n := rowCount(body); n != 2 {
		t.Errorf("page 1 shows %d rows, want 2", n)
	}
	body = fetch(t, h, "/findings?status=FAIL&page=2")
	mustContain(t, "FAIL page 2", body, "Page 2 of 2", `rel="prev"`)
	if strings.Contains(body, `rel="next"`) {
		t.Error("the last page links a next page")
	}
	// Worst severity first: the critical endpoint config leads.
	first := fetch(t, h, "/findings?status=FAIL")
	if i, j := strings.Index(first, "fraud-v1"), strings.Index(first, "nb-0"); i < 0 || j >= 0 && j < i {
		t.Error("the critical finding is not listed first")
	}
	for q, want := range map[string]int{
		"status=FAIL&severity=high&kind=notebook-instance": 2,
		"owner=risk":                           2,
		"owner=(none)":                         1,
		"region=eu-west-1":                     1,
		"check=kms-key.rotation":               1,
		"account=" + acct + "&status=PASS":     3,
		"open=1":                               4,
		"resource=" + url.QueryEscape(doomKey): 2,
		"kind=training-job":                    0,
	} {
		body := fetch(t, newDashboard(t, Options{}), "/findings?"+q)
		if !strings.Contains(body, "<strong>"+itoa(want)+"</strong> matching findings") || rowCount(body) != want {
			t.Errorf("/findings?%s: %d rows shown, want %d", q, rowCount(body), want)
		}
	}
	// The form keeps the filter selected.
	mustContain(t, "filter form", fetch(t, h, "/findings?status=FAIL&kind=endpoint-config"),
		`<option selected>FAIL</option>`, `<option selected>endpoint-config</option>`)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestFindingPage(t *testing.T) {
	h := newDashboard(t, Options{})
	body := fetch(t, h, "/findings/"+fpNB02)
	// nb-02 failed, was fixed, and failed again: two violations, one reopened.
	mustContain(t, "finding page", body, "<code>"+fpNB02+"</code>", "Recreate the notebook instance with KmsKeyId",
		"no KmsKeyId: AWS-owned key", "<strong>reopened</strong>", "passed", "reopened 1 times", "risk",
		"2026-11-02 08:00 UTC", `id="lifecycle"`, "Failing since 2026-11-08")
	key := fetch(t, h, "/findings/"+history.Subject{CheckID: "kms-key.state", ResourceARN: doomKey}.Fingerprint())
	mustContain(t, "key finding page", key, "this key's page", "/keys/arn:aws:kms:us-east-1:123456789012:key%2Fdead0000-doom")
}

func TestKeys(t *testing.T) {
	h := newDashboard(t, Options{})
	body := fetch(t, h, "/keys")
	mustContain(t, "keys", body, "PendingDeletion", "dead0000-doom", "1111aaaa-good", `state: <span class="badge FAIL">FAIL</span>`, `#blast-radius">`)
	if i, j := strings.Index(body, "dead0000-doom"), strings.Index(body, "1111aaaa-good"); i > j {
		t.Error("the unhealthy key is not listed first")
	}
	for _, target := range []string{"/keys/" + url.PathEscape(doomKey), "/keys/" + doomKey} {
		key := fetch(t, h, target)
		mustContain(t, target, key, `id="key-state">PendingDeletion<`, "fraud-v1", "kms-key.rotation", "kms-key.state",
			"Blast radius: 1 resources", "platform")
	}
	good := fetch(t, h, "/keys/"+url.PathEscape(goodKey))
	// nb-02 fails at the last scan: no key on its volume, so not in the radius.
	mustContain(t, "good key", good, "Blast radius: 2 resources", "nb-03", "nb-04")
	if strings.Contains(good, "nb-02") {
		t.Error("the good key's blast radius lists nb-02, whose volume has no key now")
	}
}

func TestKPIRunsAlerts(t *testing.T) {
	h := newDashboard(t, Options{})
	mustContain(t, "kpi", fetch(t, h, "/kpi"), `id="kpi-overall">40.00%<`, "<polyline", "Time to remediate",
		"Violations opened per week", "<strong>30 days</strong>", `href="/kpi?days=90"`)
	mustContain(t, "kpi 90", fetch(t, h, "/kpi?days=90"), "<strong>90 days</strong>")
	mustContain(t, "runs", fetch(t, h, "/runs"), `id="run-3"`, `id="run-1"`, "assumed-role/auditor/ci", "eu-west-1, us-east-1")
	alerts := fetch(t, h, "/alerts")
	mustContain(t, "alerts", alerts, "slack-sec", "violation.opened", "alert-1", "HTTP 500 &lt;html&gt;")
	if strings.Contains(alerts, "never shown") {
		t.Error("the alerts page shows the payload's details")
	}
}

// Every AWS-derived string is escaped: the hostile owner tag and gap reason
// come out as text on every page that shows them.
func TestHostileValuesEscaped(t *testing.T) {
	h := newDashboard(t, Options{})
	for _, target := range []string{"/", "/findings", "/findings?owner=" + url.QueryEscape(hostile), "/findings/" + fpNB01, "/alerts"} {
		body := fetch(t, h, target)
		for _, raw := range []string{"<script", "<img", "<b>denied", "<html>"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s contains unescaped %q", target, raw)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") && target != "/" {
			t.Errorf("%s does not show the hostile value as text", target)
		}
		external := regexp.MustCompile(`(?i)(src|href|action)\s*=\s*"(https?:)?//|url\(|@import|<link|<iframe|<object|<embed`)
		if m := external.FindString(body); m != "" {
			t.Errorf("%s loads something from outside: %q", target, m)
		}
	}
	if body := fetch(t, h, "/findings?owner="+url.QueryEscape(hostile)); rowCount(body) != 1 {
		t.Error("filtering by the hostile owner does not find its notebook")
	}
}

func TestBasePath(t *testing.T) {
	h := newDashboard(t, Options{BasePath: "/dash/"})
	body := fetch(t, h, "/dash/")
	mustContain(t, "overview under /dash", body, `href="/dash/findings"`, `/dash/keys/arn:aws:kms`)
	if res, _ := get(t, h, http.MethodGet, "/findings"); res.StatusCode != http.StatusNotFound {
		t.Errorf("outside the base path: %d, want 404", res.StatusCode)
	}
	if _, err := New(Options{Store: seeded(t), BasePath: "dash"}); err == nil {
		t.Error("a relative base path was accepted")
	}
	if _, err := New(Options{}); err == nil {
		t.Error("no store was accepted")
	}
}
