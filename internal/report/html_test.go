package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/compliance"
	"github.com/sagekey/sagekey/internal/finding"
)

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLGolden(t *testing.T) {
	golden(t, "report.html", []byte(renderHTML(t, fixture())))
}

// Every value that came from AWS is escaped, the page carries no script
// and loads nothing from anywhere.
func TestHTMLEscapesAndIsSelfContained(t *testing.T) {
	t.Parallel()
	page := renderHTML(t, fixture())
	// The trail's principals, sessions, user agents and details are as
	// hostile as the scan's names and tags.
	for _, raw := range []string{"<script", "<b>account</b>", "onerror", "<img", "<b>x</b>", "onload"} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;document.body.dataset.pwned", "sandbox &lt;b&gt;account&lt;/b&gt;", "risk &amp; fraud",
		"role/ml&lt;script&gt;alert(&#39;p&#39;)&lt;/script&gt;", "Terraform/1.9.0 &lt;img src=x&gt;", "role/KeyAdmin&lt;b&gt;x&lt;/b&gt;",
		"=HYPERLINK(&#34;http://evil.example&#34;"} {
		if !strings.Contains(page, escaped) {
			t.Errorf("page lacks the escaped value %q", escaped)
		}
	}
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//|url\(|@import|<link|<iframe|<object|<embed`)
	if m := external.FindString(page); m != "" {
		t.Errorf("page loads something from outside: %q", m)
	}
	if !strings.Contains(page, `http-equiv="Content-Security-Policy" content="default-src 'none'`) {
		t.Error("page lacks its Content-Security-Policy")
	}
}

func TestHTMLSections(t *testing.T) {
	t.Parallel()
	page := renderHTML(t, fixture())
	// The fixture's CMK verdicts: 2 PASS (training job, feature group),
	// 2 FAIL (endpoint config, notebook), 1 ERROR, 1 NOT_APPLICABLE.
	for _, want := range []string{
		`id="overall-compliance">50.00%<`,
		`<h3 class="sev-critical">critical (2)</h3>`, `<h3 class="sev-high">high (1)</h3>`, `<h3 class="sev-medium">medium (1)</h3>`,
		"Create a new endpoint config with a customer-managed key and cut the endpoint over",
		`id="incomplete"`, "sagemaker:ListClusters", "access denied",
		"ml.g4dn.xlarge has NVMe instance storage", "serverless variants have no ML storage volume",
		"key could not be described: AccessDeniedException", "Muted: sandbox", "(until 2026-12-23)",
		"<polyline", "run 2, 2026-11-22 10:00: 50.00% compliant (2 pass, 2 fail)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestKindCompliance(t *testing.T) {
	t.Parallel()
	overall, kinds := kindCompliance(fixture().Findings)
	if overall.Pass != 2 || overall.Fail != 2 || overall.Error != 1 || overall.NotApplicable != 1 || *overall.Percent != 50 {
		t.Errorf("overall = %+v", overall)
	}
	got := map[string]string{}
	for _, k := range kinds {
		got[k.Group] = percentText(k.Percent)
	}
	want := map[string]string{"domain": "n/a", "endpoint-config": "0.00%", "feature-group": "100.00%", "notebook-instance": "0.00%", "training-job": "100.00%"}
	for kind, w := range want {
		if got[kind] != w {
			t.Errorf("%s = %s, want %s", kind, got[kind], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("kinds = %v; key and tag checks must not count", got)
	}
}

// The key table joins key verdicts with the slots that use each key: the
// blast radius is the union, unhealthy keys come first.
func TestKeyRows(t *testing.T) {
	t.Parallel()
	rows := keyRows(fixture().Findings)
	if len(rows) != 2 {
		t.Fatalf("%d key rows, want 2: %+v", len(rows), rows)
	}
	doomed, good := rows[0], rows[1]
	if !strings.Contains(doomed.ARN, "key/dead0000") || doomed.State != "PendingDeletion" || doomed.Manager != "CUSTOMER" {
		t.Errorf("first row = %+v, want the pending-deletion key", doomed)
	}
	if len(doomed.Protects) != 1 || doomed.Protects[0].Name != "fraud-v1" {
		t.Errorf("doomed key protects %v", doomed.Protects)
	}
	if len(good.Protects) != 3 || good.State != "Enabled" || len(good.Checks) != 2 || good.Tags[0].Value != "ml-platform" {
		t.Errorf("healthy key row = %+v", good)
	}
}

func TestTrendChart(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := func(v float64) *float64 { return &v }
	if newTrendChart([]compliance.Point{{At: at, Tally: compliance.Tally{Percent: p(10)}}}) != nil {
		t.Error("one scan drew a trend")
	}
	c := newTrendChart([]compliance.Point{
		{At: at, Tally: compliance.Tally{Percent: p(0)}},
		{At: at.Add(time.Hour), Tally: compliance.Tally{Percent: p(100)}},
		{At: at.Add(2 * time.Hour)}, // nothing judged: the line breaks
		{At: at.Add(3 * time.Hour), Tally: compliance.Tally{Percent: p(50)}},
	})
	if len(c.Lines) != 2 || len(c.Dots) != 3 {
		t.Fatalf("lines %v dots %v", c.Lines, c.Dots)
	}
	bottom, top := chartHeight-chartBottom, chartTop
	if c.Dots[0].Y != bottom || c.Dots[1].Y != top || c.Dots[0].X != chartLeft || c.Dots[2].X != chartWidth-chartRight {
		t.Errorf("dots %+v: 0%% must sit on the bottom, 100%% on the top, first and last at the edges", c.Dots)
	}
}

// Passing evidence is capped; everything that needs attention is not.
func TestHTMLCapsOnlyPassingRows(t *testing.T) {
	t.Parallel()
	r := &Report{}
	editFindings(r, func(fs []finding.Finding) []finding.Finding {
		for range maxPassRows + 5 {
			fs = append(fs, finding.Finding{CheckID: "domain.cmk", Status: finding.Pass})
			fs = append(fs, finding.Finding{CheckID: "domain.cmk", Status: finding.Fail, Severity: finding.High})
		}
		return fs
	})
	v := buildHTMLView(r)
	if len(v.Passing) != maxPassRows || v.PassHidden != 5 || v.Failing[0].Count != maxPassRows+5 {
		t.Errorf("passing %d hidden %d failing %d", len(v.Passing), v.PassHidden, v.Failing[0].Count)
	}
}
