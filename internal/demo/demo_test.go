package demo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/demo"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

const (
	primary   = "us-east-1"
	secondary = "eu-west-1"
)

func seed(t *testing.T) (*demo.Manifest, func(string) aws.Config) {
	t.Helper()
	srv := mototest.ForTest(t)
	cfgFor := func(region string) aws.Config { return mototest.Config(t, srv, region) }
	m, err := demo.Seed(t.Context(), cfgFor, []string{primary, secondary})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return m, cfgFor
}

func TestSeed(t *testing.T) {
	m, cfgFor := seed(t)
	ctx := t.Context()

	if m.Account != "123456789012" {
		t.Errorf("Account = %q, want moto's 123456789012", m.Account)
	}

	t.Run("manifest", func(t *testing.T) {
		seen := map[string]bool{}
		statuses := map[string]int{}
		for _, e := range m.Resources {
			id := e.Kind + "/" + e.Region + "/" + e.Name
			if seen[id] {
				t.Errorf("duplicate expectation %s", id)
			}
			seen[id] = true
			statuses[e.Status]++
			if e.Why == "" || strings.Contains(e.Why, "\n") {
				t.Errorf("%s: Why must be one non-empty line, got %q", id, e.Why)
			}
		}
		for _, st := range []string{demo.StatusPass, demo.StatusFail, demo.StatusNotApplicable, demo.StatusError} {
			if statuses[st] == 0 {
				t.Errorf("no resource expected to be %s; the demo should show every verdict", st)
			}
		}
		for _, k := range []string{
			demo.KindNotebookInstance, demo.KindEndpointConfig, demo.KindEndpoint, demo.KindTrainingJob, demo.KindCluster,
			demo.KindProcessingJob, demo.KindTransformJob, demo.KindHyperParameterTuningJob, demo.KindAutoMLJob,
			demo.KindCompilationJob, demo.KindDomain, demo.KindDataQualityJobDefinition, demo.KindModelCard, demo.KindPipeline,
		} {
			if len(m.ByKind(k)) == 0 {
				t.Errorf("no %s seeded", k)
			}
		}
		if e, ok := m.Find(demo.KindEndpoint, primary, "recsys-canary"); !ok || e.Status != demo.StatusError {
			t.Errorf("recsys-canary expectation = %+v, %v; want ERROR", e, ok)
		}
	})

	t.Run("keys", func(t *testing.T) {
		want := map[string]struct {
			region string
			state  kmstypes.KeyState
		}{
			demo.KeyHealthy:         {primary, kmstypes.KeyStateEnabled},
			demo.KeyDisabled:        {primary, kmstypes.KeyStateDisabled},
			demo.KeyPendingDeletion: {primary, kmstypes.KeyStatePendingDeletion},
			demo.KeyRotationOff:     {primary, kmstypes.KeyStateEnabled},
			demo.KeyMultiRegion:     {primary, kmstypes.KeyStateEnabled},
			demo.KeySecondary:       {secondary, kmstypes.KeyStateEnabled},
			// The key-access cases' keys are all healthy: only their
			// policies and grants differ.
			demo.KeyNamedRole:     {primary, kmstypes.KeyStateEnabled},
			demo.KeyNoDelegation:  {primary, kmstypes.KeyStateEnabled},
			demo.KeyDelegatedOnly: {primary, kmstypes.KeyStateEnabled},
			demo.KeyDenyGrants:    {primary, kmstypes.KeyStateEnabled},
			demo.KeySharedRoles:   {primary, kmstypes.KeyStateEnabled},
			demo.KeyBucketBound:   {primary, kmstypes.KeyStateEnabled},
			demo.KeyGrantOnly:     {primary, kmstypes.KeyStateEnabled},
		}
		if len(m.Keys) != len(want) {
			t.Errorf("Keys = %v, want %d entries", m.Keys, len(want))
		}
		for name, w := range want {
			arn := m.Keys[name]
			if !strings.HasPrefix(arn, "arn:aws:kms:"+w.region+":"+m.Account+":key/") {
				t.Errorf("key %s ARN = %q, want a key ARN in %s", name, arn, w.region)
				continue
			}
			kc := kms.NewFromConfig(cfgFor(w.region))
			out, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
			if err != nil {
				t.Errorf("DescribeKey %s: %v", name, err)
				continue
			}
			md := out.KeyMetadata
			if md.KeyState != w.state {
				t.Errorf("key %s state = %s, want %s", name, md.KeyState, w.state)
			}
			if md.KeyManager != kmstypes.KeyManagerTypeCustomer {
				t.Errorf("key %s manager = %s, want CUSTOMER", name, md.KeyManager)
			}
			if name == demo.KeyPendingDeletion && md.DeletionDate == nil {
				t.Errorf("key %s has no DeletionDate", name)
			}
			if mr := aws.ToBool(md.MultiRegion); mr != (name == demo.KeyMultiRegion) {
				t.Errorf("key %s MultiRegion = %v", name, mr)
			}
		}
		if id := strings.Split(m.Keys[demo.KeyMultiRegion], "/")[1]; !strings.HasPrefix(id, "mrk-") {
			t.Errorf("multi-Region key id %q lacks mrk- prefix", id)
		}

		kc := kms.NewFromConfig(cfgFor(primary))
		for name, wantOn := range map[string]bool{demo.KeyHealthy: true, demo.KeyRotationOff: false} {
			rot, err := kc.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(m.Keys[name])})
			if err != nil {
				t.Fatalf("GetKeyRotationStatus %s: %v", name, err)
			}
			if rot.KeyRotationEnabled != wantOn {
				t.Errorf("key %s rotation = %v, want %v", name, rot.KeyRotationEnabled, wantOn)
			}
		}

		// The alias resolves to the healthy key.
		out, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(demo.AliasSageMakerData)})
		if err != nil {
			t.Fatalf("DescribeKey %s: %v", demo.AliasSageMakerData, err)
		}
		if got := aws.ToString(out.KeyMetadata.Arn); got != m.Keys[demo.KeyHealthy] {
			t.Errorf("%s -> %s, want %s", demo.AliasSageMakerData, got, m.Keys[demo.KeyHealthy])
		}
	})

	t.Run("listed resources match manifest", func(t *testing.T) {
		for _, region := range []string{primary, secondary} {
			sm := sagemaker.NewFromConfig(cfgFor(region))
			listed := map[string][]string{
				demo.KindNotebookInstance: listNotebooks(t, sm),
				demo.KindEndpointConfig:   listEndpointConfigs(t, sm),
				demo.KindEndpoint:         listEndpoints(t, sm),
				demo.KindTrainingJob:      listTrainingJobs(t, sm),
				demo.KindCluster:          listClusters(t, sm),
			}
			for kind, names := range listNewKinds(t, sm) {
				listed[kind] = names
			}
			for kind, got := range listed {
				var want []string
				for _, e := range m.ByKind(kind) {
					if e.Region == region {
						want = append(want, e.Name)
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s %s: listed %v, manifest %v", region, kind, got, want)
				}
			}
		}
		// Sanity-check the totals so an empty listing cannot pass.
		for kind, n := range map[string]int{
			demo.KindNotebookInstance: 17, demo.KindEndpointConfig: 6, demo.KindEndpoint: 5,
			demo.KindTrainingJob: 8, demo.KindCluster: 2,
			demo.KindProcessingJob: 2, demo.KindTransformJob: 2, demo.KindHyperParameterTuningJob: 2,
			demo.KindAutoMLJob: 1, demo.KindCompilationJob: 1, demo.KindDomain: 1,
			demo.KindDataQualityJobDefinition: 2, demo.KindModelCard: 1, demo.KindPipeline: 2,
		} {
			if got := len(m.ByKind(kind)); got != n {
				t.Errorf("%d %s in manifest, want %d", got, kind, n)
			}
		}
	})

	sm := sagemaker.NewFromConfig(cfgFor(primary))

	t.Run("notebooks keep their key identifiers and tags", func(t *testing.T) {
		for name, want := range map[string]string{
			"fraud-detector-nb":     strings.Split(m.Keys[demo.KeyHealthy], "/")[1],
			"recsys-exploration-nb": demo.AliasSageMakerData,
			"marketing-mix-nb":      "alias/aws/sagemaker",
			"legacy-etl-nb":         m.Keys[demo.KeyDisabled],
			"intern-sandbox-nb":     "",
		} {
			nb, err := sm.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String(name)})
			if err != nil {
				t.Fatalf("DescribeNotebookInstance %s: %v", name, err)
			}
			if got := aws.ToString(nb.KmsKeyId); got != want {
				t.Errorf("%s KmsKeyId = %q, want %q", name, got, want)
			}
		}
		nb, err := sm.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String("fraud-detector-nb")})
		if err != nil {
			t.Fatal(err)
		}
		tl, err := sm.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: nb.NotebookInstanceArn})
		if err != nil {
			t.Fatalf("ListTags: %v", err)
		}
		if !hasTag(tl.Tags, "owner") || !hasTag(tl.Tags, "cost-center") {
			t.Errorf("fraud-detector-nb tags = %v, want owner and cost-center", tl.Tags)
		}
	})

	t.Run("endpoint configs keep every key slot", func(t *testing.T) {
		ec, err := sm.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String("fraud-detector-ec")})
		if err != nil {
			t.Fatalf("DescribeEndpointConfig: %v", err)
		}
		if aws.ToString(ec.KmsKeyId) == "" || ec.DataCaptureConfig == nil || aws.ToString(ec.DataCaptureConfig.KmsKeyId) == "" ||
			ec.AsyncInferenceConfig == nil || ec.AsyncInferenceConfig.OutputConfig == nil || aws.ToString(ec.AsyncInferenceConfig.OutputConfig.KmsKeyId) == "" ||
			len(ec.ProductionVariants) != 1 || ec.ProductionVariants[0].CoreDumpConfig == nil || aws.ToString(ec.ProductionVariants[0].CoreDumpConfig.KmsKeyId) == "" {
			t.Errorf("fraud-detector-ec lost a key slot: %+v", ec)
		}
		sl, err := sm.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String("sentiment-serverless-ec")})
		if err != nil {
			t.Fatalf("DescribeEndpointConfig: %v", err)
		}
		if len(sl.ProductionVariants) != 1 || sl.ProductionVariants[0].ServerlessConfig == nil {
			t.Errorf("sentiment-serverless-ec variants = %+v, want one serverless variant", sl.ProductionVariants)
		}
	})

	t.Run("dangling endpoint", func(t *testing.T) {
		ep, err := sm.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String("recsys-canary")})
		if err != nil {
			t.Fatalf("DescribeEndpoint: %v", err)
		}
		if got := aws.ToString(ep.EndpointConfigName); got != "recsys-canary-ec" {
			t.Fatalf("recsys-canary config = %q", got)
		}
		if _, err := sm.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName}); err == nil {
			t.Error("recsys-canary-ec still exists; want it deleted")
		}
	})

	t.Run("training jobs", func(t *testing.T) {
		tj, err := sm.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String("llm-finetune-hetero")})
		if err != nil {
			t.Fatalf("DescribeTrainingJob: %v", err)
		}
		if len(tj.ResourceConfig.InstanceGroups) != 2 || aws.ToString(tj.OutputDataConfig.KmsKeyId) == "" {
			t.Errorf("llm-finetune-hetero resource/output = %+v / %+v", tj.ResourceConfig, tj.OutputDataConfig)
		}
		tj, err = sm.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String("churn-quick-experiment")})
		if err != nil {
			t.Fatalf("DescribeTrainingJob: %v", err)
		}
		if tj.ResourceConfig.VolumeKmsKeyId != nil || tj.OutputDataConfig.KmsKeyId != nil {
			t.Errorf("churn-quick-experiment should have no keys: %+v / %+v", tj.ResourceConfig, tj.OutputDataConfig)
		}
	})

	t.Run("clusters keep instance storage configs", func(t *testing.T) {
		cl, err := sm.DescribeCluster(ctx, &sagemaker.DescribeClusterInput{ClusterName: aws.String("llm-pretrain-hyperpod")})
		if err != nil {
			t.Fatalf("DescribeCluster: %v", err)
		}
		if len(cl.InstanceGroups) != 2 {
			t.Fatalf("llm-pretrain-hyperpod groups = %d, want 2", len(cl.InstanceGroups))
		}
		for _, g := range cl.InstanceGroups {
			var root, secondary int
			for _, sc := range g.InstanceStorageConfigs {
				ebs, ok := sc.(*smtypes.ClusterInstanceStorageConfigMemberEbsVolumeConfig)
				if !ok || aws.ToString(ebs.Value.VolumeKmsKeyId) != m.Keys[demo.KeyHealthy] {
					t.Errorf("group %s storage config %#v, want EBS with the healthy key", aws.ToString(g.InstanceGroupName), sc)
					continue
				}
				if aws.ToBool(ebs.Value.RootVolume) {
					root++
				} else {
					secondary++
				}
			}
			if root != 1 || secondary != 1 {
				t.Errorf("group %s: %d root, %d secondary EBS configs; want 1 and 1", aws.ToString(g.InstanceGroupName), root, secondary)
			}
		}
	})
}

