package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/store/storetest"
)

// kpiDoc is the part of the sagekey.kpi/v1 document the test reads.
type kpiDoc struct {
	Schema     string `json:"schema"`
	Scope      struct{ Runs []int64 }
	Compliance struct {
		Overall struct {
			Pass, Fail int
			Percent    *float64
		}
		Groups []struct {
			Group      string
			Pass, Fail int
		}
	}
	MTTR struct {
		Resolved     int
		ByResolution map[string]int `json:"by_resolution"`
		MeanHours    *float64       `json:"mean_hours"`
		MedianHours  *float64       `json:"median_hours"`
	}
	Open struct {
		Count     int
		MeanHours *float64 `json:"mean_hours"`
	}
	Keys struct {
		CustomerManaged int `json:"customer_managed"`
	}
	Cost struct {
		MonthlyUSD   float64 `json:"monthly_usd"`
		ByCostCenter []struct {
			CostCenter string  `json:"cost_center"`
			MonthlyUSD float64 `json:"monthly_usd"`
		} `json:"by_cost_center"`
	}
}

// clockAt runs sagekey with the clock pinned to at.
func clockAt(t *testing.T, at time.Time, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.RunEnv(context.Background(), cli.Env{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return at }}, args)
	if code != cli.ExitOK && code != cli.ExitViolations {
		t.Fatalf("sagekey %s exited %d\nstderr: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String(), code
}

func kpiAt(t *testing.T, db string, to time.Time) kpiDoc {
	t.Helper()
	out, _ := clockAt(t, to.Add(time.Hour), "kpi", "--db", db, "--format", "json", "--to", to.Format(time.RFC3339),
		"--from", "30d", "--by", "region")
	var doc kpiDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("kpi output is not JSON: %v\n%s", err, out)
	}
	return doc
}

// notebookEstate seeds: in us-east-1 a notebook to be fixed, one to be
// deleted (both without a key) and one with a tagged customer-managed key;
// in eu-west-1 a notebook without a key that the second scan will not cover.
func notebookEstate(t *testing.T, srv *motoserver.Server) (east *sagemaker.Client, keyID string) {
	t.Helper()
	ctx := context.Background()
	east = sagemaker.NewFromConfig(mototest.Config(t, srv, "us-east-1"))
	west := sagemaker.NewFromConfig(mototest.Config(t, srv, "eu-west-1"))
	k, err := kms.NewFromConfig(mototest.Config(t, srv, "us-east-1")).CreateKey(ctx, &kms.CreateKeyInput{
		Tags: []kmstypes.Tag{{TagKey: aws.String("cost-center"), TagValue: aws.String("cc-ml-platform")}}})
	if err != nil {
		t.Fatal(err)
	}
	keyID = aws.ToString(k.KeyMetadata.KeyId)
	createNotebook(t, east, "nb-fix", "")
	createNotebook(t, east, "nb-delete", "")
	createNotebook(t, east, "nb-ok", keyID)
	createNotebook(t, west, "nb-west", "")
	return east, keyID
}

func createNotebook(t *testing.T, api *sagemaker.Client, name, key string) {
	t.Helper()
	in := &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String(name), InstanceType: smtypes.InstanceTypeMlT3Medium,
		RoleArn: aws.String("arn:aws:iam::123456789012:role/sagemaker")}
	if key != "" {
		in.KmsKeyId = aws.String(key)
	}
	if _, err := api.CreateNotebookInstance(context.Background(), in); err != nil {
		t.Fatalf("create notebook %s: %v", name, err)
	}
}

func deleteNotebook(t *testing.T, api *sagemaker.Client, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := api.StopNotebookInstance(ctx, &sagemaker.StopNotebookInstanceInput{NotebookInstanceName: aws.String(name)}); err != nil {
		t.Fatalf("stop notebook %s: %v", name, err)
	}
	if _, err := api.DeleteNotebookInstance(ctx, &sagemaker.DeleteNotebookInstanceInput{NotebookInstanceName: aws.String(name)}); err != nil {
		t.Fatalf("delete notebook %s: %v", name, err)
	}
}

// TestHistoryKPIsAcrossFixAndDelete is the end-to-end proof of the history,
// on each store: scan, fix one resource by recreating it with a key, delete
// another, scan again (one region only) three days later, and read the KPIs
// before and after.
func TestHistoryKPIsAcrossFixAndDelete(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "history.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresDatabase(t) },
	}
	for name, dsn := range stores {
		t.Run(name, func(t *testing.T) { historyKPIsAcrossFixAndDelete(t, dsn(t)) })
	}
}

