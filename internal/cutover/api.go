package cutover

import (
	"context"
	"time"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// API is the SageMaker surface a cut-over uses: three reads and three
// writes, nothing else.
type API interface {
	DescribeEndpoint(ctx context.Context, in *sm.DescribeEndpointInput, optFns ...func(*sm.Options)) (*sm.DescribeEndpointOutput, error)
	DescribeEndpointConfig(ctx context.Context, in *sm.DescribeEndpointConfigInput, optFns ...func(*sm.Options)) (*sm.DescribeEndpointConfigOutput, error)
	ListTags(ctx context.Context, in *sm.ListTagsInput, optFns ...func(*sm.Options)) (*sm.ListTagsOutput, error)
	ListEndpoints(ctx context.Context, in *sm.ListEndpointsInput, optFns ...func(*sm.Options)) (*sm.ListEndpointsOutput, error)
	CreateEndpointConfig(ctx context.Context, in *sm.CreateEndpointConfigInput, optFns ...func(*sm.Options)) (*sm.CreateEndpointConfigOutput, error)
	UpdateEndpoint(ctx context.Context, in *sm.UpdateEndpointInput, optFns ...func(*sm.Options)) (*sm.UpdateEndpointOutput, error)
	DeleteEndpointConfig(ctx context.Context, in *sm.DeleteEndpointConfigInput, optFns ...func(*sm.Options)) (*sm.DeleteEndpointConfigOutput, error)
}

// Request is one endpoint to move onto KeyARN.
type Request struct {
	Endpoint string
	// KeyARN is the customer-managed key, in the endpoint's region, that
	// every slot of the new config gets.
	KeyARN string
}

// Options tune how a cut-over waits and checks itself.
type Options struct {
	// PollInterval and Timeout bound the wait for InService (defaults 30 s
	// and 1 h: a real deployment takes minutes).
	PollInterval, Timeout time.Duration
	// Verify re-scans the endpoint after the update and returns an error
	// unless its keys now pass; nil skips verification, and then the old
	// config is never deleted.
	Verify func(ctx context.Context, endpointARN string) error
	// Now names the new config (tests pin it).
	Now func() time.Time
}

// Step names, in order.
const (
	StepRead   = "read the endpoint and its config"
	StepCreate = "create the new endpoint config with the key"
	StepUpdate = "update the endpoint to the new config"
	StepWait   = "wait for the endpoint to be InService on the new config"
	StepVerify = "verify the endpoint's keys with a re-scan"
	StepDelete = "delete the old endpoint config"
)

// Step statuses.
const (
	Done    = "done"
	Failed  = "failed"
	Skipped = "skipped"
	NotRun  = "not run"
)

// Step is what happened at one step.
type Step struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Result is the whole account of one cut-over.
type Result struct {
	Endpoint  string `json:"endpoint"`
	OldConfig string `json:"old_config,omitempty"`
	NewConfig string `json:"new_config,omitempty"`
	Steps     []Step `json:"steps"`
	// ServingConfig is the config the endpoint serves from when sagekey
	// stopped, read back from SageMaker after a failure.
	ServingConfig string `json:"serving_config,omitempty"`
	// Error is why the cut-over stopped; empty when it completed.
	Error string `json:"error,omitempty"`
	// Cleanup lists what an operator may want to undo by hand after a
	// failure (a created config that nothing uses).
	Cleanup []string `json:"cleanup,omitempty"`
}

// OK reports whether every step completed (a skipped delete still counts).
func (r Result) OK() bool { return r.Error == "" }