func TestSeedRejectsBadRegions(t *testing.T) {
	cfgFor := func(string) aws.Config { t.Fatal("cfgFor must not be called"); return aws.Config{} }
	for _, regions := range [][]string{nil, {"us-east-1", "us-east-1"}, {"a", "b", "c"}} {
		if _, err := demo.Seed(t.Context(), cfgFor, regions); err == nil {
			t.Errorf("Seed(%v): want error", regions)
		}
	}
}

// TestSeedSingleRegion checks that seeding only the primary region works
// and still covers every verdict.
func TestSeedSingleRegion(t *testing.T) {
	srv := mototest.ForTest(t)
	m, err := demo.Seed(t.Context(), func(r string) aws.Config { return mototest.Config(t, srv, r) }, []string{"us-west-2"})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if _, ok := m.Keys[demo.KeySecondary]; ok {
		t.Error("single-region seed created the secondary key")
	}
	for _, e := range m.Resources {
		if e.Region != "us-west-2" {
			t.Errorf("%s %s seeded in %s", e.Kind, e.Name, e.Region)
		}
	}
	// Reset lets one server serve another seed.
	if err := srv.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(t.Context(), func(r string) aws.Config { return mototest.Config(t, srv, r) }, []string{"us-west-2"}); err != nil {
		t.Fatalf("Seed after Reset: %v", err)
	}
}

