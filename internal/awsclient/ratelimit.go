package awsclient

import (
	"context"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// Request rates sagekey allows itself per account, region and operation.
//
// SageMaker throttles its control-plane APIs per account and region and per
// operation, and it does not publish the numbers for most of them; List*
// and Search are the tightest (a few requests per second sustained), while
// Describe* and ListTags take more. KMS publishes its quotas: DescribeKey,
// GetKeyPolicy, GetKeyRotationStatus and ListResourceTags share the
// "read" quotas of at least 1,000 requests per second in every region. The
// auditor shares every quota with the workloads it audits, so it stays well
// below them on its own instead of learning them from throttling errors; the
// SDK's adaptive retry mode slows down further when a quota is hit anyway.
//
// CloudTrail's LookupEvents is the exception that runs at its quota: it is
// fixed at 2 requests per second per account and region
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html)
// and a trail read is nothing but LookupEvents pages, so anything slower
// only makes the read longer. A burst of 1 spaces every request half a
// second apart, so concurrent readers of one account and region never send
// three in a second.
//
// S3 serves at least 5,500 GET/HEAD requests per second per partitioned
// prefix, and every account, region and day of a trail is a prefix of its
// own. Reading a trail is bulk work, one GetObject per log file
// (CloudTrail delivers one about every 5 minutes per account and region:
// an organization of 100 accounts in 3 regions writes ~86,000 a day), and
// all of them go through the reader's one bucket of this account, so S3
// gets 1,000 requests per second: a fifth of one prefix's quota, which
// CloudTrail's own deliveries (PUTs, a quota of their own) do not share.
// At 200 a second, sagekey's own rate, not S3 or decoding, set the pace.
var (
	listRate         = rateLimit{perSecond: 5, burst: 5}
	describeRate     = rateLimit{perSecond: 40, burst: 40}
	kmsRate          = rateLimit{perSecond: 100, burst: 100}
	lookupEventsRate = rateLimit{perSecond: 2, burst: 1, fixed: true}
	s3Rate           = rateLimit{perSecond: 1000, burst: 1000}
	otherRate        = rateLimit{perSecond: 10, burst: 10}
)

type rateLimit struct {
	perSecond rate.Limit
	burst     int
	// fixed marks a published, non-adjustable quota that --rate-scale may
	// lower but never raise: above it every extra request is throttled.
	fixed bool
}

// rateFor returns the limit of an operation ("sagemaker:ListTags").
func rateFor(op string) rateLimit {
	service, name, _ := strings.Cut(op, ":")
	switch {
	case service == "kms":
		return kmsRate
	case op == "cloudtrail:LookupEvents":
		return lookupEventsRate
	case service == "s3":
		return s3Rate
	case service != "sagemaker":
		return otherRate
	case strings.HasPrefix(name, "List") && name != "ListTags", name == "Search":
		return listRate
	default: // Describe*, ListTags, Get*
		return describeRate
	}
}

// RateLimits holds one token bucket per region and operation for one
// account. It is safe for concurrent use; create one per account with
// NewRateLimits.
type RateLimits struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	// scale multiplies every rate; tests and the benchmark keep it at 1.
	scale float64
}

// NewRateLimits returns the limits of one account. scale multiplies the
// default rates (<= 0 means 1).
func NewRateLimits(scale float64) *RateLimits {
	if scale <= 0 {
		scale = 1
	}
	return &RateLimits{buckets: map[string]*rate.Limiter{}, scale: scale}
}

// wait blocks until op may be sent to region, or ctx ends.
func (l *RateLimits) wait(ctx context.Context, region, op string) error {
	l.mu.Lock()
	b, ok := l.buckets[region+"/"+op]
	if !ok {
		r := rateFor(op)
		scale := l.scale
		if r.fixed {
			scale = min(scale, 1)
		}
		b = rate.NewLimiter(r.perSecond*rate.Limit(scale), max(1, int(float64(r.burst)*scale)))
		l.buckets[region+"/"+op] = b
	}
	l.mu.Unlock()
	return b.Wait(ctx)
}
