package bench

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// naiveKinds lists, for each estate kind, the List and Describe calls the
// naive scanner makes and where it finds key references.
func naiveKinds() []naiveKind {
	return []naiveKind{
		{
			kind: KindTrainingJob,
			list: func(ctx context.Context, sm *sagemaker.Client) ([]string, error) {
				p := sagemaker.NewListTrainingJobsPaginator(sm, &sagemaker.ListTrainingJobsInput{MaxResults: aws.Int32(naivePageSize)})
				return drain(ctx, p, func(o *sagemaker.ListTrainingJobsOutput) (names []string) {
					for _, s := range o.TrainingJobSummaries {
						names = append(names, aws.ToString(s.TrainingJobName))
					}
					return names
				})
			},
			describe: func(ctx context.Context, sm *sagemaker.Client, name string) (string, []string, error) {
				out, err := sm.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String(name)})
				if err != nil {
					return "", nil, err
				}
				var refs []string
				if rc := out.ResourceConfig; rc != nil {
					refs = appendKey(refs, rc.VolumeKmsKeyId)
				}
				if oc := out.OutputDataConfig; oc != nil {
					refs = appendKey(refs, oc.KmsKeyId)
				}
				return aws.ToString(out.TrainingJobArn), refs, nil
			},
		},
		{
			kind: KindNotebook,
			list: func(ctx context.Context, sm *sagemaker.Client) ([]string, error) {
				p := sagemaker.NewListNotebookInstancesPaginator(sm, &sagemaker.ListNotebookInstancesInput{MaxResults: aws.Int32(naivePageSize)})
				return drain(ctx, p, func(o *sagemaker.ListNotebookInstancesOutput) (names []string) {
					for _, s := range o.NotebookInstances {
						names = append(names, aws.ToString(s.NotebookInstanceName))
					}
					return names
				})
			},
			describe: func(ctx context.Context, sm *sagemaker.Client, name string) (string, []string, error) {
				out, err := sm.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String(name)})
				if err != nil {
					return "", nil, err
				}
				return aws.ToString(out.NotebookInstanceArn), appendKey(nil, out.KmsKeyId), nil
			},
		},
		{
			kind: KindEndpointConfig,
			list: func(ctx context.Context, sm *sagemaker.Client) ([]string, error) {
				p := sagemaker.NewListEndpointConfigsPaginator(sm, &sagemaker.ListEndpointConfigsInput{MaxResults: aws.Int32(naivePageSize)})
				return drain(ctx, p, func(o *sagemaker.ListEndpointConfigsOutput) (names []string) {
					for _, s := range o.EndpointConfigs {
						names = append(names, aws.ToString(s.EndpointConfigName))
					}
					return names
				})
			},
			describe: func(ctx context.Context, sm *sagemaker.Client, name string) (string, []string, error) {
				out, err := sm.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(name)})
				if err != nil {
					return "", nil, err
				}
				refs := appendKey(nil, out.KmsKeyId)
				if dc := out.DataCaptureConfig; dc != nil {
					refs = appendKey(refs, dc.KmsKeyId)
				}
				if ac := out.AsyncInferenceConfig; ac != nil && ac.OutputConfig != nil {
					refs = appendKey(refs, ac.OutputConfig.KmsKeyId)
				}
				return aws.ToString(out.EndpointConfigArn), refs, nil
			},
		},
		{
			kind: KindEndpoint,
			list: func(ctx context.Context, sm *sagemaker.Client) ([]string, error) {
				p := sagemaker.NewListEndpointsPaginator(sm, &sagemaker.ListEndpointsInput{MaxResults: aws.Int32(naivePageSize)})
				return drain(ctx, p, func(o *sagemaker.ListEndpointsOutput) (names []string) {
					for _, s := range o.Endpoints {
						names = append(names, aws.ToString(s.EndpointName))
					}
					return names
				})
			},
			describe: func(ctx context.Context, sm *sagemaker.Client, name string) (string, []string, error) {
				out, err := sm.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
				if err != nil {
					return "", nil, err
				}
				var refs []string
				if dc := out.DataCaptureConfig; dc != nil {
					refs = appendKey(refs, dc.KmsKeyId)
				}
				return aws.ToString(out.EndpointArn), refs, nil
			},
		},
		{
			kind: KindCluster,
			list: func(ctx context.Context, sm *sagemaker.Client) ([]string, error) {
				p := sagemaker.NewListClustersPaginator(sm, &sagemaker.ListClustersInput{MaxResults: aws.Int32(naivePageSize)})
				return drain(ctx, p, func(o *sagemaker.ListClustersOutput) (names []string) {
					for _, s := range o.ClusterSummaries {
						names = append(names, aws.ToString(s.ClusterName))
					}
					return names
				})
			},
			describe: func(ctx context.Context, sm *sagemaker.Client, name string) (string, []string, error) {
				out, err := sm.DescribeCluster(ctx, &sagemaker.DescribeClusterInput{ClusterName: aws.String(name)})
				if err != nil {
					return "", nil, err
				}
				var refs []string
				for _, g := range out.InstanceGroups {
					for _, sc := range g.InstanceStorageConfigs {
						if ebs, ok := sc.(*smtypes.ClusterInstanceStorageConfigMemberEbsVolumeConfig); ok {
							refs = appendKey(refs, ebs.Value.VolumeKmsKeyId)
						}
					}
				}
				return aws.ToString(out.ClusterArn), refs, nil
			},
		},
	}
}

// pager is the shape of the SDK's generated paginators.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*sagemaker.Options)) (O, error)
}

// drain reads every page, returning what it got before an error.
func drain[O any](ctx context.Context, p pager[O], names func(O) []string) ([]string, error) {
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, err
		}
		out = append(out, names(page)...)
	}
	return out, nil
}
