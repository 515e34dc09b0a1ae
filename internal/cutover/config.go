package cutover

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/catalog"
)

// maxConfigName is SageMaker's limit on an endpoint config name.
const maxConfigName = 63

// newConfigName derives the replacement's name from the old one and the
// time, so repeated cut-overs never collide and the lineage stays readable.
func newConfigName(old string, now time.Time) string {
	suffix := "-cmk-" + now.UTC().Format("20060102150405")
	if len(old)+len(suffix) > maxConfigName {
		old = old[:maxConfigName-len(suffix)]
	}
	return old + suffix
}

// newConfigInput copies every setting of the old config and adds key to
// every slot that can take one. Copying field by field (instead of
// building from what sagekey knows about) is what makes the cut-over safe:
// the new fleet must serve exactly like the old one. A test walks the SDK
// types so a field added to CreateEndpointConfig later cannot be dropped
// silently.
func newConfigInput(old *sm.DescribeEndpointConfigOutput, tags []types.Tag, name, key string) *sm.CreateEndpointConfigInput {
	in := &sm.CreateEndpointConfigInput{
		EndpointConfigName:       aws.String(name),
		ProductionVariants:       withCoreDumpKeys(old.ProductionVariants, key),
		ShadowProductionVariants: withCoreDumpKeys(old.ShadowProductionVariants, key),
		AsyncInferenceConfig:     old.AsyncInferenceConfig,
		DataCaptureConfig:        old.DataCaptureConfig,
		EnableNetworkIsolation:   old.EnableNetworkIsolation,
		ExecutionRoleArn:         old.ExecutionRoleArn,
		ExplainerConfig:          old.ExplainerConfig,
		KmsKeyId:                 old.KmsKeyId,
		MetricsConfig:            old.MetricsConfig,
		VpcConfig:                old.VpcConfig,
		Tags: append(append([]types.Tag(nil), tags...),
			types.Tag{Key: aws.String("sagekey:replaces"), Value: old.EndpointConfigName}),
	}
	if volumeKeyApplies(old) {
		in.KmsKeyId = aws.String(key)
	}
	// An empty DataCaptureConfig or AsyncInferenceConfig (some APIs and
	// emulators return {} for "none") is dropped: sent back, it would fail
	// CreateEndpointConfig's required-field validation.
	if dc := old.DataCaptureConfig; dc != nil && dc.DestinationS3Uri == nil {
		in.DataCaptureConfig = nil
	} else if dc != nil {
		c := *dc
		c.KmsKeyId = aws.String(key)
		in.DataCaptureConfig = &c
	}
	if a := old.AsyncInferenceConfig; a != nil && a.OutputConfig == nil {
		in.AsyncInferenceConfig = nil
	} else if a != nil {
		c, out := *a, *a.OutputConfig
		out.KmsKeyId = aws.String(key)
		c.OutputConfig = &out
		in.AsyncInferenceConfig = &c
	}
	return in
}

// volumeKeyApplies says whether the config-level KmsKeyId protects
// anything: it does unless every variant runs on instances whose only
// storage is local NVMe, which SageMaker encrypts in hardware and which
// older API versions refused a key for (reference §3). A serverless
// variant takes the key for its image, which is worth having.
func volumeKeyApplies(old *sm.DescribeEndpointConfigOutput) bool {
	variants := append(append([]types.ProductionVariant(nil), old.ProductionVariants...), old.ShadowProductionVariants...)
	for _, v := range variants {
		if v.ServerlessConfig != nil || !catalog.HasLocalStorage(catalog.TableHosting, string(v.InstanceType)) {
			return true
		}
	}
	return false
}

// withCoreDumpKeys copies variants, adding key to each core-dump config.
func withCoreDumpKeys(variants []types.ProductionVariant, key string) []types.ProductionVariant {
	if variants == nil {
		return nil
	}
	out := make([]types.ProductionVariant, len(variants))
	for i, v := range variants {
		if v.CoreDumpConfig != nil {
			c := *v.CoreDumpConfig
			c.KmsKeyId = aws.String(key)
			v.CoreDumpConfig = &c
		}
		out[i] = v
	}
	return out
}

// userTags drops the tags AWS reserves (aws:*), which CreateEndpointConfig
// refuses.
func userTags(tags []types.Tag) []types.Tag {
	var out []types.Tag
	for _, t := range tags {
		if !strings.HasPrefix(aws.ToString(t.Key), "aws:") {
			out = append(out, t)
		}
	}
	return out
}
