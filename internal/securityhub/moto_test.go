package securityhub

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/report"
)

// TestImportIntoMoto imports the report fixture's ASFF findings (the
// golden file the report package writes) into a real moto_server through
// clients built like the CLI builds them, and reads them back.
func TestImportIntoMoto(t *testing.T) {
	// The fixture's findings belong to 111122223333; moto answers as the
	// account MOTO_ACCOUNT_ID names, and the server inherits it.
	t.Setenv("MOTO_ACCOUNT_ID", account)
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	ctx := context.Background()
	cfg, err := awsclient.Load(ctx, awsclient.Options{Region: "us-east-1", EndpointURL: srv.URL(), MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := awsclient.Identity(ctx, cfg)
	if err != nil || caller.Account != account {
		t.Fatalf("caller %+v, err %v; want account %s", caller, err, account)
	}
	meter := awsclient.NewMeter()
	cfg = awsclient.Instrument(cfg, meter, nil)

	fixture := readFixture(t)
	// One finding moved to another region, one of another account.
	west := moved(fixture[0], "us-east-1", "eu-west-1")
	other := moved(fixture[1], account, "444455556666")
	all := append(append([]report.ASFFFinding{}, fixture...), west, other)

	// Moto, like Security Hub before it is enabled in a region, needs no
	// setup: its BatchImportFindings stores findings unconditionally.
	res, err := Import(ctx, RegionalClients(cfg), all, Options{Account: caller.Account})
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want ErrIncomplete for the other account's finding", err)
	}
	if res.Imported != len(fixture)+1 || len(res.Failed) != 1 || res.Failed[0].Id != other.Id || res.Failed[0].ErrorCode != CodeOtherAccount {
		t.Fatalf("result %+v", res)
	}
	checkStored(t, ctx, cfg, "us-east-1", fixture)
	checkStored(t, ctx, cfg, "eu-west-1", []report.ASFFFinding{west})

	// A second scan imports the same ids: the findings are updated in
	// place, not duplicated.
	again, err := Import(ctx, RegionalClients(cfg), fixture, Options{Account: caller.Account})
	if err != nil || again.Imported != len(fixture) {
		t.Fatalf("re-import: %+v, %v", again, err)
	}
	checkStored(t, ctx, cfg, "us-east-1", fixture)

	// Every request went through the instrumented configuration and is
	// booked under its operation (the meter must run after the module
	// names the operation), none as a retry.
	booked := map[string]awsclient.OperationCalls{}
	for _, op := range meter.Operations() {
		booked[op.Operation] = op
	}
	imports := booked["securityhub:BatchImportFindings"]
	if imports.Calls != int64(res.Batches+again.Batches) || imports.Retries != 0 || len(booked) != 2 {
		t.Errorf("meter booked %+v, import made %d requests (and the test's GetFindings reads)", booked, res.Batches+again.Batches)
	}
}

func readFixture(t *testing.T) []report.ASFFFinding {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "report", "testdata", "report.asff"))
	if err != nil {
		t.Fatal(err)
	}
	var fs []report.ASFFFinding
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 {
		t.Fatal("the fixture has no ASFF findings")
	}
	return fs
}

// moved is a copy of f with from replaced by to in its identity: the id,
// the ProductArn, the account and the resource.
func moved(f report.ASFFFinding, from, to string) report.ASFFFinding {
	f.Id += "-" + to
	f.ProductArn = strings.ReplaceAll(f.ProductArn, from, to)
	f.AwsAccountId = strings.ReplaceAll(f.AwsAccountId, from, to)
	res := f.Resources[0]
	res.Id = strings.ReplaceAll(res.Id, from, to)
	res.Region = strings.ReplaceAll(res.Region, from, to)
	f.Resources = []report.ASFFResource{res}
	return f
}

// checkStored reads region's findings back and compares them with want.
func checkStored(t *testing.T, ctx context.Context, cfg aws.Config, region string, want []report.ASFFFinding) {
	t.Helper()
	client := securityhub.NewFromConfig(cfg, func(o *securityhub.Options) { o.Region = region })
	got := map[string]types.AwsSecurityFinding{}
	pages := securityhub.NewGetFindingsPaginator(client, &securityhub.GetFindingsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("%s: GetFindings: %v", region, err)
		}
		for _, f := range page.Findings {
			got[aws.ToString(f.Id)] = f
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d findings stored, want %d", region, len(got), len(want))
	}
	for _, w := range want {
		g, ok := got[w.Id]
		if !ok {
			t.Errorf("%s: %s not stored", region, w.Id)
			continue
		}
		if string(g.Severity.Label) != w.Severity.Label ||
			string(g.Compliance.Status) != w.Compliance.Status ||
			string(g.Workflow.Status) != w.Workflow.Status ||
			aws.ToString(g.ProductArn) != w.ProductArn ||
			aws.ToString(g.Resources[0].Id) != w.Resources[0].Id ||
			string(g.FindingProviderFields.Severity.Label) != w.Severity.Label {
			t.Errorf("%s: %s stored as severity %s, compliance %s, workflow %s, product %s",
				region, w.Id, g.Severity.Label, g.Compliance.Status, g.Workflow.Status, aws.ToString(g.ProductArn))
		}
	}
}
