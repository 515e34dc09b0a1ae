package scan_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/scan"
)

// TestTagsInPagesMatchListTags: tags read in tag:GetResources pages give
// exactly the verdicts of a --full scan that reads every tag with ListTags,
// for a resource tagged, one never tagged, one whose tags were all
// removed, and one created seconds before the scan; and they cost fewer
// calls.
func TestTagsInPagesMatchListTags(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	ctx := context.Background()
	sm := sagemaker.NewFromConfig(cfg)
	tag := func(k, v string) smtypes.Tag { return smtypes.Tag{Key: aws.String(k), Value: aws.String(v)} }
	notebook := func(name string, tags ...smtypes.Tag) string {
		out, err := sm.CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String(name),
			InstanceType: smtypes.InstanceTypeMlT3Medium, RoleArn: aws.String("arn:aws:iam::" + account + ":role/sagemaker"), Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.NotebookInstanceArn)
	}
	for i := range 5 {
		notebook(fmt.Sprint("nb-tagged-", i), tag("owner", fmt.Sprint("team-", i)), tag("cost-center", "cc-1"))
	}
	notebook("nb-never")
	cleared := notebook("nb-cleared", tag("owner", "gone"))
	if _, err := sm.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(cleared), TagKeys: []string{"owner"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sm.CreateModel(ctx, &sagemaker.CreateModelInput{ModelName: aws.String("m"), ExecutionRoleArn: aws.String("arn:aws:iam::" + account + ":role/sagemaker"),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(account + ".dkr.ecr.us-east-1.amazonaws.com/x:1")}}); err != nil {
		t.Fatal(err)
	}
	// An endpoint config: with it, plain moto's GetResources answers 500.
	if _, err := sm.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{EndpointConfigName: aws.String("ec"),
		ProductionVariants: []smtypes.ProductionVariant{{VariantName: aws.String("v"), ModelName: aws.String("m"),
			InstanceType: smtypes.ProductionVariantInstanceTypeMlM5Large, InitialInstanceCount: aws.Int32(1)}},
		Tags: []smtypes.Tag{tag("owner", "hosting")}}); err != nil {
		t.Fatal(err)
	}
	notebook("nb-fresh", tag("owner", "new")) // seconds before the scans

	run := func(full bool, lag time.Duration) (map[string]string, map[string]int64) {
		t.Helper()
		res, err := scan.Run(ctx, scan.Options{AWS: awsclient.Options{EndpointURL: srv.URL(), Region: "us-east-1"}, Regions: []string{"us-east-1"},
			Settings: engine.Settings{RequiredTags: []string{"owner", "cost-center"}}, Concurrency: 4, Full: full, TagLag: lag})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Report.APICallNotes) > 0 {
			t.Errorf("api_calls notes: %v", res.Report.APICallNotes)
		}
		verdicts := map[string]string{}
		for _, f := range res.Report.Findings.All() {
			verdicts[f.CheckID+" "+f.Resource.ARN] = string(f.Status) + " " + f.Message
		}
		calls := map[string]int64{}
		for _, op := range res.Report.APICalls {
			calls[op.Operation] = op.Calls
		}
		return verdicts, calls
	}
	full, fullCalls := run(true, 0)
	paged, pagedCalls := run(false, time.Nanosecond)
	lagged, laggedCalls := run(false, time.Hour)
	for name, got := range map[string]map[string]string{"paged": paged, "created within the lag": lagged} {
		for k, v := range full {
			if got[k] != v {
				t.Errorf("%s: %s = %q, --full %q", name, k, got[k], v)
			}
		}
		if len(got) != len(full) {
			t.Errorf("%s: %d findings, --full %d", name, len(got), len(full))
		}
	}
	tagsChecks := 0
	for k := range full {
		if check, _, _ := strings.Cut(k, " "); slices.Contains([]string{"notebook-instance.tags", "endpoint-config.tags"}, check) {
			tagsChecks++
		}
	}
	if tagsChecks < 9 {
		t.Errorf("%d tags verdicts, want every notebook's and the config's", tagsChecks)
	}
	t.Logf("ListTags: --full %d, paged %d, lag 1h %d; GetResources: %d, %d, %d", fullCalls["sagemaker:ListTags"], pagedCalls["sagemaker:ListTags"],
		laggedCalls["sagemaker:ListTags"], fullCalls["tag:GetResources"], pagedCalls["tag:GetResources"], laggedCalls["tag:GetResources"])
	if fullCalls["tag:GetResources"] != 0 {
		t.Errorf("--full called tag:GetResources")
	}
	if pagedCalls["tag:GetResources"] == 0 || pagedCalls["sagemaker:ListTags"] >= fullCalls["sagemaker:ListTags"] {
		t.Errorf("paged tags saved nothing: ListTags %d vs --full %d", pagedCalls["sagemaker:ListTags"], fullCalls["sagemaker:ListTags"])
	}
	// Everything here was created within the hour: all of it read with
	// ListTags, as --full does.
	if laggedCalls["sagemaker:ListTags"] != fullCalls["sagemaker:ListTags"] {
		t.Errorf("within the lag: ListTags %d, --full %d", laggedCalls["sagemaker:ListTags"], fullCalls["sagemaker:ListTags"])
	}
}
