package cutover

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// motoAPI is the real SageMaker client against moto, with UpdateEndpoint
// (which moto does not implement) replaced by a function: by default it
// emulates SageMaker's effect on moto by recreating the endpoint on the new
// config; a test swaps it to inject a failure.
type motoAPI struct {
	*sm.Client
	update func(ctx context.Context, in *sm.UpdateEndpointInput) (*sm.UpdateEndpointOutput, error)
	calls  []string
}

func (m *motoAPI) UpdateEndpoint(ctx context.Context, in *sm.UpdateEndpointInput, _ ...func(*sm.Options)) (*sm.UpdateEndpointOutput, error) {
	m.calls = append(m.calls, "UpdateEndpoint")
	return m.update(ctx, in)
}

func (m *motoAPI) CreateEndpointConfig(ctx context.Context, in *sm.CreateEndpointConfigInput, o ...func(*sm.Options)) (*sm.CreateEndpointConfigOutput, error) {
	m.calls = append(m.calls, "CreateEndpointConfig")
	return m.Client.CreateEndpointConfig(ctx, in, o...)
}

func (m *motoAPI) DeleteEndpointConfig(ctx context.Context, in *sm.DeleteEndpointConfigInput, o ...func(*sm.Options)) (*sm.DeleteEndpointConfigOutput, error) {
	m.calls = append(m.calls, "DeleteEndpointConfig")
	return m.Client.DeleteEndpointConfig(ctx, in, o...)
}

// emulateUpdate does to moto what a completed UpdateEndpoint does to a real
// endpoint: same name, new config, InService.
func emulateUpdate(c *sm.Client) func(context.Context, *sm.UpdateEndpointInput) (*sm.UpdateEndpointOutput, error) {
	return func(ctx context.Context, in *sm.UpdateEndpointInput) (*sm.UpdateEndpointOutput, error) {
		if _, err := c.DeleteEndpoint(ctx, &sm.DeleteEndpointInput{EndpointName: in.EndpointName}); err != nil {
			return nil, err
		}
		out, err := c.CreateEndpoint(ctx, &sm.CreateEndpointInput{EndpointName: in.EndpointName, EndpointConfigName: in.EndpointConfigName})
		if err != nil {
			return nil, err
		}
		return &sm.UpdateEndpointOutput{EndpointArn: out.EndpointArn}, nil
	}
}

