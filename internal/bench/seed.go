package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/sync/errgroup"
)

// keySlotsSeeded is how many key references the seeder writes on a keyed
// resource of kind (see the request shapes below). Endpoints carry none of
// their own: they run an endpoint config.
func keySlotsSeeded(kind string) int {
	switch kind {
	case KindTrainingJob:
		return 2 // ResourceConfig.VolumeKmsKeyId, OutputDataConfig.KmsKeyId
	case KindNotebook, KindEndpointConfig:
		return 1 // KmsKeyId
	case KindProcessingJob:
		return 1 // ProcessingOutputConfig.KmsKeyId (moto drops ProcessingResources, so no volume key)
	case KindCluster:
		return 2 // root and secondary EBS volume of its one instance group
	}
	return 0
}

// SeededEstate is an estate that exists in the emulator.
type SeededEstate struct {
	Estate
	Account string
	// KeyARNs holds each region's keys, indexed like PlannedResource.KeyIndex.
	KeyARNs map[string][]string
	// RoleARNs are the execution roles, indexed by RoleWithKMS and
	// RoleWithoutKMS.
	RoleARNs [len(benchRoleNames)]string
	// IAM is what GetAccountAuthorizationDetails lists after seeding.
	IAM IAMListing

	processingOnce sync.Once
	processing     map[string]string // region/name → volume key ARN
}

// BoundInput is the planned estate's bound input plus what the emulator
// told: the account's IAM listing, which a scan reads when any resource
// runs as a role.
func (s *SeededEstate) BoundInput() BoundInput {
	in := s.Estate.BoundInput()
	if s.NamesRoles() {
		l := s.IAM
		in.IAM = &l
	}
	return in
}

