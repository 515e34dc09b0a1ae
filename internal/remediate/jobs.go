package remediate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
)

// jobSpec is how one immutable job kind is cloned with keys.
type jobSpec struct {
	describe, create string // CLI commands; the API operation is their CamelCase
	describeOp       string
	createOp         string
	nameFlag         string // CLI flag of describe
	nameField        string // name member of the create input
	limit            int    // longest name the API accepts
	paths            map[string]string
	// artifacts: the job writes under <output URI>/<job name>/.
	artifacts bool
}

const (
	tuningVolume = "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId|" +
		"TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId|" +
		"TrainingJobDefinitions[].ResourceConfig.VolumeKmsKeyId|" +
		"TrainingJobDefinitions[].HyperParameterTuningResourceConfig.VolumeKmsKeyId"
	tuningOutput = "TrainingJobDefinition.OutputDataConfig.KmsKeyId|TrainingJobDefinitions[].OutputDataConfig.KmsKeyId"
)

var jobSpecs = map[string]jobSpec{
	"training-job": {describe: "describe-training-job", create: "create-training-job",
		describeOp: "DescribeTrainingJob", createOp: "CreateTrainingJob", nameFlag: "--training-job-name",
		nameField: "TrainingJobName", limit: 63, artifacts: true, paths: map[string]string{
			"volume": "ResourceConfig.VolumeKmsKeyId", "output": "OutputDataConfig.KmsKeyId"}},
	"processing-job": {describe: "describe-processing-job", create: "create-processing-job",
		describeOp: "DescribeProcessingJob", createOp: "CreateProcessingJob", nameFlag: "--processing-job-name",
		nameField: "ProcessingJobName", limit: 63, paths: map[string]string{
			"volume":           "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
			"output":           "ProcessingOutputConfig.KmsKeyId",
			"athena-staging":   "ProcessingInputs[].DatasetDefinition.AthenaDatasetDefinition.KmsKeyId",
			"redshift-staging": "ProcessingInputs[].DatasetDefinition.RedshiftDatasetDefinition.KmsKeyId"}},
	"transform-job": {describe: "describe-transform-job", create: "create-transform-job",
		describeOp: "DescribeTransformJob", createOp: "CreateTransformJob", nameFlag: "--transform-job-name",
		nameField: "TransformJobName", limit: 63, paths: map[string]string{
			"volume": "TransformResources.VolumeKmsKeyId", "output": "TransformOutput.KmsKeyId",
			"data-capture": "DataCaptureConfig.KmsKeyId"}},
	"hyper-parameter-tuning-job": {describe: "describe-hyper-parameter-tuning-job", create: "create-hyper-parameter-tuning-job",
		describeOp: "DescribeHyperParameterTuningJob", createOp: "CreateHyperParameterTuningJob",
		nameFlag: "--hyper-parameter-tuning-job-name", nameField: "HyperParameterTuningJobName", limit: 32,
		paths: map[string]string{"volume": tuningVolume, "output": tuningOutput}},
	"auto-ml-job": {describe: "describe-auto-ml-job-v2", create: "create-auto-ml-job-v2",
		describeOp: "DescribeAutoMLJobV2", createOp: "CreateAutoMLJobV2", nameFlag: "--auto-ml-job-name",
		nameField: "AutoMLJobName", limit: 32, paths: map[string]string{
			"volume": "SecurityConfig+.VolumeKmsKeyId", "output": "OutputDataConfig.KmsKeyId"}},
	"labeling-job": {describe: "describe-labeling-job", create: "create-labeling-job",
		describeOp: "DescribeLabelingJob", createOp: "CreateLabelingJob", nameFlag: "--labeling-job-name",
		nameField: "LabelingJobName", limit: 63, paths: map[string]string{"output": "OutputConfig.KmsKeyId",
			"volume": "LabelingJobAlgorithmsConfig.LabelingJobResourceConfig+.VolumeKmsKeyId"}},
	"compilation-job": {describe: "describe-compilation-job", create: "create-compilation-job",
		describeOp: "DescribeCompilationJob", createOp: "CreateCompilationJob", nameFlag: "--compilation-job-name",
		nameField: "CompilationJobName", limit: 63, paths: map[string]string{"output": "OutputConfig.KmsKeyId"}},
	"edge-packaging-job": {describe: "describe-edge-packaging-job", create: "create-edge-packaging-job",
		describeOp: "DescribeEdgePackagingJob", createOp: "CreateEdgePackagingJob", nameFlag: "--edge-packaging-job-name",
		nameField: "EdgePackagingJobName", limit: 63, paths: map[string]string{"output": "OutputConfig.KmsKeyId", "volume": "ResourceKey"}},
	"inference-recommendations-job": {describe: "describe-inference-recommendations-job",
		create: "create-inference-recommendations-job", describeOp: "DescribeInferenceRecommendationsJob",
		createOp: "CreateInferenceRecommendationsJob", nameFlag: "--job-name", nameField: "JobName", limit: 64,
		paths: map[string]string{"volume": "InputConfig.VolumeKmsKeyId", "output": "OutputConfig+.KmsKeyId"}},
	"optimization-job": {describe: "describe-optimization-job", create: "create-optimization-job",
		describeOp: "DescribeOptimizationJob", createOp: "CreateOptimizationJob", nameFlag: "--optimization-job-name",
		nameField: "OptimizationJobName", limit: 63, paths: map[string]string{"output": "OutputConfig.KmsKeyId"}},
}

// jobKeys picks the keys the clone gets: every failing slot plus the volume
// and output slots, except a volume on local NVMe storage, which the API
// refuses a key for.
func jobKeys(it *Item, r res, spec jobSpec) []keyArg {
	want := r.slotTypes()
	for _, t := range []string{"volume", "output"} {
		if _, ok := spec.paths[t]; ok && !slices.Contains(want, t) {
			want = append(want, t)
		}
	}
	var out []keyArg
	for _, t := range want {
		if t == "volume" {
			if types := r.localStorageTypes(); len(types) > 0 {
				it.Warnings = append(it.Warnings, fmt.Sprintf("Output key only: instance type %s has local NVMe "+
					"storage, which the instance hardware encrypts; the API refuses a volume key for it.", strings.Join(types, ", ")))
				continue
			}
		}
		if p, ok := spec.paths[t]; ok {
			out = append(out, keyArg{slot: t, paths: p})
		}
	}
	return out
}

// localStorageTypes are the volume slot's instance types with local NVMe
// storage under the kind's instance table. Any one of them makes the API
// refuse a volume key, because one key field covers every instance.
func (r res) localStorageTypes() []string {
	spec, ok := r.kind.Slot("volume")
	if !ok || spec.LocalStorage == catalog.TableNone {
		return nil
	}
	var out []string
	for _, s := range r.inv.Slots {
		if s.Type != "volume" {
			continue
		}
		for _, t := range s.InstanceTypes {
			if catalog.HasLocalStorage(spec.LocalStorage, t) && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// outputURIs are the S3 locations of the old job's failing outputs.
func (r res) outputURIs(perJob bool) []string {
	var out []string
	for _, s := range r.inv.Slots {
		spec, _ := r.kind.Slot(s.Type)
		if !spec.S3Output || s.OutputURI == "" || !r.has(s.Type) {
			continue
		}
		u := s.OutputURI
		if perJob {
			u = strings.TrimSuffix(u, "/") + "/" + r.f.Resource.Name + "/"
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}