func hasTag(tags []smtypes.Tag, key string) bool {
	return slices.ContainsFunc(tags, func(t smtypes.Tag) bool { return aws.ToString(t.Key) == key })
}

func listNotebooks(t *testing.T, sm *sagemaker.Client) []string {
	t.Helper()
	var names []string
	p := sagemaker.NewListNotebookInstancesPaginator(sm, &sagemaker.ListNotebookInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListNotebookInstances: %v", err)
		}
		for _, s := range page.NotebookInstances {
			names = append(names, aws.ToString(s.NotebookInstanceName))
		}
	}
	return names
}

func listEndpointConfigs(t *testing.T, sm *sagemaker.Client) []string {
	t.Helper()
	var names []string
	p := sagemaker.NewListEndpointConfigsPaginator(sm, &sagemaker.ListEndpointConfigsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListEndpointConfigs: %v", err)
		}
		for _, s := range page.EndpointConfigs {
			names = append(names, aws.ToString(s.EndpointConfigName))
		}
	}
	return names
}

func listEndpoints(t *testing.T, sm *sagemaker.Client) []string {
	t.Helper()
	var names []string
	p := sagemaker.NewListEndpointsPaginator(sm, &sagemaker.ListEndpointsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListEndpoints: %v", err)
		}
		for _, s := range page.Endpoints {
			names = append(names, aws.ToString(s.EndpointName))
		}
	}
	return names
}

func listTrainingJobs(t *testing.T, sm *sagemaker.Client) []string {
	t.Helper()
	var names []string
	p := sagemaker.NewListTrainingJobsPaginator(sm, &sagemaker.ListTrainingJobsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListTrainingJobs: %v", err)
		}
		for _, s := range page.TrainingJobSummaries {
			names = append(names, aws.ToString(s.TrainingJobName))
		}
	}
	return names
}

func listClusters(t *testing.T, sm *sagemaker.Client) []string {
	t.Helper()
	var names []string
	p := sagemaker.NewListClustersPaginator(sm, &sagemaker.ListClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListClusters: %v", err)
		}
		for _, s := range page.ClusterSummaries {
			names = append(names, aws.ToString(s.ClusterName))
		}
	}
	return names
}