// Seed creates est through the AWS SDK with at most concurrency requests in
// flight. cfgFor returns the SDK configuration for a region (pointing at
// moto directly, not through the proxy: seeding is not measured). IAM roles
// and keys come first, then the models and endpoint configs, then
// everything that refers to them; each stage runs its requests
// concurrently. Last, the account's IAM listing is measured.
func Seed(ctx context.Context, cfgFor func(region string) aws.Config, est Estate, concurrency int, log *slog.Logger) (*SeededEstate, error) {
	if len(est.Regions) == 0 {
		return nil, fmt.Errorf("bench: seed: empty estate")
	}
	id, err := sts.NewFromConfig(cfgFor(est.Regions[0].Region)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("bench: seed: get caller identity: %w", err)
	}
	s := &seeder{
		cfgFor: cfgFor,
		out:    &SeededEstate{Estate: est, Account: aws.ToString(id.Account), KeyARNs: map[string][]string{}},
	}
	for _, r := range est.Regions {
		s.out.KeyARNs[r.Region] = make([]string, r.Keys)
	}
	iamAPI := iam.NewFromConfig(cfgFor(est.Regions[0].Region)) // IAM is global
	stages := []struct {
		name string
		fn   func(ctx context.Context, g *errgroup.Group)
	}{
		{"IAM roles", func(ctx context.Context, g *errgroup.Group) { g.Go(func() error { return s.seedIAM(ctx, iamAPI) }) }},
		{"KMS keys", s.keys},
		{"models", s.models},
		{"endpoint configs", s.endpointConfigs},
		{"endpoints, notebooks, training and processing jobs and clusters", s.rest},
	}
	for _, st := range stages {
		start := time.Now()
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(concurrency)
		st.fn(gctx, g)
		if err := g.Wait(); err != nil {
			return nil, fmt.Errorf("bench: seed %s: %w", st.name, err)
		}
		log.Info("seeded", "stage", st.name, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	if s.out.IAM, err = measureIAM(ctx, iamAPI); err != nil {
		return nil, fmt.Errorf("bench: seed: %w", err)
	}
	return s.out, nil
}

type seeder struct {
	cfgFor func(region string) aws.Config
	out    *SeededEstate
}

func (s *seeder) keys(ctx context.Context, g *errgroup.Group) {
	for _, r := range s.out.Regions {
		kc := kms.NewFromConfig(s.cfgFor(r.Region))
		for i := range r.Keys {
			g.Go(func() error {
				out, err := kc.CreateKey(ctx, &kms.CreateKeyInput{
					Description: aws.String(fmt.Sprintf("bench key %d", i)),
					KeySpec:     kmstypes.KeySpecSymmetricDefault,
					KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
					Tags: []kmstypes.Tag{
						{TagKey: aws.String("owner"), TagValue: aws.String(owner(i))},
						{TagKey: aws.String("cost-center"), TagValue: aws.String(costCenter(i))},
					},
				})
				if err != nil {
					return fmt.Errorf("create key %d in %s: %w", i, r.Region, err)
				}
				// Each goroutine writes its own index: no lock needed.
				s.out.KeyARNs[r.Region][i] = aws.ToString(out.KeyMetadata.Arn)
				return nil
			})
		}
	}
}

func (s *seeder) models(ctx context.Context, g *errgroup.Group) {
	for _, r := range s.out.Regions {
		sm := sagemaker.NewFromConfig(s.cfgFor(r.Region))
		for _, m := range r.Models {
			g.Go(func() error { return s.createModel(ctx, sm, r.Region, m) })
		}
	}
}

func (s *seeder) endpointConfigs(ctx context.Context, g *errgroup.Group) {
	for _, r := range s.out.Regions {
		sm := sagemaker.NewFromConfig(s.cfgFor(r.Region))
		for j, c := range r.Resources[KindEndpointConfig] {
			in := &sagemaker.CreateEndpointConfigInput{
				EndpointConfigName: aws.String(c.Name),
				ProductionVariants: []smtypes.ProductionVariant{{
					VariantName:          aws.String("primary"),
					ModelName:            aws.String(r.Models[c.ModelIndex].Name),
					InstanceType:         smtypes.ProductionVariantInstanceTypeMlM5Large, // EBS-backed
					InitialInstanceCount: aws.Int32(1),
					InitialVariantWeight: aws.Float32(1),
				}},
				KmsKeyId: s.keyFor(r.Region, c),
				Tags:     smTags(j),
			}
			g.Go(func() error {
				_, err := sm.CreateEndpointConfig(ctx, in)
				return wrapCreate(err, c.Name, r.Region)
			})
		}
	}
}

// createModel creates a model running as its planned role: the endpoint
// configs that serve it, and their endpoints, run as that role.
func (s *seeder) createModel(ctx context.Context, sm *sagemaker.Client, region string, m PlannedModel) error {
	_, err := sm.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName:        aws.String(m.Name),
		ExecutionRoleArn: aws.String(s.out.RoleARNs[m.Role]),
		PrimaryContainer: &smtypes.ContainerDefinition{
			Image:        aws.String(s.image(region)),
			ModelDataUrl: aws.String(s.bucket(region) + "/models/" + m.Name + "/model.tar.gz"),
		},
	})
	return wrapCreate(err, m.Name, region)
}

// rest creates the resources that only depend on keys and configs.
func (s *seeder) rest(ctx context.Context, g *errgroup.Group) {
	for _, r := range s.out.Regions {
		sm := sagemaker.NewFromConfig(s.cfgFor(r.Region))
		configs := r.Resources[KindEndpointConfig]
		for j, e := range r.Resources[KindEndpoint] {
			g.Go(func() error {
				_, err := sm.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{
					EndpointName:       aws.String(e.Name),
					EndpointConfigName: aws.String(configs[e.ConfigIndex].Name),
					Tags:               smTags(j),
				})
				return wrapCreate(err, e.Name, r.Region)
			})
		}
		for j, nb := range r.Resources[KindNotebook] {
			g.Go(func() error {
				_, err := sm.CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{
					NotebookInstanceName: aws.String(nb.Name),
					InstanceType:         smtypes.InstanceTypeMlT3Medium,
					RoleArn:              aws.String(s.out.RoleARNs[nb.Role]),
					VolumeSizeInGB:       aws.Int32(20),
					KmsKeyId:             s.keyFor(r.Region, nb),
					Tags:                 smTags(j),
				})
				return wrapCreate(err, nb.Name, r.Region)
			})
		}
		for j, job := range r.Resources[KindTrainingJob] {
			g.Go(func() error {
				_, err := sm.CreateTrainingJob(ctx, s.trainingJob(r.Region, j, job))
				return wrapCreate(err, job.Name, r.Region)
			})
		}
		for j, job := range r.Resources[KindProcessingJob] {
			g.Go(func() error {
				_, err := sm.CreateProcessingJob(ctx, s.processingJob(r.Region, j, job))
				return wrapCreate(err, job.Name, r.Region)
			})
		}
		for j, c := range r.Resources[KindCluster] {
			g.Go(func() error {
				_, err := sm.CreateCluster(ctx, s.cluster(r.Region, j, c))
				return wrapCreate(err, c.Name, r.Region)
			})
		}
	}
}

