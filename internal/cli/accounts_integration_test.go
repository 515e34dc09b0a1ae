package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// motoCaller is the account moto gives any credentials that are not an
// assumed role's.
const motoCaller = "123456789012"

// scanJSON runs sagekey with args and decodes its JSON report.
func scanJSON(t *testing.T, args ...string) (scanDoc, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), append([]string{"scan", "--format", "json", "--max-attempts", "2"}, args...), &out, &errOut)
	var doc scanDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("output is not JSON (exit %d): %v\nstdout: %s\nstderr: %s", code, err, out.String(), errOut.String())
	}
	return doc, code, errOut.String()
}

// calls is how often the scan called op.
func (d scanDoc) calls(op string) int64 {
	for _, o := range d.Scan.APICalls.Operations {
		if o.Operation == op {
			return o.Calls
		}
	}
	return 0
}

// cmkStatus maps "account/kind/name" to the status of its .cmk finding.
func (d scanDoc) cmkStatus() map[string]string {
	out := map[string]string{}
	for _, f := range d.Findings {
		if !strings.HasSuffix(f.CheckID, ".cmk") {
			continue
		}
		account := strings.Split(f.Resource.ARN, ":")[4]
		out[account+"/"+f.Resource.Kind+"/"+f.Resource.Name] = f.Status
	}
	return out
}

// unexpectedGaps are the gaps other than moto's unimplemented calls.
func (d scanDoc) unexpectedGaps() []string {
	var out []string
	for _, g := range d.Scan.Gaps {
		if !motoGaps[g.Service] {
			out = append(out, g.Account+" "+g.Service+": "+g.Reason)
		}
	}
	return out
}

// denyAssumeRole proxies to moto but refuses sts:AssumeRole into account,
// as a missing role or a trust policy that does not trust the scanner would.
func denyAssumeRole(t *testing.T, moto string, account string) string {
	t.Helper()
	return interceptingProxy(t, moto, func(w http.ResponseWriter, r *http.Request) bool {
		form, _ := url.ParseQuery(string(peekBody(r)))
		if form.Get("Action") != "AssumeRole" || !strings.Contains(form.Get("RoleArn"), ":"+account+":") {
			return false
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
			`<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
		return true
	})
}

// TestScanSeveralAccounts scans two moto accounts, the second through an
// assumed role, then a third whose role cannot be assumed: that account is
// a gap and the other two are still scanned in full.
func TestScanSeveralAccounts(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	const other, unreachable = "222222222222", "333333333333"
	callerCfg := mototest.Config(t, srv, "us-east-1")
	otherCfg := awsclient.AssumeRole(callerCfg, callerCfg, "arn:aws:iam::"+other+":role/OrganizationAccountAccessRole")
	seedSmall(t, callerCfg, motoCaller)
	seedSmall(t, otherCfg, other)
	createNotebook(t, newSageMaker(otherCfg), "nb-only-in-other", "")

	doc, code, stderr := scanJSON(t, "--endpoint-url", srv.URL(), "--regions", "us-east-1", "--no-store",
		"--accounts", motoCaller+","+other)
	if code != cli.ExitViolations {
		t.Fatalf("exit %d, want %d (FAIL findings)\n%s", code, cli.ExitViolations, stderr)
	}
	if want := []string{motoCaller, other}; !slices.Equal(doc.Scan.Accounts, want) {
		t.Errorf("accounts %v, want %v", doc.Scan.Accounts, want)
	}
	got := doc.cmkStatus()
	for _, acct := range []string{motoCaller, other} {
		for name, want := range map[string]string{
			"training-job/tj-keyed": "PASS", "training-job/tj-plain": "FAIL", "endpoint-config/ec-keyed": "PASS",
			"endpoint-config/ec-plain": "FAIL", "endpoint/ep": "PASS", "notebook-instance/nb": "PASS",
		} {
			if got[acct+"/"+name] != want {
				t.Errorf("%s/%s: %q, want %s", acct, name, got[acct+"/"+name], want)
			}
		}
	}
	if got[other+"/notebook-instance/nb-only-in-other"] != "FAIL" || got[motoCaller+"/notebook-instance/nb-only-in-other"] != "" {
		t.Errorf("resources must be read with their own account's credentials: %v", got)
	}
	if gaps := doc.unexpectedGaps(); len(gaps) > 0 {
		t.Errorf("unexpected gaps: %v", gaps)
	}
	if n := doc.calls("sts:AssumeRole"); n != 1 {
		t.Errorf("sts:AssumeRole called %d times, want 1 (credentials are cached)", n)
	}

	denying := denyAssumeRole(t, srv.URL(), unreachable)
	doc, code, _ = scanJSON(t, "--endpoint-url", denying, "--regions", "us-east-1", "--no-store",
		"--accounts", strings.Join([]string{motoCaller, other, unreachable}, ","))
	if code != cli.ExitViolations {
		t.Errorf("exit %d, want %d: violations outrank the gap", code, cli.ExitViolations)
	}
	var accountGap bool
	for _, g := range doc.Scan.Gaps {
		if g.Account == unreachable && strings.HasPrefix(g.Service, "sts:AssumeRole") && strings.Contains(g.Reason, "AccessDenied") {
			accountGap = true
		}
	}
	if !accountGap {
		t.Errorf("no gap for the account whose role could not be assumed: %+v", doc.Scan.Gaps)
	}
	if after := doc.cmkStatus(); len(after) != len(got) {
		t.Errorf("the reachable accounts must be scanned in full: %d findings, want %d", len(after), len(got))
	}
}

// TestScanOrganization discovers the accounts of a moto organization and
// scans the member account through OrganizationAccountAccessRole.
func TestScanOrganization(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	ctx := context.Background()
	callerCfg := mototest.Config(t, srv, "us-east-1")
	org := organizations.NewFromConfig(callerCfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("ml-team"), Email: aws.String("ml@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	member := aws.ToString(created.CreateAccountStatus.AccountId)
	memberCfg := awsclient.AssumeRole(callerCfg, callerCfg, "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	createNotebook(t, newSageMaker(memberCfg), "nb-member", "")
	createNotebook(t, newSageMaker(callerCfg), "nb-management", "")

	doc, _, stderr := scanJSON(t, "--endpoint-url", srv.URL(), "--regions", "us-east-1", "--no-store", "--org")
	if want := []string{motoCaller, member}; !slices.Equal(doc.Scan.Accounts, sortedCopy(want)) {
		t.Fatalf("accounts %v, want %v\n%s", doc.Scan.Accounts, want, stderr)
	}
	got := doc.cmkStatus()
	if got[member+"/notebook-instance/nb-member"] != "FAIL" || got[motoCaller+"/notebook-instance/nb-management"] != "FAIL" {
		t.Errorf("both accounts' notebooks must be judged: %v", got)
	}
	if gaps := doc.unexpectedGaps(); len(gaps) > 0 {
		t.Errorf("unexpected gaps: %v", gaps)
	}
}

func newSageMaker(cfg aws.Config) *sagemaker.Client { return sagemaker.NewFromConfig(cfg) }

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
