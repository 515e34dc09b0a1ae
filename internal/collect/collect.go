// Package collect is the collect stage of a scan: live sources (today the
// SageMaker API, one collector per resource family and region) read an AWS
// estate and fill the SDK-free inventory model. Keeping the SDK behind this
// stage means evaluation and reporting only ever see inventory types, so
// they behave the same whether facts came from AWS, a snapshot or IaC.
//
// A scan must never pass what it could not see. Collectors therefore report
// expected failures (a denied List, say) as inventory gaps themselves, and
// Run turns anything unexpected (an error, a panic, a cancellation) into a
// gap for that collector, so one broken region or collector cannot silently
// shrink the result or stop the others.
package collect

import (
	"context"

	"github.com/sagekey/sagekey/internal/inventory"
)

// Target is one account and region a collector reads.
type Target struct {
	Account string
	Region  string
}

// Sink receives what collectors find. Collectors call it from many
// goroutines at once, so implementations must be safe for concurrent use.
type Sink interface {
	Resource(inventory.Resource)
	Gap(inventory.Gap)
}

// Collector reads one family of resources in one target.
type Collector interface {
	// Name identifies the collector in logs and gaps, e.g. "sagemaker:hosting".
	Name() string
	// Kinds are the catalog kind ids the collector emits.
	Kinds() []string
	// Collect reads the target and sends resources and gaps to sink.
	// Expected failures are reported as gaps; a returned error means the
	// collector could not finish for an unexpected reason (or ctx ended).
	Collect(ctx context.Context, t Target, sink Sink) error
}
