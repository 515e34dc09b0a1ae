package keys

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/awserr"
)

// defaultResolveLimit bounds ResolveAll when the caller passes no limit. KMS
// read quotas are shared with every other KMS caller in the account, so the
// auditor stays well below them.
const defaultResolveLimit = 8

// Resolver turns key references into Keys by asking KMS, once per key per
// scan. It is safe for concurrent use; create one per scan (per scanning
// account) so cached results never outlive the scan they describe.
//
// Results are cached under two keys:
//   - the canonical reference, so concurrent Resolve calls of the same
//     reference make one DescribeKey call;
//   - the key ARN DescribeKey returns, so an alias and the key ID of the
//     same key make one rotation, policy and tags call each (and one
//     grants read, WithGrants).
//
// The context of the first caller of a cache entry is the one its KMS calls
// run under; callers are expected to share the scan's context.
type Resolver struct {
	account   string
	clientFor func(region string) KMSAPI
	calls     callCounts
	// grants: read each customer-managed key's grants (WithGrants).
	grants bool

	mu      sync.Mutex
	clients map[string]KMSAPI // by region
	byRef   map[string]*cell  // by canonical reference
	byARN   map[string]*cell  // by key ARN from DescribeKey
}

// cell holds one resolution that is computed exactly once.
type cell struct {
	once sync.Once
	key  *Key
}

// NewResolver returns a Resolver for a scan running with the credentials of
// account. account decides which keys' policies and tags are read: KMS only
// serves those to the key's own account. An empty account means "unknown";
// the resolver then attempts the reads and lets KMS decide. clientFor returns
// the KMS client for a region; it is called at most once per region.
func NewResolver(account string, clientFor func(region string) KMSAPI, opts ...Option) *Resolver {
	r := &Resolver{
		account:   account,
		clientFor: clientFor,
		clients:   map[string]KMSAPI{},
		byRef:     map[string]*cell{},
		byARN:     map[string]*cell{},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Option changes what a Resolver reads.
type Option func(*Resolver)

// WithGrants makes the resolver read the grants of every customer-managed
// key of its own account (kms:ListGrants, one paginated read per key). It is
// off by default: only the key-access checks need grants, and a key can
// have thousands of them (SageMaker creates one per job or endpoint), so a
// scan that does not look at them should not pay for them.
func WithGrants() Option { return func(r *Resolver) { r.grants = true } }

// Calls returns how many requests the resolver has sent to KMS, by operation
// (OpDescribeKey, ...). Every page of a paginated call counts.
func (r *Resolver) Calls() map[string]int { return r.calls.snapshot() }

// Resolve returns what KMS says about the key ref names. It never returns
// nil: failures are recorded on the Key (NotFound, Error, and the *Error
// fields) so that an unreadable key is reported as unknown, never as fine.
// Resolving a reference again returns the same *Key.
func (r *Resolver) Resolve(ctx context.Context, ref Ref) *Key {
	canonical := ref.Canonical()
	c := r.cellFor(r.byRef, canonical)
	c.once.Do(func() {
		defer r.recoverInto(ctx, &c.key, ref)
		c.key = r.resolve(ctx, ref)
	})
	if c.key == nil { // only if a previous attempt panicked before recovery
		return r.unresolvedKey(ref, "internal error: key resolution failed")
	}
	return c.key
}

// ResolveAll resolves the distinct references among refs with at most limit
// concurrent resolutions (a default when limit <= 0), and returns a Set in
// which every input reference's Canonical() maps to its Key.
func (r *Resolver) ResolveAll(ctx context.Context, refs []Ref, limit int) *Set {
	if limit <= 0 {
		limit = defaultResolveLimit
	}
	set := NewSet()
	seen := map[string]bool{}
	// A plain Group, not WithContext: a failed key is a result, not an error,
	// and must not cancel the resolution of the others.
	var g errgroup.Group
	g.SetLimit(limit)
	for _, ref := range refs {
		canonical := ref.Canonical()
		if seen[canonical] {
			continue
		}
		seen[canonical] = true
		g.Go(func() error {
			set.Put(canonical, r.Resolve(ctx, ref))
			return nil
		})
	}
	_ = g.Wait() // the goroutines never return errors
	return set
}

// resolve does the work for one canonical reference.
func (r *Resolver) resolve(ctx context.Context, ref Ref) *Key {
	if ref.AWSManagedAlias() {
		// Classified without calling KMS: DescribeKey on a predefined
		// alias/aws/* name can create the AWS-managed key as a side effect.
		return &Key{
			Ref:      ref.Canonical(),
			ARN:      ref.Canonical(),
			Account:  ref.Account,
			Region:   ref.Region,
			Manager:  ManagerAWS,
			Rotation: Rotation{NotApplicable: rotationNAAWSManaged},
		}
	}
	client := r.client(ref.Region)
	if client == nil {
		return r.unresolvedKey(ref, fmt.Sprintf("no KMS client for region %q", ref.Region))
	}
	out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(r.describeKeyID(ref))})
	if err != nil {
		if awserr.Classify(err) == awserr.NotFound {
			k := r.unresolvedKey(ref, "")
			k.NotFound = true
			return k
		}
		reason := awserr.Reason("kms:DescribeKey", err)
		slog.DebugContext(ctx, "key not described", "ref", ref.Canonical(), "reason", reason)
		return r.unresolvedKey(ref, reason)
	}
	if out == nil || out.KeyMetadata == nil || aws.ToString(out.KeyMetadata.Arn) == "" {
		return r.unresolvedKey(ref, "kms:DescribeKey: response has no key ARN")
	}
	md := out.KeyMetadata
	c := r.cellFor(r.byARN, *md.Arn)
	c.once.Do(func() {
		defer r.recoverInto(ctx, &c.key, ref)
		c.key = r.inspect(ctx, md, ref.Region)
	})
	if c.key == nil {
		return r.unresolvedKey(ref, "internal error: key inspection failed")
	}
	// Each reference gets its own copy so Key.Ref names the reference it was
	// resolved from; every other field (ARN included) is identical for all
	// references to the key, and Tags is shared read-only.
	k := *c.key
	k.Ref = ref.Canonical()
	return &k
}