func historyKPIsAcrossFixAndDelete(t *testing.T, db string) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	chdir(t, t.TempDir())
	east, keyID := notebookEstate(t, srv)
	scanArgs := func(regions string) []string {
		return []string{"scan", "--endpoint-url", srv.URL(), "--regions", regions, "--checks", "notebook-instance.cmk",
			"--max-attempts", "2", "--db", db, "--format", "json"}
	}
	t1 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	t2 := t1.Add(72 * time.Hour)

	if _, code := clockAt(t, t1, scanArgs("us-east-1,eu-west-1")...); code != cli.ExitViolations {
		t.Fatalf("first scan exit %d, want %d", code, cli.ExitViolations)
	}
	deleteNotebook(t, east, "nb-fix")
	createNotebook(t, east, "nb-fix", keyID) // fixed: recreated with a customer-managed key
	deleteNotebook(t, east, "nb-delete")
	// The second scan covers us-east-1 only: nb-west is out of scope.
	out, _ := clockAt(t, t2, scanArgs("us-east-1")...)
	if !strings.Contains(out, `"run_id": 2`) {
		t.Errorf("second scan does not report its stored run id:\n%s", out)
	}

	before := kpiAt(t, db, t1.Add(time.Hour))
	if p := before.Compliance.Overall.Percent; p == nil || *p != 25 || before.Compliance.Overall.Pass != 1 || before.Compliance.Overall.Fail != 3 {
		t.Errorf("compliance after scan 1 = %+v, want 1 PASS / 3 FAIL = 25%%", before.Compliance.Overall)
	}
	if before.MTTR.Resolved != 0 || before.Open.Count != 3 {
		t.Errorf("after scan 1: %d resolved, %d open; want 0 and 3", before.MTTR.Resolved, before.Open.Count)
	}

	after := kpiAt(t, db, t2.Add(time.Hour))
	// nb-fix and nb-ok pass, nb-delete is gone, nb-west keeps its FAIL: the
	// second scan did not look at eu-west-1.
	if p := after.Compliance.Overall.Percent; p == nil || *p != 66.67 || after.Compliance.Overall.Pass != 2 || after.Compliance.Overall.Fail != 1 {
		t.Errorf("compliance after scan 2 = %+v, want 2 PASS / 1 FAIL = 66.67%%", after.Compliance.Overall)
	}
	groups := map[string][2]int{}
	for _, g := range after.Compliance.Groups {
		groups[g.Group] = [2]int{g.Pass, g.Fail}
	}
	if groups["us-east-1"] != [2]int{2, 0} || groups["eu-west-1"] != [2]int{0, 1} {
		t.Errorf("compliance by region = %v", groups)
	}
	if after.MTTR.Resolved != 2 || after.MTTR.ByResolution["passed"] != 1 || after.MTTR.ByResolution["deleted"] != 1 {
		t.Errorf("resolved = %d %v, want nb-fix passed and nb-delete deleted", after.MTTR.Resolved, after.MTTR.ByResolution)
	}
	if m := after.MTTR.MeanHours; m == nil || *m != 72 || *after.MTTR.MedianHours != 72 {
		t.Errorf("MTTR mean %v median %v, want 72h", after.MTTR.MeanHours, after.MTTR.MedianHours)
	}
	// The out-of-scope notebook is neither resolved nor dropped: still open,
	// aged from the first scan.
	if after.Open.Count != 1 || after.Open.MeanHours == nil || *after.Open.MeanHours != 73 {
		t.Errorf("open = %+v, want nb-west open for 73h", after.Open)
	}
	if after.Keys.CustomerManaged != 1 || after.Cost.MonthlyUSD != 1 || len(after.Cost.ByCostCenter) != 1 ||
		after.Cost.ByCostCenter[0].CostCenter != "cc-ml-platform" {
		t.Errorf("keys %+v cost %+v, want one $1 key billed to cc-ml-platform", after.Keys, after.Cost)
	}

	// --no-store leaves the history as it was.
	out, _ = clockAt(t, t2.Add(time.Hour), append(scanArgs("us-east-1"), "--no-store")...)
	if strings.Contains(out, `"run_id"`) {
		t.Errorf("a --no-store scan reports a run id:\n%s", out)
	}
	histOut, _ := clockAt(t, t2, "history", "--db", db)
	if lines := strings.Count(strings.TrimSpace(histOut), "\n"); lines != 2 {
		t.Errorf("history lists %d runs, want 2:\n%s", lines, histOut)
	}
	diffOut, _ := clockAt(t, t2, "diff", "--db", db, "--format", "json")
	var diff struct {
		Diff struct {
			New, Changed, Unverified []struct {
				ResourceARN string `json:"resource_arn"`
			}
			Resolved []struct {
				ResourceARN string `json:"resource_arn"`
				Resolution  string
			}
		}
	}
	if err := json.Unmarshal([]byte(diffOut), &diff); err != nil {
		t.Fatalf("diff output: %v\n%s", err, diffOut)
	}
	resolved := map[string]string{}
	for _, r := range diff.Diff.Resolved {
		resolved[r.ResourceARN[strings.LastIndex(r.ResourceARN, "/")+1:]] = r.Resolution
	}
	if len(diff.Diff.New) != 0 || resolved["nb-fix"] != "passed" || resolved["nb-delete"] != "deleted" || len(resolved) != 2 ||
		len(diff.Diff.Unverified) != 1 || !strings.HasSuffix(diff.Diff.Unverified[0].ResourceARN, "/nb-west") {
		t.Errorf("diff = %+v", diff.Diff)
	}
}
