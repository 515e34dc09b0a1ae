package cli_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/demo"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/testutil/browser"
)

var screenshot = flag.String("screenshot", "", "also save a PNG of the demo estate's HTML report here (e.g. ../../docs/report.png)")

// hostile is a tag value that runs script if any layer forgets to escape:
// the page must show it as text and the browser must not execute it.
const hostile = `<script>document.body.dataset.pwned='script'</script><img src=x onerror="document.body.dataset.pwned='img'">`

// TestHTMLReportInChromium renders the demo estate's HTML report in a real
// headless Chromium: the page must show the headline figure the findings
// give, every failing resource and the trend, and a tag value carrying
// markup must come out as text without running.
func TestHTMLReportInChromium(t *testing.T) {
	bin := browser.Find(t)
	srv, manifest := seededEstate(t)
	chdir(t, t.TempDir())
	target := firstFailing(t, manifest, demo.KindNotebookInstance)
	tagNotebook(t, mototest.Config(t, srv, target.Region), target.Name, hostile)

	db := filepath.Join(t.TempDir(), "history.db")
	runScan(t, srv, "--db", db) // a second stored scan makes a trend
	doc, _, _ := runScan(t, srv, "--db", db)
	page := filepath.Join(t.TempDir(), "report.html")
	var out, errOut bytes.Buffer
	if code := cli.Run(context.Background(), []string{"report", "--db", db, "--format", "html", "-o", page}, &out, &errOut); code != 0 {
		t.Fatalf("sagekey report exit %d: %s", code, errOut.String())
	}

	dom := browser.DumpDOM(t, bin, page)
	pass, fail := 0, 0
	for _, f := range doc.Findings {
		if strings.HasSuffix(f.CheckID, ".cmk") && f.Status == "PASS" {
			pass++
		}
		if strings.HasSuffix(f.CheckID, ".cmk") && f.Status == "FAIL" {
			fail++
		}
	}
	if pass+fail == 0 {
		t.Fatal("the demo scan judged no resource")
	}
	headline := fmt.Sprintf(`id="overall-compliance">%.2f%%<`, float64(int64(10000*float64(pass)/float64(pass+fail)+0.5))/100)
	if !strings.Contains(dom, headline) {
		t.Errorf("rendered page lacks the headline %s (%d pass, %d fail)", headline, pass, fail)
	}
	for _, e := range manifest.Resources {
		if e.Status == demo.StatusFail && !strings.Contains(dom, e.Name) {
			t.Errorf("failing %s %s is not on the page", e.Kind, e.Name)
		}
	}
	if !strings.Contains(dom, "<polyline") {
		t.Error("no trend chart after two stored scans")
	}
	if strings.Contains(dom, "data-pwned") {
		t.Fatal("an AWS tag value ran as script in the browser")
	}
	if !strings.Contains(dom, "&lt;script&gt;document.body.dataset.pwned") || !strings.Contains(dom, "&lt;img src=x onerror=") {
		t.Error("the hostile tag value is not shown as text")
	}
	if *screenshot != "" {
		browser.Screenshot(t, bin, page, *screenshot, "1280,2200")
		t.Logf("screenshot written to %s", *screenshot)
	}
	if t.Failed() {
		os.WriteFile(filepath.Join(os.TempDir(), "sagekey-chromium-dom.html"), []byte(dom), 0o644)
	}
}

func firstFailing(t *testing.T, m *demo.Manifest, kind string) demo.Expectation {
	t.Helper()
	for _, e := range m.ByKind(kind) {
		if e.Status == demo.StatusFail {
			return e
		}
	}
	t.Fatalf("the demo estate has no failing %s", kind)
	return demo.Expectation{}
}

// tagNotebook adds an owner tag with value to a notebook instance. Real
// SageMaker restricts tag characters; moto does not, which is what lets
// this test stand in for any source that might not.
func tagNotebook(t *testing.T, cfg aws.Config, name, value string) {
	t.Helper()
	sm := sagemaker.NewFromConfig(cfg)
	nb, err := sm.DescribeNotebookInstance(context.Background(), &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sm.AddTags(context.Background(), &sagemaker.AddTagsInput{ResourceArn: nb.NotebookInstanceArn,
		Tags: []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String(value)}}}); err != nil {
		t.Fatal(err)
	}
}
