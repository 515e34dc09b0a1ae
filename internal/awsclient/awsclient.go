// Package awsclient is the only place sagekey builds an aws.Config.
//
// Keeping it in one place means every AWS call of a scan shares the same
// credential chain, region rules, endpoint override and retry policy: an
// audit is only as complete as its most impatient client, so a collector
// that quietly used the SDK's default of 3 attempts would turn ordinary
// throttling into gaps in the report. The rest of the code receives an
// aws.Config (or narrow client interfaces) and never reads AWS settings from
// the environment itself.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Retry defaults. Read-only audit calls are cheap to repeat and expensive to
// lose, so they retry longer than the SDK default (3 attempts).
const (
	DefaultMaxAttempts = 8
	maxBackoff         = 20 * time.Second
)

// ErrNoRegion is wrapped in the Error Load returns when neither the options
// nor the environment or profile name a region. sagekey never guesses one:
// scanning the wrong region would report "no resources" instead of failing.
var ErrNoRegion = errors.New("no region")

// Options selects how to reach AWS. Zero values mean "use the SDK's usual
// sources" (environment, shared config and credentials files).
type Options struct {
	// Profile is a shared-config profile name; empty uses AWS_PROFILE or
	// "default".
	Profile string
	// Region overrides the environment and profile region.
	Region string
	// EndpointURL sends every service to one endpoint (moto, LocalStack).
	// The SDK already honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>
	// (config v1.33.15 reads them into Config.BaseEndpoint and the service
	// clients' BaseEndpoint), so this is only needed for an explicit flag.
	EndpointURL string
	// MaxAttempts per request, including the first; <= 0 uses
	// DefaultMaxAttempts.
	MaxAttempts int
}

// Load builds the aws.Config for a scan. It fails if no region is
// configured anywhere.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer(attempts) }),
		config.WithLogger(sdkLogger{}),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		if explained := unknownProfile(ctx, o, err); explained != nil {
			return aws.Config{}, explained
		}
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if o.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(o.EndpointURL)
	}
	if cfg.Region == "" {
		return aws.Config{}, noRegion(ctx, cfg, o)
	}
	explainCredentials(&cfg, o)
	return cfg, nil
}

// newRetryer is the SDK's adaptive retryer: after a throttling error it
// slows the client's request rate down, then lets it recover, so a scan
// that meets a busy quota backs off as a whole instead of every goroutine
// retrying on its own schedule. Underneath it is the standard retryer with
// more attempts and without the client-side retry quota. That quota (a
// token bucket shared by a client's calls) exists to fail fast during
// outages; for an audit that fans out many concurrent reads it would turn a
// burst of throttling into requests that are never retried, i.e. into
// unknowns in the report. Backoff with jitter, capped at maxBackoff, still
// spaces the retries out.
func newRetryer(attempts int) aws.Retryer {
	return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
		ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = maxBackoff
			so.RateLimiter = ratelimit.None
		})
	})
}
