package bench

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"golang.org/x/sync/errgroup"
)

// NaiveWorkers is the size of the naive scanner's worker pool per region
// and kind.
const NaiveWorkers = 10

// naivePageSize is the API maximum MaxResults of the List calls it uses.
const naivePageSize = 100

// maxErrorSamples bounds the error messages a naive run keeps.
const maxErrorSamples = 5

// NaiveOptions configure the naive baseline scanner.
type NaiveOptions struct {
	EndpointURL string
	Regions     []string
	Workers     int // per region and kind; <= 0 means NaiveWorkers
}

// NaiveResult is what the naive scanner saw. Its API calls are counted by
// the proxy, not here.
type NaiveResult struct {
	Resources     map[string]int `json:"resources"`      // described, by kind
	KeyReferences int            `json:"key_references"` // key references found on resources
	Errors        int            `json:"errors"`
	ErrorSamples  []string       `json:"error_samples,omitempty"`
}

// RunNaive scans like common scanners do: for every region and kind, list
// every page, then, with a bounded worker pool, Describe each resource,
// ListTags it, and for every key reference on it call kms:DescribeKey and
// kms:GetKeyRotationStatus, with no cache. All region × kind scans run at
// once, as sagekey's collectors do, so the comparison is about calls, not
// parallelism. The SDK's default retry policy applies. Failures are counted
// and sampled, never fatal: the scan goes on like a scanner would.
func RunNaive(ctx context.Context, opts NaiveOptions) (NaiveResult, error) {
	if opts.EndpointURL == "" || len(opts.Regions) == 0 {
		return NaiveResult{}, fmt.Errorf("bench: naive: need an endpoint URL and regions")
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = NaiveWorkers
	}
	rec := &naiveRecorder{resources: map[string]int{}}
	var g errgroup.Group
	for _, region := range opts.Regions {
		cfg := naiveConfig(opts.EndpointURL, region)
		sc := &naiveScanner{sm: sagemaker.NewFromConfig(cfg), kms: kms.NewFromConfig(cfg), rec: rec, workers: workers}
		for _, kind := range naiveKinds() {
			g.Go(func() error { return sc.scanKind(ctx, kind) })
		}
	}
	if err := g.Wait(); err != nil {
		return NaiveResult{}, err
	}
	return rec.result(), ctx.Err()
}

// naiveConfig is an SDK configuration with static credentials and the
// SDK's default (standard, 3 attempts) retryer.
func naiveConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("bench", "bench", "")),
		Retryer:      func() aws.Retryer { return retry.NewStandard() },
	}
}

// naiveKind is one estate kind as the naive scanner reads it.
type naiveKind struct {
	kind string
	// list returns every resource name, page by page.
	list func(ctx context.Context, sm *sagemaker.Client) ([]string, error)
	// describe returns the resource's ARN and the key references it names.
	describe func(ctx context.Context, sm *sagemaker.Client, name string) (arn string, keyRefs []string, err error)
}

type naiveScanner struct {
	sm      *sagemaker.Client
	kms     *kms.Client
	rec     *naiveRecorder
	workers int
}

// scanKind returns an error only when ctx ends.
func (s *naiveScanner) scanKind(ctx context.Context, k naiveKind) error {
	names, err := k.list(ctx, s.sm)
	if err != nil {
		s.rec.fail(fmt.Errorf("list %ss: %w", k.kind, err))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.workers)
	for _, name := range names {
		g.Go(func() error {
			s.scanResource(gctx, k, name)
			return gctx.Err()
		})
	}
	return g.Wait()
}

func (s *naiveScanner) scanResource(ctx context.Context, k naiveKind, name string) {
	arn, refs, err := k.describe(ctx, s.sm, name)
	if err != nil {
		s.rec.fail(fmt.Errorf("describe %s %s: %w", k.kind, name, err))
		return
	}
	s.rec.described(k.kind, len(refs))
	p := sagemaker.NewListTagsPaginator(s.sm, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn), MaxResults: aws.Int32(naivePageSize)})
	for p.HasMorePages() {
		if _, err := p.NextPage(ctx); err != nil {
			s.rec.fail(fmt.Errorf("list tags of %s: %w", arn, err))
			break
		}
	}
	for _, ref := range refs {
		if _, err := s.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)}); err != nil {
			s.rec.fail(fmt.Errorf("describe key %s: %w", ref, err))
		}
		if _, err := s.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(ref)}); err != nil {
			s.rec.fail(fmt.Errorf("key rotation of %s: %w", ref, err))
		}
	}
}

// naiveRecorder collects what the workers saw.
type naiveRecorder struct {
	mu        sync.Mutex
	resources map[string]int
	keyRefs   int
	errors    int
	samples   []string
}

func (r *naiveRecorder) described(kind string, keyRefs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources[kind]++
	r.keyRefs += keyRefs
}

func (r *naiveRecorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors++
	if len(r.samples) < maxErrorSamples {
		r.samples = append(r.samples, err.Error())
	}
}

func (r *naiveRecorder) result() NaiveResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := NaiveResult{Resources: map[string]int{}, KeyReferences: r.keyRefs, Errors: r.errors}
	for k, v := range r.resources {
		res.Resources[k] = v
	}
	res.ErrorSamples = append(res.ErrorSamples, r.samples...)
	return res
}

// appendKey appends ref when it is set.
func appendKey(refs []string, ref *string) []string {
	if v := aws.ToString(ref); v != "" {
		return append(refs, v)
	}
	return refs
}