// seedEndpoint creates a model, an unkeyed config with data capture and
// async output, and endpoints serving from it.
func seedEndpoint(t *testing.T, c *sm.Client, endpoints ...string) {
	t.Helper()
	ctx := context.Background()
	steps := []func() error{
		func() error {
			_, err := c.CreateModel(ctx, &sm.CreateModelInput{ModelName: aws.String("model"),
				ExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/exec"),
				PrimaryContainer: &types.ContainerDefinition{Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1")}})
			return err
		},
		func() error {
			_, err := c.CreateEndpointConfig(ctx, &sm.CreateEndpointConfigInput{
				EndpointConfigName: aws.String("plain"),
				ProductionVariants: []types.ProductionVariant{{VariantName: aws.String("main"), ModelName: aws.String("model"),
					InstanceType: types.ProductionVariantInstanceTypeMlM5Large, InitialInstanceCount: aws.Int32(1)}},
				DataCaptureConfig: &types.DataCaptureConfig{DestinationS3Uri: aws.String("s3://capture/"), InitialSamplingPercentage: aws.Int32(10),
					CaptureOptions: []types.CaptureOption{{CaptureMode: types.CaptureModeInput}}},
				AsyncInferenceConfig: &types.AsyncInferenceConfig{OutputConfig: &types.AsyncInferenceOutputConfig{S3OutputPath: aws.String("s3://async/")}},
				Tags:                 []types.Tag{{Key: aws.String("team"), Value: aws.String("fraud")}},
			})
			return err
		},
	}
	for _, name := range endpoints {
		steps = append(steps, func() error {
			_, err := c.CreateEndpoint(ctx, &sm.CreateEndpointInput{EndpointName: aws.String(name), EndpointConfigName: aws.String("plain")})
			return err
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

func newMoto(t *testing.T, endpoints ...string) (*motoAPI, *sm.Client) {
	srv := mototest.ForTest(t)
	c := sm.NewFromConfig(mototest.Config(t, srv, "us-east-1"))
	seedEndpoint(t, c, endpoints...)
	return &motoAPI{Client: c, update: emulateUpdate(c)}, c
}

var testNow = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }

const newName = "plain-cmk-20261123120000"

func serving(t *testing.T, c *sm.Client, endpoint string) string {
	t.Helper()
	ep, err := c.DescribeEndpoint(context.Background(), &sm.DescribeEndpointInput{EndpointName: aws.String(endpoint)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(ep.EndpointConfigName)
}

func configExists(t *testing.T, c *sm.Client, name string) bool {
	t.Helper()
	_, err := c.DescribeEndpointConfig(context.Background(), &sm.DescribeEndpointConfigInput{EndpointConfigName: aws.String(name)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		t.Fatal(err)
	}
	return err == nil
}

func statuses(r Result) string {
	var s []string
	for _, st := range r.Steps {
		s = append(s, st.Status)
	}
	return strings.Join(s, ",")
}

func TestCutOverMovesTheEndpointOntoTheKey(t *testing.T) {
	api, c := newMoto(t, "fraud")
	verified := ""
	res := Run(context.Background(), api, Request{Endpoint: "fraud", KeyARN: key}, Options{PollInterval: time.Millisecond, Now: testNow,
		Verify: func(_ context.Context, arn string) error { verified = arn; return nil }})
	if !res.OK() || statuses(res) != "done,done,done,done,done,done" {
		t.Fatalf("cut-over did not complete: %+v", res)
	}
	if got := serving(t, c, "fraud"); got != newName {
		t.Errorf("endpoint serves from %q, want %q", got, newName)
	}
	if !strings.HasSuffix(verified, ":endpoint/fraud") {
		t.Errorf("verified %q, want the endpoint's ARN", verified)
	}
	cfg, err := c.DescribeEndpointConfig(context.Background(), &sm.DescribeEndpointConfigInput{EndpointConfigName: aws.String(newName)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.KmsKeyId) != key || aws.ToString(cfg.DataCaptureConfig.KmsKeyId) != key ||
		aws.ToString(cfg.AsyncInferenceConfig.OutputConfig.KmsKeyId) != key {
		t.Errorf("new config lacks a key: volume %q, capture %q, async %q", aws.ToString(cfg.KmsKeyId),
			aws.ToString(cfg.DataCaptureConfig.KmsKeyId), aws.ToString(cfg.AsyncInferenceConfig.OutputConfig.KmsKeyId))
	}
	if aws.ToString(cfg.DataCaptureConfig.DestinationS3Uri) != "s3://capture/" || len(cfg.ProductionVariants) != 1 {
		t.Errorf("settings were not copied: %+v", cfg)
	}
	if configExists(t, c, "plain") {
		t.Error("the old config was not deleted")
	}
}

// TestCutOverStopsSafelyWhenTheUpdateFails injects a failure half-way: the
// new config exists, UpdateEndpoint is refused. The endpoint must still
// serve from its old config, nothing after the failure may run, the old
// config must survive, and the result must say exactly that.
func TestCutOverStopsSafelyWhenTheUpdateFails(t *testing.T) {
	api, c := newMoto(t, "fraud")
	api.update = func(context.Context, *sm.UpdateEndpointInput) (*sm.UpdateEndpointOutput, error) {
		return nil, errors.New("ValidationException: injected failure")
	}
	res := Run(context.Background(), api, Request{Endpoint: "fraud", KeyARN: key}, Options{PollInterval: time.Millisecond, Now: testNow,
		Verify: func(context.Context, string) error { t.Error("verification ran after a failed update"); return nil }})
	if res.OK() || statuses(res) != "done,done,failed,not run,not run,not run" {
		t.Fatalf("steps = %s, want the update to fail and nothing after it to run: %+v", statuses(res), res)
	}
	if !strings.Contains(res.Error, "injected failure") || res.ServingConfig != "plain" {
		t.Errorf("result does not report the failure and the serving config: %+v", res)
	}
	if got := serving(t, c, "fraud"); got != "plain" {
		t.Errorf("endpoint serves from %q after a failed update, want the old config", got)
	}
	if !configExists(t, c, "plain") || !configExists(t, c, newName) {
		t.Error("the old config must survive and the created one must be reported, not silently deleted")
	}
	if len(res.Cleanup) != 1 || !strings.Contains(res.Cleanup[0], newName) {
		t.Errorf("cleanup = %v, want the unused new config named", res.Cleanup)
	}
	if want := "CreateEndpointConfig,UpdateEndpoint"; strings.Join(api.calls, ",") != want {
		t.Errorf("mutating calls = %v, want %s", api.calls, want)
	}
}

func TestCutOverKeepsTheOldConfigWhenVerificationFails(t *testing.T) {
	api, c := newMoto(t, "fraud")
	res := Run(context.Background(), api, Request{Endpoint: "fraud", KeyARN: key}, Options{PollInterval: time.Millisecond, Now: testNow,
		Verify: func(context.Context, string) error { return errors.New("endpoint.cmk is FAIL") }})
	if res.OK() || statuses(res) != "done,done,done,done,failed,not run" {
		t.Fatalf("steps = %s: %+v", statuses(res), res)
	}
	if !configExists(t, c, "plain") {
		t.Error("the old config was deleted although verification failed")
	}
	if len(res.Cleanup) == 0 || !strings.Contains(strings.Join(res.Cleanup, "\n"), "roll back") {
		t.Errorf("cleanup = %v, want a rollback command", res.Cleanup)
	}
}

func TestCutOverKeepsAConfigAnotherEndpointUses(t *testing.T) {
	api, c := newMoto(t, "fraud", "fraud-canary")
	res := Run(context.Background(), api, Request{Endpoint: "fraud", KeyARN: key}, Options{PollInterval: time.Millisecond, Now: testNow,
		Verify: func(context.Context, string) error { return nil }})
	if !res.OK() || res.Steps[5].Status != Skipped || !strings.Contains(res.Steps[5].Detail, "fraud-canary") {
		t.Fatalf("delete step = %+v, want it skipped because fraud-canary uses the config", res.Steps[5])
	}
	if !configExists(t, c, "plain") || serving(t, c, "fraud-canary") != "plain" {
		t.Error("the shared config was deleted or the other endpoint moved")
	}
}