func (s *seeder) trainingJob(region string, j int, job PlannedResource) *sagemaker.CreateTrainingJobInput {
	key := s.keyFor(region, job)
	return &sagemaker.CreateTrainingJobInput{
		TrainingJobName: aws.String(job.Name),
		RoleArn:         aws.String(s.out.RoleARNs[job.Role]),
		AlgorithmSpecification: &smtypes.AlgorithmSpecification{
			TrainingImage:     aws.String(s.image(region)),
			TrainingInputMode: smtypes.TrainingInputModeFile,
		},
		InputDataConfig: []smtypes.Channel{{
			ChannelName: aws.String("train"),
			DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{
				S3DataType: smtypes.S3DataTypeS3Prefix,
				S3Uri:      aws.String(s.bucket(region) + "/datasets/" + job.Name + "/train/"),
			}},
		}},
		OutputDataConfig: &smtypes.OutputDataConfig{
			S3OutputPath: aws.String(s.bucket(region) + "/training-output/"),
			KmsKeyId:     key,
		},
		ResourceConfig: &smtypes.ResourceConfig{
			InstanceType:   smtypes.TrainingInstanceTypeMlM5Large, // EBS-backed: the volume slot applies
			InstanceCount:  aws.Int32(1),
			VolumeSizeInGB: aws.Int32(50),
			VolumeKmsKeyId: key,
		},
		StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
		Tags:              smTags(j),
	}
}

// The one instance of every seeded processing job.
const (
	processingInstanceType = smtypes.ProcessingInstanceTypeMlM5Large // EBS-backed: the volume slot applies
	processingVolumeGB     = 30
)

// processingJob is a one-instance processing job writing one S3 output,
// its volume and output encrypted with the planned key. moto drops
// ProcessingResources (the volume key) from what it stores; the proxy puts
// it back (ProcessingResources, Proxy.RestoreProcessingResources).
func (s *seeder) processingJob(region string, j int, job PlannedResource) *sagemaker.CreateProcessingJobInput {
	return &sagemaker.CreateProcessingJobInput{
		ProcessingJobName: aws.String(job.Name),
		RoleArn:           aws.String(s.out.RoleARNs[job.Role]),
		AppSpecification:  &smtypes.AppSpecification{ImageUri: aws.String(s.image(region))},
		ProcessingResources: &smtypes.ProcessingResources{ClusterConfig: &smtypes.ProcessingClusterConfig{
			InstanceType:   processingInstanceType,
			InstanceCount:  aws.Int32(1),
			VolumeSizeInGB: aws.Int32(processingVolumeGB),
			VolumeKmsKeyId: s.keyFor(region, job),
		}},
		ProcessingOutputConfig: &smtypes.ProcessingOutputConfig{
			KmsKeyId: s.keyFor(region, job),
			Outputs: []smtypes.ProcessingOutput{{
				OutputName: aws.String("out"),
				S3Output: &smtypes.ProcessingS3Output{
					S3Uri:        aws.String(s.bucket(region) + "/processing-output/" + job.Name + "/"),
					LocalPath:    aws.String("/opt/ml/processing/output"),
					S3UploadMode: smtypes.ProcessingS3UploadModeEndOfJob,
				},
			}},
		},
		StoppingCondition: &smtypes.ProcessingStoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
		Tags:              smTags(j),
	}
}

