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
	"iter"
	"time"

	"github.com/sagekey/sagekey/internal/inventory"
)

// Target is one account and region a collector reads, and what the scan
// already knows about it.
type Target struct {
	Account string
	Region  string
	// Since bounds job history: collectors may ask AWS only for jobs
	// created at or after it (zero means all history). The scan still
	// filters what comes back, so a source that ignores the bound costs
	// calls, not correctness.
	Since time.Time
	// Known serves records described by earlier scans; nil describes
	// everything (a first or a --full scan).
	Known Known
	// Tags, when set, serves tags read in pages (tag:GetResources) so a
	// collector reads a resource's tags with ListTags only when it is not
	// there; nil reads every resource's tags with ListTags.
	Tags TagSource
	// SearchLag is how far Search's index may trail the API: collectors
	// that read with Search page again what was created (or, for mutable
	// kinds, modified) within it; 0 takes the collectors' default
	// (sagemaker.DefaultSearchLag, an hour).
	SearchLag time.Duration
	// Only, when non-nil, names the resources to read instead of listing
	// the kinds: an event-driven check reads exactly these, and a kind
	// with none of them is not read at all. A named resource that no
	// longer exists is skipped, as one that vanished after List is.
	Only []Ref
}

// TagSource serves the tags of many resources read at once.
type TagSource interface {
	// Tags returns the tags of the resource arn, created at created (zero
	// when unknown), and true when the source vouches for them; false
	// means "read them yourself": the source did not see the resource, it
	// is too new for the source to be trusted, or the source failed.
	Tags(ctx context.Context, arn string, created time.Time) (map[string]string, bool)
}

// Ref names one resource to read without listing it, the way an event
// names it (events.Target).
type Ref struct {
	// Kind is the catalog kind id.
	Kind string
	// Name is how the kind's Describe call names the resource (a domain's
	// ID, a partner app's ARN); a tag event knows only the ARN's resource
	// ID, which is the name for most kinds.
	Name string
	// Parent is the scope Name is unique in (a user profile's domain, a
	// model-customization job's category), "" for most kinds.
	Parent string
	// ARN, when known, is the resource's ARN.
	ARN string
}

// OnlyOf returns the refs of kind in t.Only.
func (t Target) OnlyOf(kind string) []Ref {
	var out []Ref
	for _, r := range t.Only {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// Known is what earlier scans stored about immutable records (jobs,
// endpoint configs): their key slots are fixed at creation, so a record
// described once never needs describing again. A record is identified by
// its ARN and creation time, so a resource deleted and recreated under the
// same name is described anew.
//
// A job history of 100,000 records is never held whole: Records streams
// them and Lookup fetches one page's worth.
type Known interface {
	// Records yields the stored records of kind in t, one at a time, in no
	// particular order; an error ends the sequence.
	Records(ctx context.Context, t Target, kind string) iter.Seq2[inventory.Resource, error]
	// Lookup returns the stored records of kind in t among arns, by ARN.
	Lookup(ctx context.Context, t Target, kind string, arns []string) (map[string]inventory.Resource, error)
	// CompleteBefore returns the time before which every record of kind in
	// t created earlier is stored, when there is one: the start of the
	// last scan whose listing of that kind there was complete.
	CompleteBefore(ctx context.Context, t Target, kind string) (time.Time, bool)
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
