package sagemaker

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const describeModelOp = "sagemaker:DescribeModel"

// executionRoles is the one way a resource's roles are recorded: sorted,
// distinct and without empty strings, so two scans of the same resource
// compare equal and an absent field never reads as a role named "".
func executionRoles(arns ...string) []string {
	var out []string
	for _, a := range arns {
		if a != "" {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// executionRoleField names where a kind's execution roles are read from
// and whether every resource of the kind has one (its Create call requires
// it); "" for kinds whose workload runs as no role of the customer's. It
// is this package's own copy of which kinds have a catalog Kind.RoleField,
// for its own decisions (which stored records predate roles, which
// Describe output lacks one); TestRoleKindsMatchTheCatalog keeps the two
// in step.
func executionRoleField(kind string) (field string, required bool) {
	switch kind {
	case kindNotebook, kindTrainingJob, kindProcessingJob, kindAutoMLJob, kindLabelingJob, kindCompilationJob,
		kindEdgePackagingJob, kindRecommendationsJob, kindOptimizationJob, kindCustomizationJob,
		kindInferenceExperiment, kindFlowDefinition,
		"data-quality-job-definition", "model-quality-job-definition", "model-bias-job-definition",
		"model-explainability-job-definition":
		return "RoleArn", true
	case kindPartnerApp:
		return "ExecutionRoleArn", true
	case kindCluster:
		return "InstanceGroups[].ExecutionRole", true
	case kindTuningJob:
		return "TrainingJobDefinition(s).RoleArn", true
	case kindMonitoringSchedule:
		return "MonitoringJobDefinition.RoleArn", true
	// These run as the ExecutionRoleArn of the models they name (DescribeModel).
	case kindTransformJob:
		return "ModelName", true
	case kindEndpointConfig:
		return "ProductionVariants[].ModelName", true
	case kindEndpoint:
		return "EndpointConfigName", true
	// Optional: an absent role is a fact, not a failure to read. A feature
	// group without an offline store and a device fleet need none, a user
	// profile inherits its domain's, a domain may leave it to its profiles,
	// a pipeline of Lambda steps runs no job, and an algorithm without
	// validation runs nothing.
	case kindFeatureGroup, kindDeviceFleet:
		return "RoleArn", false
	case kindUserProfile:
		return "UserSettings.ExecutionRole", false
	case kindDomain:
		return "DefaultUserSettings.ExecutionRole", false
	case kindPipeline:
		return "Steps[].Arguments.RoleArn", false
	case kindAlgorithm:
		return "ValidationSpecification.ValidationRole", false
	}
	// Model cards and model packages: their content keys are used with the
	// credentials of whoever calls their APIs (a package's ValidationRole
	// runs only its validation jobs).
	return "", false
}

// runsAsRole says whether resources of kind record execution roles.
func runsAsRole(kind string) bool {
	field, _ := executionRoleField(kind)
	return field != ""
}

// storedWithoutRoles says whether a stored record of kind was written
// before collectors recorded execution roles: the kind has roles, yet the
// record carries neither a role nor a reason why none was read. Reusing it
// would leave the resource without roles for good, so it is described again.
func storedWithoutRoles(kind string, r inventory.Resource) bool {
	return runsAsRole(kind) && len(r.ExecutionRoles) == 0 && r.RolesUnknown == ""
}

// requireRole records why a described resource of a kind that always has
// a role shows none: a key-access check must say ERROR, not "runs as no
// role" (NOT_APPLICABLE).
func requireRole(kind, op string, res inventory.Resource) inventory.Resource {
	if field, required := executionRoleField(kind); required && len(res.ExecutionRoles) == 0 && res.RolesUnknown == "" {
		res.RolesUnknown = fmt.Sprintf("%s returned no %s", op, field)
	}
	return res
}

// modelAPI is the one call the model cache makes; API, JobsAPI and
// PipelineAPI all carry it.
type modelAPI interface {
	DescribeModel(ctx context.Context, in *sm.DescribeModelInput, optFns ...func(*sm.Options)) (*sm.DescribeModelOutput, error)
}

// modelRoles reads each model's execution role at most once per collector
// set, however many endpoint configs, endpoints, transform jobs and
// pipeline steps name it: accounts serve one model from many configs, and DescribeModel is
// rate limited like every SageMaker call. Failures are kept too, since
// asking again would only repeat them. Safe for concurrent use.
type modelRoles struct {
	api   modelAPI
	calls flight[modelKey, string]
}

// modelKey scopes a model name to its target, so a set run against two
// targets never mixes their models.
type modelKey struct{ account, region, name string }

func newModelRoles(api modelAPI) *modelRoles {
	return &modelRoles{api: api}
}

// role returns the model's execution role ("" when it names none).
func (m *modelRoles) role(ctx context.Context, t collect.Target, name string) (string, error) {
	return m.calls.do(ctx, modelKey{t.Account, t.Region, name}, func(ctx context.Context) (string, error) {
		out, err := m.api.DescribeModel(ctx, &sm.DescribeModelInput{ModelName: aws.String(name)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ExecutionRoleArn), nil
	})
}

// rolesOf returns the execution roles of the named models and, for those
// that could not be read, why; the resource is still reported either way.
// The error is only ever ctx's.
func (m *modelRoles) rolesOf(ctx context.Context, t collect.Target, models []string) ([]string, string, error) {
	var roles, reasons []string
	for _, name := range executionRoles(models...) { // sorted and distinct: stable reasons
		role, err := m.role(ctx, t, name)
		switch {
		case err == nil && role == "":
			reasons = append(reasons, "model "+name+" names no execution role")
		case err == nil:
			roles = append(roles, role)
		case ctx.Err() != nil:
			return nil, "", ctx.Err()
		// SageMaker keeps serving an endpoint whose model was deleted, and a
		// job outlives its model: a real state to report, not a race.
		case awserr.Classify(err) == awserr.NotFound:
			reasons = append(reasons, "model "+name+" no longer exists")
		default:
			reasons = append(reasons, "model "+name+" could not be described: "+awserr.Reason(describeModelOp, err))
		}
	}
	return executionRoles(roles...), strings.Join(reasons, "; "), nil
}

// joinReasons joins the non-empty reasons.
func joinReasons(reasons ...string) string {
	return strings.Join(slices.DeleteFunc(reasons, func(s string) bool { return s == "" }), "; ")
}

// flight runs one call per key and hands its result to every caller, the
// first and those that arrive while it runs or after (singleflight plus a
// cache). A call that failed because its own caller's ctx ended is
// forgotten, so a caller whose ctx is still live asks again instead of
// inheriting someone else's cancellation; so is one that panicked, so its
// waiters do not wait forever. The zero value is ready to use.
type flight[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{} // closed when val, err and retry are final
	val  V
	err  error
	// retry: the call says nothing about the key (canceled or panicked);
	// waiters ask again.
	retry bool
}

func (f *flight[K, V]) do(ctx context.Context, key K, fn func(context.Context) (V, error)) (V, error) {
	for {
		f.mu.Lock()
		if f.calls == nil {
			f.calls = map[K]*flightCall[V]{}
		}
		c, ok := f.calls[key]
		if !ok {
			c = &flightCall[V]{done: make(chan struct{})}
			f.calls[key] = c
			f.mu.Unlock()
			return f.lead(ctx, key, c, fn)
		}
		f.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
		if !c.retry {
			return c.val, c.err
		}
	}
}

// lead makes the call for key and publishes its result.
func (f *flight[K, V]) lead(ctx context.Context, key K, c *flightCall[V], fn func(context.Context) (V, error)) (V, error) {
	finished := false
	defer func() {
		if !finished || c.retry {
			c.retry = true
			f.mu.Lock()
			delete(f.calls, key)
			f.mu.Unlock()
		}
		close(c.done)
	}()
	c.val, c.err = fn(ctx)
	c.retry = c.err != nil && ctx.Err() != nil
	finished = true
	return c.val, c.err
}
