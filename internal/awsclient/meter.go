package awsclient

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// OperationCalls is what one API operation cost a scan. Calls are the
// operations the code asked for (one per page of a paginated list); every
// further attempt the retryer made is a retry, and the throttled attempts
// among all attempts are counted apart because they show how close the scan
// ran to the account's quotas.
type OperationCalls struct {
	Operation string // "sagemaker:Search"
	Calls     int64
	Retries   int64
	Throttles int64
}

// Meter counts API calls, retries and throttles per operation across every
// client of a scan. It is safe for concurrent use; the zero value is not
// usable, use NewMeter.
type Meter struct {
	mu  sync.Mutex
	ops map[string]*operationCount
}

type operationCount struct {
	calls, attempts, throttles int64
}

// NewMeter returns an empty Meter.
func NewMeter() *Meter { return &Meter{ops: map[string]*operationCount{}} }

// Operations returns the counts so far, sorted by operation.
func (m *Meter) Operations() []OperationCalls {
	m.mu.Lock()
	out := make([]OperationCalls, 0, len(m.ops))
	for op, c := range m.ops {
		// The first attempt of a call is the call itself.
		out = append(out, OperationCalls{Operation: op, Calls: c.calls, Retries: max(c.attempts-c.calls, 0), Throttles: c.throttles})
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b OperationCalls) int { return cmp.Compare(a.Operation, b.Operation) })
	return out
}

func (m *Meter) add(op string, calls, attempts, throttles int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.ops[op]
	if !ok {
		c = &operationCount{}
		m.ops[op] = c
	}
	c.calls += calls
	c.attempts += attempts
	c.throttles += throttles
}

// operationName is "service:Operation" as IAM spells it, from the SDK's
// stack metadata ("SageMaker", "ListTags" → "sagemaker:ListTags").
func operationName(ctx context.Context) string {
	service := strings.ToLower(strings.ReplaceAll(awsmiddleware.GetServiceID(ctx), " ", ""))
	return iamPrefix(service) + ":" + awsmiddleware.GetOperationName(ctx)
}

// iamPrefix is the IAM prefix of a service whose SDK service ID differs
// from it, so counts read as the permissions a policy names.
func iamPrefix(service string) string {
	if service == "resourcegroupstaggingapi" {
		return "tag"
	}
	return service
}

// isThrottle is the retryer's own test, so the meter and the retryer agree
// on what a throttle is.
var isThrottle = retry.IsErrorThrottles(retry.DefaultThrottles)

// instrument returns the API option that meters every call and applies
// limits (when not nil) to every attempt, retries included: a retry spends
// the same quota as the first try.
func instrument(meter *Meter, limits *RateLimits) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		call := middleware.InitializeMiddlewareFunc("sagekey/call-meter",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if meter != nil {
					meter.add(operationName(ctx), 1, 0, 0)
				}
				return next.HandleInitialize(ctx, in)
			})
		attempt := middleware.DeserializeMiddlewareFunc("sagekey/attempt-meter",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				op := operationName(ctx)
				if limits != nil {
					if err := limits.wait(ctx, awsmiddleware.GetRegion(ctx), op); err != nil {
						return middleware.DeserializeOutput{}, middleware.Metadata{}, err
					}
				}
				out, md, err := next.HandleDeserialize(ctx, in)
				if meter != nil {
					var throttled int64
					if err != nil && isThrottle.IsErrorThrottle(err) == aws.TrueTernary {
						throttled = 1
					}
					meter.add(op, 0, 1, throttled)
				}
				return out, md, err
			})
		// After, not Before: some service modules (securityhub) name the
		// operation in an initialize middleware of their own, and a call
		// counted before it would be booked under no operation.
		if err := stack.Initialize.Add(call, middleware.After); err != nil {
			return err
		}
		// The deserialize step runs once per attempt (the retry loop is in
		// the finalize step before it), and wrapping the operation's
		// deserializer lets this see the decoded error, e.g. a throttle.
		return stack.Deserialize.Add(attempt, middleware.Before)
	}
}

// Instrument returns a copy of cfg whose clients count their calls in meter
// and respect limits. Each account needs its own limits (quotas are per
// account and region); one meter serves the whole scan.
func Instrument(cfg aws.Config, meter *Meter, limits *RateLimits) aws.Config {
	out := cfg.Copy()
	out.APIOptions = append(slices.Clone(cfg.APIOptions), instrument(meter, limits))
	return out
}
