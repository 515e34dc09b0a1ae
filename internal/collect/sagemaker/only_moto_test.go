package sagemaker_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/sagekey/sagekey/internal/collect"
	collectsm "github.com/sagekey/sagekey/internal/collect/sagemaker"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// opRecorder records the name of every operation the client sends.
type opRecorder struct {
	mu  sync.Mutex
	ops map[string]int
}

func (r *opRecorder) option(o *sm.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("recordOperation",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				r.mu.Lock()
				r.ops[awsmiddleware.GetOperationName(ctx)]++
				r.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

func (r *opRecorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for op := range r.ops {
		out = append(out, op)
	}
	slices.Sort(out)
	return out
}

// withProfiles serves user profiles, which moto 5.2.1 does not implement
// (neither CreateUserProfile nor DescribeUserProfile, and its ListTags
// fails on their ARNs), from a table: DescribeUserProfile, and ListTags of
// a profile's ARN. Every other call, the profile's DescribeDomain
// included, goes to moto.
type withProfiles struct {
	collectsm.FullAPI
	rec      *opRecorder
	profiles map[string]*sm.DescribeUserProfileOutput // by "<domain id>/<name>"
	tags     map[string][]types.Tag                   // by profile ARN
}

func (w withProfiles) ListTags(ctx context.Context, in *sm.ListTagsInput, optFns ...func(*sm.Options)) (*sm.ListTagsOutput, error) {
	if tags, ok := w.tags[aws.ToString(in.ResourceArn)]; ok {
		w.rec.mu.Lock()
		w.rec.ops["ListTags"]++
		w.rec.mu.Unlock()
		return &sm.ListTagsOutput{Tags: tags}, nil
	}
	return w.FullAPI.ListTags(ctx, in, optFns...)
}

func (w withProfiles) DescribeUserProfile(_ context.Context, in *sm.DescribeUserProfileInput, _ ...func(*sm.Options)) (*sm.DescribeUserProfileOutput, error) {
	w.rec.mu.Lock()
	w.rec.ops["DescribeUserProfile"]++
	w.rec.mu.Unlock()
	if out, ok := w.profiles[aws.ToString(in.DomainId)+"/"+aws.ToString(in.UserProfileName)]; ok {
		return out, nil
	}
	return nil, &types.ResourceNotFound{Message: aws.String("User profile does not exist")}
}

// TestOnlyAgainstMoto runs every collector with Target.Only naming a
// subset of a seeded estate, plus a notebook that does not exist: exactly
// the named resources come back, with their slots and tags, no List or
// Search call is made, and the missing one is neither a resource nor a gap.
func TestOnlyAgainstMoto(t *testing.T) {
	ctx := context.Background()
	srv := mototest.ForTest(t)
	rec := &opRecorder{ops: map[string]int{}}
	seeder := sm.NewFromConfig(mototest.Config(t, srv, region))
	client := sm.NewFromConfig(mototest.Config(t, srv, region), rec.option)
	seed(ctx, t, seeder) // nb (alias/notebooks), model, cfg, ep, orphan, training job "job", cluster hp

	must[*sm.CreateNotebookInstanceOutput](t, "CreateNotebookInstance plain")(seeder.CreateNotebookInstance(ctx, &sm.CreateNotebookInstanceInput{
		NotebookInstanceName: aws.String("nb-plain"), InstanceType: types.InstanceTypeMlT2Medium, RoleArn: aws.String(role),
	}))
	must[*sm.CreateNotebookInstanceOutput](t, "CreateNotebookInstance unnamed")(seeder.CreateNotebookInstance(ctx, &sm.CreateNotebookInstanceInput{
		NotebookInstanceName: aws.String("nb-unnamed"), InstanceType: types.InstanceTypeMlT2Medium, RoleArn: aws.String(role),
		KmsKeyId: aws.String("alias/other"),
	}))
	processing := func(name string) {
		must[*sm.CreateProcessingJobOutput](t, "CreateProcessingJob "+name)(seeder.CreateProcessingJob(ctx, &sm.CreateProcessingJobInput{
			ProcessingJobName: aws.String(name),
			AppSpecification:  &types.AppSpecification{ImageUri: aws.String(image)},
			RoleArn:           aws.String(role),
			ProcessingResources: &types.ProcessingResources{ClusterConfig: &types.ProcessingClusterConfig{
				InstanceCount: aws.Int32(1), InstanceType: types.ProcessingInstanceTypeMlM5Large,
				VolumeSizeInGB: aws.Int32(10), VolumeKmsKeyId: aws.String("alias/proc-volume"),
			}},
			ProcessingOutputConfig: &types.ProcessingOutputConfig{
				KmsKeyId: aws.String("alias/proc-output"),
				Outputs: []types.ProcessingOutput{{OutputName: aws.String("out"), S3Output: &types.ProcessingS3Output{
					S3Uri: aws.String("s3://proc/out"), LocalPath: aws.String("/opt/ml/processing/output"),
					S3UploadMode: types.ProcessingS3UploadModeEndOfJob,
				}}},
			},
			StoppingCondition: &types.ProcessingStoppingCondition{MaxRuntimeInSeconds: aws.Int32(60)},
			Tags:              tags("team", "etl"),
		}))
	}
	processing("proc")
	processing("proc-unnamed")
	domain := must[*sm.CreateDomainOutput](t, "CreateDomain")(seeder.CreateDomain(ctx, &sm.CreateDomainInput{
		DomainName: aws.String("studio"), AuthMode: types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String(role)},
		SubnetIds:           []string{"subnet-1"}, VpcId: aws.String("vpc-1"),
	}))
	_, domainID, _ := strings.Cut(aws.ToString(domain.DomainArn), ":domain/")
	profileARN := arn("user-profile", domainID+"/alice")

	api := withProfiles{FullAPI: client, rec: rec, tags: map[string][]types.Tag{profileARN: tags("owner", "alice")}, profiles: map[string]*sm.DescribeUserProfileOutput{
		domainID + "/alice": {
			UserProfileArn: aws.String(profileARN), UserProfileName: aws.String("alice"), DomainId: aws.String(domainID),
			CreationTime: aws.Time(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
			UserSettings: &types.UserSettings{SharingSettings: &types.SharingSettings{
				NotebookOutputOption: types.NotebookOutputOptionAllowed,
				S3OutputPath:         aws.String("s3://shared/alice/"), S3KmsKeyId: aws.String("alias/sharing"),
			}},
		},
	}}
	target := collect.Target{Account: account, Region: region, Only: []collect.Ref{
		{Kind: "notebook-instance", Name: "nb"},
		{Kind: "notebook-instance", Name: "nb-plain", ARN: arn("notebook-instance", "nb-plain")},
		{Kind: "notebook-instance", Name: "no-such-notebook"},
		{Kind: "endpoint", Name: "ep"},
		{Kind: "training-job", Name: "job"},
		{Kind: "processing-job", Name: "proc"},
		{Kind: "user-profile", Name: "alice", Parent: domainID},
	}}
	sink := &collect.MemorySink{}
	collect.Run(ctx, collect.JobsFor(target, collectsm.AllCollectors(api)), 4, sink)
	inv := sink.Inventory()

	res := func(kind, name, source string, tags map[string]string, slots ...inventory.Slot) inventory.Resource {
		return inventory.Resource{Kind: kind, ARN: arn(kind, name), Name: name, Account: account, Region: region,
			Tags: tags, Source: source, Slots: slots, ExecutionRoles: []string{role}}
	}
	volume := func(key string) inventory.Slot {
		return inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: key}
	}
	endpoint := res("endpoint", "ep", "sagemaker:DescribeEndpoint+DescribeEndpointConfig", map[string]string{"env": "prod"},
		inventory.Slot{Type: "volume", Name: "config:volume", Label: "config cfg: ML storage volume", KeyRef: "alias/hosting",
			InstanceTypes: []string{"ml.g4dn.xlarge"}},
		inventory.Slot{Type: "data-capture", Name: "config:data-capture", Label: "config cfg: data capture", KeyRef: "alias/capture",
			OutputURI: "s3://capture/"},
		inventory.Slot{Type: "async-output", Name: "config:async-output", Label: "config cfg: async inference output",
			OutputURI: "s3://async/"},
		inventory.Slot{Type: "core-dump", Name: "config:core-dump:main", Label: "config cfg: variant main: core dumps",
			KeyRef: "alias/dumps", OutputURI: "s3://dumps/main"},
	)
	endpoint.Attributes = map[string]string{inventory.AttrEndpointConfig: "cfg"}
	profile := inventory.Resource{Kind: "user-profile", ARN: profileARN, Name: domainID + "/alice", Account: account, Region: region,
		Source: "sagemaker:DescribeUserProfile+DescribeDomain", ExecutionRoles: []string{role}, Tags: map[string]string{"owner": "alice"},
		Slots: []inventory.Slot{{Type: "sharing-output", Name: "sharing-output", Label: "shared notebook snapshots in S3",
			KeyRef: "alias/sharing", OutputURI: "s3://shared/alice/"}}}
	want := []inventory.Resource{
		endpoint,
		res("notebook-instance", "nb", "sagemaker:DescribeNotebookInstance", map[string]string{"owner": "ml-team"}, volume("alias/notebooks")),
		res("notebook-instance", "nb-plain", "sagemaker:DescribeNotebookInstance", nil, volume("")),
		res("processing-job", "proc", "sagemaker:DescribeProcessingJob", map[string]string{"team": "etl"},
			// moto's DescribeProcessingJob omits ProcessingResources (as in
			// TestJobCollectorsAgainstMoto).
			inventory.Slot{Type: "volume", Name: "volume", Label: "ML storage volume",
				Unknown: "ProcessingResources not returned by DescribeProcessingJob; the volume key cannot be verified"},
			inventory.Slot{Type: "output", Name: "output", Label: "processing output in S3", KeyRef: "alias/proc-output",
				OutputURI: "s3://proc/out"}),
		res("training-job", "job", "sagemaker:DescribeTrainingJob", map[string]string{"team": "research"}, trainingSlots...),
		profile,
	}
	assertEqual(t, "resources", withoutTimes(t, inv.Resources), want)
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})

	// Nothing listed or searched; the endpoint's config and model were read
	// for its slots and roles, the profile's domain for its default role.
	assertEqual(t, "operations", rec.names(), []string{
		"DescribeDomain", "DescribeEndpoint", "DescribeEndpointConfig", "DescribeModel", "DescribeNotebookInstance",
		"DescribeProcessingJob", "DescribeTrainingJob", "DescribeUserProfile", "ListTags",
	})
	assertEqual(t, "DescribeNotebookInstance calls", rec.ops["DescribeNotebookInstance"], 3)
}
