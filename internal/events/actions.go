package events

import (
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
)

// resource says how events name the resources of one catalog kind. Which
// calls create, update and delete it is the catalog's (KindLifecycle), the
// same lists the EventBridge rule is generated from, so the rule and Parse
// cannot disagree. Member names are CloudTrail's: the API's input members
// with a lower-case first letter (NotebookInstanceName →
// notebookInstanceName).
type resource struct {
	kind string
	// arnType is the resource type in the kind's ARNs, which is all a tag
	// event (AddTags, DeleteTags: a resourceArn) says about the kind.
	arnType string
	// names are the requestParameters (then responseElements) members that
	// identify the resource, the first one present winning. A value that is
	// an ARN is reduced to its resource ID, so a create (by name) and a
	// later call by ARN coalesce. When none is present, the resource ID of
	// the response's ARN names it (a versioned model package).
	names []string
	// parent is the member naming the scope the name is unique in (the
	// domain of a user profile), "" when the name is unique in its region.
	parent string
	// parentInARN: the ARN's resource ID is "<parent>/<name>".
	parentInARN bool
}

// resources lists, per catalog kind, how its events name it. A test checks
// every member against the SDK and every kind against the catalog. It is a
// function, so no caller can change what Parse recognises.
func resources() []resource {
	r := func(kind, arnType string, names ...string) resource {
		return resource{kind: kind, arnType: arnType, names: names}
	}
	return []resource{
		r("algorithm", "algorithm", "algorithmName"),
		r("auto-ml-job", "automl-job", "autoMLJobName"),
		// Its ARN ends in the cluster's ID, not its name.
		r("cluster", "cluster", "clusterName"),
		r("compilation-job", "compilation-job", "compilationJobName"),
		r("data-quality-job-definition", "data-quality-job-definition", "jobDefinitionName"),
		r("device-fleet", "device-fleet", "deviceFleetName"),
		// CreateDomain's request has only the name; its response has the ID.
		r("domain", "domain", "domainId"),
		r("edge-packaging-job", "edge-packaging-job", "edgePackagingJobName"),
		r("endpoint", "endpoint", "endpointName"),
		r("endpoint-config", "endpoint-config", "endpointConfigName"),
		r("feature-group", "feature-group", "featureGroupName"),
		r("flow-definition", "flow-definition", "flowDefinitionName"),
		r("hyper-parameter-tuning-job", "hyper-parameter-tuning-job", "hyperParameterTuningJobName"),
		r("inference-experiment", "inference-experiment", "name"),
		r("inference-recommendations-job", "inference-recommendations-job", "jobName"),
		r("labeling-job", "labeling-job", "labelingJobName"),
		r("model-bias-job-definition", "model-bias-job-definition", "jobDefinitionName"),
		r("model-card", "model-card", "modelCardName"),
		{kind: "model-customization-job", arnType: "job", names: []string{"jobName"}, parent: "jobCategory"},
		r("model-explainability-job-definition", "model-explainability-job-definition", "jobDefinitionName"),
		// A versioned package is created in a group and named by its ARN.
		r("model-package", "model-package", "modelPackageName", "modelPackageArn"),
		r("model-quality-job-definition", "model-quality-job-definition", "jobDefinitionName"),
		r("monitoring-schedule", "monitoring-schedule", "monitoringScheduleName"),
		r("notebook-instance", "notebook-instance", "notebookInstanceName"),
		r("optimization-job", "optimization-job", "optimizationJobName"),
		// DescribePartnerApp takes the ARN; CreatePartnerApp's name is not it.
		r("partner-app", "partner-app", "arn"),
		r("pipeline", "pipeline", "pipelineName"),
		r("processing-job", "processing-job", "processingJobName"),
		r("training-job", "training-job", "trainingJobName"),
		r("transform-job", "transform-job", "transformJobName"),
		{kind: "user-profile", arnType: "user-profile", names: []string{"userProfileName"}, parent: "domainId", parentInARN: true},
	}
}

// sageMakerAction is what one lifecycle call does to one kind.
type sageMakerAction struct {
	resource
	delete bool
}

// lookupSageMaker finds the kind a lifecycle call (its eventName) acts on.
func lookupSageMaker(eventName string) (sageMakerAction, bool) {
	for _, r := range resources() {
		l, _ := catalog.KindLifecycle(r.kind)
		if slices.Contains(l.Create, eventName) || slices.Contains(l.Update, eventName) {
			return sageMakerAction{resource: r}, true
		}
		if slices.Contains(l.Delete, eventName) {
			return sageMakerAction{resource: r, delete: true}, true
		}
	}
	return sageMakerAction{}, false
}

// lookupARNType finds the kind whose ARNs have the resource type t.
func lookupARNType(t string) (resource, bool) {
	for _, r := range resources() {
		if r.arnType == t {
			return r, true
		}
	}
	return resource{}, false
}

// kmsDeletes are the KMS calls after which the key (or alias) is gone or
// going: findings about it resolve as deleted once the check confirms it.
func kmsDeletes() []string {
	return []string{"DeleteAlias", "ScheduleKeyDeletion"}
}

// Actions returns, sorted, every action Parse recognises, IAM-style
// ("sagemaker:CreateNotebookInstance", "kms:DisableKey"): the catalog's
// SageMaker and KMS event names, which the EventBridge rule matches. It
// builds a fresh slice each call.
func Actions() []string {
	var out []string
	for _, a := range catalog.SageMakerEvents() {
		out = append(out, prefixSageMaker+a)
	}
	for _, a := range catalog.KMSKeyEvents() {
		out = append(out, prefixKMS+a)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Action prefixes, IAM's service names.
const (
	prefixSageMaker = "sagemaker:"
	prefixKMS       = "kms:"
)

// arnParts splits an ARN's resource into its type and ID
// ("arn:aws:sagemaker:r:a:model-package/group/3" → "model-package",
// "group/3"); ok is false for a value that is not an ARN with both.
func arnParts(v string) (typ, id string, ok bool) {
	if !strings.HasPrefix(v, "arn:") {
		return "", "", false
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) < 6 {
		return "", "", false
	}
	return strings.Cut(parts[5], "/")
}

// resourceID reduces an ARN to its resource ID; a value that is not an ARN
// is returned as it is.
func resourceID(v string) string {
	if _, id, ok := arnParts(v); ok {
		return id
	}
	if parts := strings.SplitN(v, ":", 6); strings.HasPrefix(v, "arn:") && len(parts) == 6 {
		return parts[5]
	}
	return v
}