// ProcessingResources returns, in awsJson wire form, the ProcessingResources
// the seeder created the processing job name of region with; false when
// the estate has no such job.
func (s *SeededEstate) ProcessingResources(region, name string) (json.RawMessage, bool) {
	s.processingOnce.Do(s.indexProcessing)
	key, ok := s.processing[region+"/"+name]
	if !ok {
		return nil, false
	}
	type clusterConfig struct {
		InstanceCount  int32  `json:"InstanceCount"`
		InstanceType   string `json:"InstanceType"`
		VolumeKmsKeyId string `json:"VolumeKmsKeyId,omitempty"`
		VolumeSizeInGB int32  `json:"VolumeSizeInGB"`
	}
	out, err := json.Marshal(struct {
		ClusterConfig clusterConfig `json:"ClusterConfig"`
	}{clusterConfig{1, string(processingInstanceType), key, processingVolumeGB}})
	return out, err == nil
}

// indexProcessing maps region/name to the volume key ARN ("" for none) of
// every planned processing job.
func (s *SeededEstate) indexProcessing() {
	m := map[string]string{}
	for _, r := range s.Regions {
		for _, job := range r.Resources[KindProcessingJob] {
			key := ""
			if job.KeyIndex >= 0 {
				key = s.KeyARNs[r.Region][job.KeyIndex]
			}
			m[r.Region+"/"+job.Name] = key
		}
	}
	s.processing = m
}

// cluster is a one-group HyperPod cluster. A keyed one encrypts its root
// and secondary EBS volumes; the other has an unencrypted secondary volume.
// moto requires ThreadsPerCore and a lifecycle script under s3://sagemaker-.
func (s *seeder) cluster(region string, j int, c PlannedResource) *sagemaker.CreateClusterInput {
	key := s.keyFor(region, c)
	storage := []smtypes.ClusterInstanceStorageConfig{
		&smtypes.ClusterInstanceStorageConfigMemberEbsVolumeConfig{Value: smtypes.ClusterEbsVolumeConfig{
			VolumeSizeInGB: aws.Int32(100),
			VolumeKmsKeyId: key,
		}},
	}
	if key != nil {
		storage = append(storage, &smtypes.ClusterInstanceStorageConfigMemberEbsVolumeConfig{Value: smtypes.ClusterEbsVolumeConfig{
			RootVolume:     aws.Bool(true),
			VolumeKmsKeyId: key,
		}})
	}
	return &sagemaker.CreateClusterInput{
		ClusterName: aws.String(c.Name),
		InstanceGroups: []smtypes.ClusterInstanceGroupSpecification{{
			InstanceGroupName: aws.String("workers"),
			InstanceType:      smtypes.ClusterInstanceTypeMlM5Large,
			InstanceCount:     aws.Int32(1),
			ExecutionRole:     aws.String(s.out.RoleARNs[c.Role]),
			ThreadsPerCore:    aws.Int32(1),
			LifeCycleConfig: &smtypes.ClusterLifeCycleConfig{
				SourceS3Uri: aws.String("s3://sagemaker-hyperpod-lifecycle-" + region + "-" + s.out.Account + "/scripts/"),
				OnCreate:    aws.String("on_create.sh"),
			},
			InstanceStorageConfigs: storage,
		}},
		NodeProvisioningMode: smtypes.ClusterNodeProvisioningModeContinuous,
		Tags:                 smTags(j),
	}
}

// keyFor returns the key ARN a planned resource names, or nil.
func (s *seeder) keyFor(region string, res PlannedResource) *string {
	if res.KeyIndex < 0 {
		return nil
	}
	return aws.String(s.out.KeyARNs[region][res.KeyIndex])
}

func (s *seeder) bucket(region string) string {
	return "s3://sagemaker-" + region + "-" + s.out.Account
}

func (s *seeder) image(region string) string {
	return "683313688378.dkr.ecr." + region + ".amazonaws.com/sagemaker-xgboost:1.7-1"
}

func wrapCreate(err error, name, region string) error {
	if err != nil {
		return fmt.Errorf("create %s in %s: %w", name, region, err)
	}
	return nil
}

// smTags gives every resource the two tags sagekey requires by default.
func smTags(j int) []smtypes.Tag {
	return []smtypes.Tag{
		{Key: aws.String("owner"), Value: aws.String(owner(j))},
		{Key: aws.String("cost-center"), Value: aws.String(costCenter(j))},
	}
}

func owner(j int) string      { return "team-" + strconv.Itoa(j%7) }
func costCenter(j int) string { return "cc-" + strconv.Itoa(1000+j%13) }
