package demo_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/demo"
)

type pager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*sagemaker.Options)) (O, error)
}

// listAll drains a paginator and returns the names it lists.
func listAll[O any](t *testing.T, op string, p pager[O], names func(O) []string) []string {
	t.Helper()
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		out = append(out, names(page)...)
	}
	return out
}

// listNewKinds lists the names of every job, domain, monitoring definition,
// model card and pipeline kind in one region.
func listNewKinds(t *testing.T, sm *sagemaker.Client) map[string][]string {
	t.Helper()
	return map[string][]string{
		demo.KindProcessingJob: listAll(t, "ListProcessingJobs", sagemaker.NewListProcessingJobsPaginator(sm, &sagemaker.ListProcessingJobsInput{}),
			func(o *sagemaker.ListProcessingJobsOutput) (n []string) {
				for _, s := range o.ProcessingJobSummaries {
					n = append(n, aws.ToString(s.ProcessingJobName))
				}
				return n
			}),
		demo.KindTransformJob: listAll(t, "ListTransformJobs", sagemaker.NewListTransformJobsPaginator(sm, &sagemaker.ListTransformJobsInput{}),
			func(o *sagemaker.ListTransformJobsOutput) (n []string) {
				for _, s := range o.TransformJobSummaries {
					n = append(n, aws.ToString(s.TransformJobName))
				}
				return n
			}),
		demo.KindHyperParameterTuningJob: listAll(t, "ListHyperParameterTuningJobs", sagemaker.NewListHyperParameterTuningJobsPaginator(sm, &sagemaker.ListHyperParameterTuningJobsInput{}),
			func(o *sagemaker.ListHyperParameterTuningJobsOutput) (n []string) {
				for _, s := range o.HyperParameterTuningJobSummaries {
					n = append(n, aws.ToString(s.HyperParameterTuningJobName))
				}
				return n
			}),
		demo.KindAutoMLJob: listAll(t, "ListAutoMLJobs", sagemaker.NewListAutoMLJobsPaginator(sm, &sagemaker.ListAutoMLJobsInput{}),
			func(o *sagemaker.ListAutoMLJobsOutput) (n []string) {
				for _, s := range o.AutoMLJobSummaries {
					n = append(n, aws.ToString(s.AutoMLJobName))
				}
				return n
			}),
		demo.KindCompilationJob: listAll(t, "ListCompilationJobs", sagemaker.NewListCompilationJobsPaginator(sm, &sagemaker.ListCompilationJobsInput{}),
			func(o *sagemaker.ListCompilationJobsOutput) (n []string) {
				for _, s := range o.CompilationJobSummaries {
					n = append(n, aws.ToString(s.CompilationJobName))
				}
				return n
			}),
		demo.KindDomain: listAll(t, "ListDomains", sagemaker.NewListDomainsPaginator(sm, &sagemaker.ListDomainsInput{}),
			func(o *sagemaker.ListDomainsOutput) (n []string) {
				for _, s := range o.Domains {
					n = append(n, aws.ToString(s.DomainName))
				}
				return n
			}),
		demo.KindDataQualityJobDefinition: listAll(t, "ListDataQualityJobDefinitions", sagemaker.NewListDataQualityJobDefinitionsPaginator(sm, &sagemaker.ListDataQualityJobDefinitionsInput{}),
			func(o *sagemaker.ListDataQualityJobDefinitionsOutput) (n []string) {
				for _, s := range o.JobDefinitionSummaries {
					n = append(n, aws.ToString(s.MonitoringJobDefinitionName))
				}
				return n
			}),
		demo.KindModelCard: listAll(t, "ListModelCards", sagemaker.NewListModelCardsPaginator(sm, &sagemaker.ListModelCardsInput{}),
			func(o *sagemaker.ListModelCardsOutput) (n []string) {
				for _, s := range o.ModelCardSummaries {
					n = append(n, aws.ToString(s.ModelCardName))
				}
				return n
			}),
		demo.KindPipeline: listAll(t, "ListPipelines", sagemaker.NewListPipelinesPaginator(sm, &sagemaker.ListPipelinesInput{}),
			func(o *sagemaker.ListPipelinesOutput) (n []string) {
				for _, s := range o.PipelineSummaries {
					n = append(n, aws.ToString(s.PipelineName))
				}
				return n
			}),
	}
}

