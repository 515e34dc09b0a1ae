package remediate

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// TestTrainingCloneScriptAgainstMoto runs the generated script of a
// training-job plan with the real AWS CLI against moto_server and checks
// that the clone exists with both keys and the original's tags.
func TestTrainingCloneScriptAgainstMoto(t *testing.T) {
	bash := needBash(t)
	for _, tool := range []string{"aws", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skip("python3 has no botocore")
	}
	const region, account = "us-east-1", "123456789012"
	ctx := context.Background()
	srv := mototest.ForTest(t)
	cfg := mototest.Config(t, srv, region)
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	c := sm.NewFromConfig(cfg)
	created, err := c.CreateTrainingJob(ctx, &sm.CreateTrainingJobInput{
		TrainingJobName: aws.String("train-ebs"),
		AlgorithmSpecification: &types.AlgorithmSpecification{TrainingInputMode: types.TrainingInputModeFile,
			TrainingImage: aws.String(account + ".dkr.ecr.us-east-1.amazonaws.com/algo:1")},
		RoleArn:          aws.String("arn:aws:iam::" + account + ":role/sagemaker"),
		OutputDataConfig: &types.OutputDataConfig{S3OutputPath: aws.String("s3://models/out")},
		ResourceConfig: &types.ResourceConfig{InstanceType: types.TrainingInstanceTypeMlM5Xlarge,
			InstanceCount: aws.Int32(1), VolumeSizeInGB: aws.Int32(10)},
		StoppingCondition: &types.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(60)},
		Tags:              []types.Tag{{Key: aws.String("owner"), Value: aws.String("ml-platform")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	jobARN := aws.ToString(created.TrainingJobArn)
	slots := []inventory.Slot{
		{Type: "volume", Name: "volume", InstanceTypes: []string{"ml.m5.xlarge"}},
		{Type: "output", Name: "output", OutputURI: "s3://models/out"},
	}
	in := Input{
		Inventory: inventory.Inventory{Resources: []inventory.Resource{{Kind: "training-job", ARN: jobARN,
			Name: "train-ebs", Account: account, Region: region, Slots: slots}}},
		Findings: []finding.Finding{{CheckID: "training-job.cmk", Status: finding.Fail, Severity: finding.High,
			Resource: finding.Resource{ARN: jobARN, Kind: "training-job", Name: "train-ebs", Account: account, Region: region},
			Slots:    []finding.Slot{{Name: "volume", Status: finding.Fail}, {Name: "output", Status: finding.Fail}}}},
	}
	p := Build(in, Options{TargetKeys: map[string]string{region: keyARN}})
	var script bytes.Buffer
	if err := WriteShell(&script, &p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.sh")
	if err := os.WriteFile(path, script.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, path)
	// Only fake credentials and the emulator: no profile or real
	// credentials from the environment may leak into the run.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION="+region, "AWS_ENDPOINT_URL="+srv.URL(), "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "SAGEKEY_WORKDIR="+filepath.Join(dir, "work"))
	cmd.Stdin = strings.NewReader("") // no "yes": the re-encryption is skipped
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, out)
	}
	clone, err := c.DescribeTrainingJob(ctx, &sm.DescribeTrainingJobInput{TrainingJobName: aws.String("train-ebs-cmk")})
	if err != nil {
		t.Fatalf("clone not created: %v\nscript output:\n%s", err, out)
	}
	if v := aws.ToString(clone.ResourceConfig.VolumeKmsKeyId); v != keyARN {
		t.Errorf("clone volume key = %q, want %q", v, keyARN)
	}
	if v := aws.ToString(clone.OutputDataConfig.KmsKeyId); v != keyARN {
		t.Errorf("clone output key = %q, want %q", v, keyARN)
	}
	tags, err := c.ListTags(ctx, &sm.ListTagsInput{ResourceArn: clone.TrainingJobArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "ml-platform" {
		t.Errorf("clone tags = %+v, %v; want the original's", tags, err)
	}
	if !strings.Contains(string(out), "skipped: ") {
		t.Errorf("the re-encryption ran without a yes:\n%s", out)
	}
}