// describeKeyID is the KeyId to pass to DescribeKey. ARNs are passed as
// written. Key IDs and alias names are resolved by KMS in the caller's
// account, so a bare one written on a resource in another account is sent as
// the ARN built for that account instead of silently naming a local key.
func (r *Resolver) describeKeyID(ref Ref) string {
	switch ref.Form {
	case FormKeyARN, FormAliasARN:
		return ref.Raw
	}
	if ref.Account != "" && r.account != "" && ref.Account != r.account {
		return ref.Canonical()
	}
	return ref.Raw
}

// unresolvedKey is a Key that could not be described. The rotation, policy
// and tags fields (and the grants, when they are read) carry an explanation
// too, so that no zero value (rotation disabled, no policy, no tags, no
// grants) is mistaken for a fact about the key.
func (r *Resolver) unresolvedKey(ref Ref, reason string) *Key {
	k := &Key{
		Ref:     ref.Canonical(),
		ARN:     ref.Canonical(),
		Account: ref.Account,
		Region:  ref.Region,
		Manager: ManagerUnknown,
		Error:   reason,
	}
	notRead := "not read: key could not be described"
	if reason == "" {
		notRead = "not read: key not found"
	}
	k.Rotation.Error, k.PolicyError, k.TagsError = notRead, notRead, notRead
	if r.grants {
		k.GrantsError = notRead
	}
	return k
}

// recoverInto turns a panic during resolution (a bug, or a misbehaving
// client) into an unknown key, so one bad key cannot crash the scan.
func (r *Resolver) recoverInto(ctx context.Context, dst **Key, ref Ref) {
	if p := recover(); p != nil {
		slog.ErrorContext(ctx, "panic while resolving KMS key", "ref", ref.Canonical(), "panic", p)
		*dst = r.unresolvedKey(ref, fmt.Sprintf("internal error: %v", p))
	}
}

// cellFor returns the cell for id in m, creating it if needed.
func (r *Resolver) cellFor(m map[string]*cell, id string) *cell {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := m[id]
	if !ok {
		c = &cell{}
		m[id] = c
	}
	return c
}

// client returns the counting KMS client for region, or nil if there is
// none.
func (r *Resolver) client(region string) KMSAPI {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[region]; ok {
		return c
	}
	var c KMSAPI
	if r.clientFor != nil {
		if api := r.clientFor(region); api != nil {
			c = countingKMS{api: api, n: &r.calls}
		}
	}
	r.clients[region] = c
	return c
}