// TestSeedNewKindsKeepKeySlots checks that moto returns the key slots the
// manifest's verdicts rest on (and, for processing jobs, that it still drops
// ProcessingResources, which is why those are expected ERROR or FAIL).
func TestSeedNewKindsKeepKeySlots(t *testing.T) {
	m, cfgFor := seed(t)
	ctx := t.Context()
	sm := sagemaker.NewFromConfig(cfgFor(primary))
	healthy := m.Keys[demo.KeyHealthy]

	t.Run("processing jobs", func(t *testing.T) {
		pj, err := sm.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String("fraud-feature-engineering")})
		if err != nil {
			t.Fatalf("DescribeProcessingJob: %v", err)
		}
		if pj.ProcessingResources != nil && pj.ProcessingResources.ClusterConfig != nil {
			t.Errorf("moto now returns ProcessingResources %+v; the ERROR expectation for fraud-feature-engineering is stale", pj.ProcessingResources.ClusterConfig)
		}
		if pj.ProcessingOutputConfig == nil || aws.ToString(pj.ProcessingOutputConfig.KmsKeyId) != healthy {
			t.Errorf("fraud-feature-engineering output config = %+v, want the healthy key", pj.ProcessingOutputConfig)
		}
		pj, err = sm.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String("churn-data-prep")})
		if err != nil {
			t.Fatalf("DescribeProcessingJob: %v", err)
		}
		if pj.ProcessingOutputConfig != nil && pj.ProcessingOutputConfig.KmsKeyId != nil {
			t.Errorf("churn-data-prep output key = %q, want none", aws.ToString(pj.ProcessingOutputConfig.KmsKeyId))
		}
	})

	t.Run("transform jobs", func(t *testing.T) {
		tj, err := sm.DescribeTransformJob(ctx, &sagemaker.DescribeTransformJobInput{TransformJobName: aws.String("fraud-batch-scoring-2024-06")})
		if err != nil {
			t.Fatalf("DescribeTransformJob: %v", err)
		}
		if tj.TransformResources == nil || aws.ToString(tj.TransformResources.VolumeKmsKeyId) != healthy ||
			tj.TransformOutput == nil || aws.ToString(tj.TransformOutput.KmsKeyId) == "" {
			t.Errorf("fraud-batch-scoring-2024-06 lost a key slot: %+v / %+v", tj.TransformResources, tj.TransformOutput)
		}
		tj, err = sm.DescribeTransformJob(ctx, &sagemaker.DescribeTransformJobInput{TransformJobName: aws.String("churn-batch-scoring-2024-06")})
		if err != nil {
			t.Fatalf("DescribeTransformJob: %v", err)
		}
		if tj.TransformOutput == nil || tj.TransformOutput.KmsKeyId != nil {
			t.Errorf("churn-batch-scoring-2024-06 output = %+v, want no key", tj.TransformOutput)
		}
	})

	t.Run("tuning jobs", func(t *testing.T) {
		hj, err := sm.DescribeHyperParameterTuningJob(ctx, &sagemaker.DescribeHyperParameterTuningJobInput{HyperParameterTuningJobName: aws.String("fraud-xgb-hpo-0601")})
		if err != nil {
			t.Fatalf("DescribeHyperParameterTuningJob: %v", err)
		}
		d := hj.TrainingJobDefinition
		if d == nil || d.ResourceConfig == nil || aws.ToString(d.ResourceConfig.VolumeKmsKeyId) != healthy ||
			d.OutputDataConfig == nil || aws.ToString(d.OutputDataConfig.KmsKeyId) != healthy {
			t.Errorf("fraud-xgb-hpo-0601 training definition lost a key slot: %+v", d)
		}
	})

	t.Run("auto ml job", func(t *testing.T) {
		aj, err := sm.DescribeAutoMLJobV2(ctx, &sagemaker.DescribeAutoMLJobV2Input{AutoMLJobName: aws.String("fraud-autopilot-0601")})
		if err != nil {
			t.Fatalf("DescribeAutoMLJobV2: %v", err)
		}
		if aj.SecurityConfig == nil || aws.ToString(aj.SecurityConfig.VolumeKmsKeyId) != demo.AliasSageMakerData ||
			aj.OutputDataConfig == nil || aws.ToString(aj.OutputDataConfig.KmsKeyId) != healthy {
			t.Errorf("fraud-autopilot-0601 lost a key slot: %+v / %+v", aj.SecurityConfig, aj.OutputDataConfig)
		}
	})

	t.Run("compilation job", func(t *testing.T) {
		cj, err := sm.DescribeCompilationJob(ctx, &sagemaker.DescribeCompilationJobInput{CompilationJobName: aws.String("edge-fraud-xgb-neo")})
		if err != nil {
			t.Fatalf("DescribeCompilationJob: %v", err)
		}
		if cj.OutputConfig == nil || cj.OutputConfig.KmsKeyId != nil {
			t.Errorf("edge-fraud-xgb-neo output config = %+v, want no key", cj.OutputConfig)
		}
	})

	t.Run("domain", func(t *testing.T) {
		ld, err := sm.ListDomains(ctx, &sagemaker.ListDomainsInput{})
		if err != nil || len(ld.Domains) != 1 {
			t.Fatalf("ListDomains = %v, %v; want one domain", ld, err)
		}
		d, err := sm.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: ld.Domains[0].DomainId})
		if err != nil {
			t.Fatalf("DescribeDomain: %v", err)
		}
		if aws.ToString(d.KmsKeyId) != healthy || d.DefaultUserSettings == nil || d.DefaultUserSettings.SharingSettings == nil ||
			aws.ToString(d.DefaultUserSettings.SharingSettings.S3OutputPath) == "" ||
			aws.ToString(d.DefaultUserSettings.SharingSettings.S3KmsKeyId) == "" {
			t.Errorf("domain lost a key slot: KmsKeyId=%q settings=%+v", aws.ToString(d.KmsKeyId), d.DefaultUserSettings)
		}
	})

	t.Run("data quality job definitions", func(t *testing.T) {
		dq, err := sm.DescribeDataQualityJobDefinition(ctx, &sagemaker.DescribeDataQualityJobDefinitionInput{JobDefinitionName: aws.String("fraud-detector-data-quality")})
		if err != nil {
			t.Fatalf("DescribeDataQualityJobDefinition: %v", err)
		}
		if dq.JobResources == nil || dq.JobResources.ClusterConfig == nil ||
			aws.ToString(dq.JobResources.ClusterConfig.VolumeKmsKeyId) != healthy || dq.JobResources.ClusterConfig.InstanceType == "" ||
			dq.DataQualityJobOutputConfig == nil || aws.ToString(dq.DataQualityJobOutputConfig.KmsKeyId) != demo.AliasSageMakerData {
			t.Errorf("fraud-detector-data-quality lost a key slot: %+v / %+v", dq.JobResources, dq.DataQualityJobOutputConfig)
		}
		dq, err = sm.DescribeDataQualityJobDefinition(ctx, &sagemaker.DescribeDataQualityJobDefinitionInput{JobDefinitionName: aws.String("legacy-batch-scoring-data-quality")})
		if err != nil {
			t.Fatalf("DescribeDataQualityJobDefinition: %v", err)
		}
		if dq.JobResources == nil || dq.JobResources.ClusterConfig == nil || dq.JobResources.ClusterConfig.VolumeKmsKeyId != nil ||
			(dq.DataQualityJobOutputConfig != nil && dq.DataQualityJobOutputConfig.KmsKeyId != nil) {
			t.Errorf("legacy-batch-scoring-data-quality should have no keys: %+v / %+v", dq.JobResources, dq.DataQualityJobOutputConfig)
		}
	})

	t.Run("model card", func(t *testing.T) {
		mc, err := sm.DescribeModelCard(ctx, &sagemaker.DescribeModelCardInput{ModelCardName: aws.String("fraud-detector-model-card")})
		if err != nil {
			t.Fatalf("DescribeModelCard: %v", err)
		}
		if mc.SecurityConfig == nil || aws.ToString(mc.SecurityConfig.KmsKeyId) != healthy {
			t.Errorf("fraud-detector-model-card security config = %+v, want the healthy key", mc.SecurityConfig)
		}
	})

	t.Run("pipelines", func(t *testing.T) {
		type step struct {
			Type      string
			Arguments struct {
				ResourceConfig      struct{ VolumeKmsKeyId string }
				OutputDataConfig    struct{ KmsKeyId string }
				ProcessingResources struct {
					ClusterConfig struct{ InstanceType, VolumeKmsKeyId string }
				}
			}
		}
		steps := func(name string) []step {
			t.Helper()
			p, err := sm.DescribePipeline(ctx, &sagemaker.DescribePipelineInput{PipelineName: aws.String(name)})
			if err != nil {
				t.Fatalf("DescribePipeline %s: %v", name, err)
			}
			var def struct{ Steps []step }
			if err := json.Unmarshal([]byte(aws.ToString(p.PipelineDefinition)), &def); err != nil {
				t.Fatalf("%s definition: %v", name, err)
			}
			if len(def.Steps) != 1 {
				t.Fatalf("%s has %d steps, want 1", name, len(def.Steps))
			}
			return def.Steps
		}
		tr := steps("fraud-training-pipeline")[0]
		if tr.Type != "Training" || tr.Arguments.ResourceConfig.VolumeKmsKeyId != healthy || tr.Arguments.OutputDataConfig.KmsKeyId != healthy {
			t.Errorf("fraud-training-pipeline step = %+v", tr)
		}
		pr := steps("churn-prep-pipeline")[0]
		if pr.Type != "Processing" || pr.Arguments.ProcessingResources.ClusterConfig.InstanceType != "ml.m5.xlarge" ||
			pr.Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId != "" {
			t.Errorf("churn-prep-pipeline step = %+v", pr)
		}
	})
}
