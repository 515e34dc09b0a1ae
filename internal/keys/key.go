package keys

import (
	"sort"
	"sync"
	"time"
)

// Manager is who manages a key.
type Manager string

// Managers as KMS reports them. ManagerUnknown means the key could not be
// described.
const (
	ManagerCustomer Manager = "CUSTOMER"
	ManagerAWS      Manager = "AWS"
	ManagerUnknown  Manager = ""
)

// StateEnabled is the only key state in which data stays readable.
const StateEnabled = "Enabled"

// Key is everything resolution learned about one key. Fields that could not
// be read carry an *Error string instead of a zero value that might read as
// "fine".
type Key struct {
	// Ref is the canonical reference the key was resolved from.
	Ref string `json:"ref"`
	// ARN is the key ARN from DescribeKey, or Ref when it is not known.
	ARN     string  `json:"arn"`
	Account string  `json:"account"`
	Region  string  `json:"region"`
	Manager Manager `json:"manager"`
	State   string  `json:"state"`
	Origin  string  `json:"origin,omitempty"`
	// MultiRegionType is PRIMARY or REPLICA for multi-Region keys.
	MultiRegion     bool      `json:"multi_region,omitempty"`
	MultiRegionType string    `json:"multi_region_type,omitempty"`
	KeySpec         string    `json:"key_spec,omitempty"`
	KeyUsage        string    `json:"key_usage,omitempty"`
	DeletionDate    time.Time `json:"deletion_date,omitzero"`
	// CreatedAt is when the key was created (rotation cost estimates).
	CreatedAt time.Time `json:"created_at,omitzero"`
	// CopyRegions are the regions of every copy of a multi-Region key
	// (primary and replicas), each billed as its own key.
	CopyRegions []string `json:"copy_regions,omitempty"`

	// NotFound means KMS says the key does not exist: a dangling reference
	// whose data may already be unrecoverable.
	NotFound bool `json:"not_found,omitempty"`
	// Error is why the key could not be described (access denied,
	// throttled); the key is unknown, not healthy.
	Error string `json:"error,omitempty"`

	Rotation Rotation `json:"rotation"`

	Policy      string `json:"policy,omitempty"`
	PolicyError string `json:"policy_error,omitempty"`

	Tags      map[string]string `json:"tags,omitempty"`
	TagsError string            `json:"tags_error,omitempty"`

	// Grants are the key's grants (ListGrants), read only when a
	// key-access check is selected: GrantsRead says they were, so an empty
	// list means "no grants", never "not looked".
	Grants      []Grant `json:"grants,omitempty"`
	GrantsRead  bool    `json:"grants_read,omitempty"`
	GrantsError string  `json:"grants_error,omitempty"`
}

// Grant is one KMS grant: a principal allowed some operations on the key.
// Grant tokens are never listed by KMS and never recorded.
type Grant struct {
	ID string `json:"id"`
	// Grantee is the grantee principal: an IAM ARN, an account, or a
	// service principal such as "sagemaker.amazonaws.com".
	Grantee string `json:"grantee"`
	// Operations are KMS operation names without the "kms:" prefix
	// ("Decrypt", "CreateGrant").
	Operations []string `json:"operations"`
	// Constrained: the grant applies only to requests with a given
	// encryption context (EncryptionContextEquals/Subset) or made on behalf
	// of a given resource (SourceArn), which sagekey cannot know in advance.
	Constrained bool `json:"constrained,omitempty"`
	// IssuingAccount is the account that created the grant.
	IssuingAccount string `json:"issuing_account,omitempty"`
}

// Rotation is the automatic-rotation status of a key.
type Rotation struct {
	Enabled    bool  `json:"enabled"`
	PeriodDays int32 `json:"period_days,omitempty"`
	// NotApplicable explains why rotation is not checked (imported key
	// material, AWS-managed keys).
	NotApplicable string `json:"not_applicable,omitempty"`
	Error         string `json:"error,omitempty"`
}

// Known reports whether the key was described successfully.
func (k *Key) Known() bool { return k.Error == "" && !k.NotFound }

// Set holds the resolved keys of a scan, indexed by canonical reference. It
// is safe for concurrent use.
type Set struct {
	mu   sync.RWMutex
	keys map[string]*Key
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{keys: map[string]*Key{}} }

// Put stores a resolved key under a canonical reference.
func (s *Set) Put(canonical string, k *Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[canonical] = k
}

// Merge adds every key of o (resolved by another account's resolver) to s.
func (s *Set) Merge(o *Set) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for ref, k := range o.keys {
		s.keys[ref] = k
	}
}

// Lookup finds the key that raw, written on a resource in account and
// region, refers to.
func (s *Set) Lookup(raw, account, region string) (*Key, bool) {
	return s.Get(ParseRef(raw, account, region).Canonical())
}

// Get finds a key by canonical reference.
func (s *Set) Get(canonical string) (*Key, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[canonical]
	return k, ok
}

// Distinct returns each resolved key once (an alias and the key ID of one
// key share an entry), sorted by ARN.
func (s *Set) Distinct() []Key {
	s.mu.RLock()
	defer s.mu.RUnlock()
	byARN := map[string]Key{}
	for _, k := range s.keys {
		byARN[k.ARN] = *k
	}
	out := make([]Key, 0, len(byARN))
	for _, k := range byARN {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// RefIndex maps every canonical reference resolved (aliases, key IDs, ARNs)
// to its key ARN, so a stored snapshot can tell which key a slot uses.
func (s *Set) RefIndex() map[string]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]string, len(s.keys))
	for ref, k := range s.keys {
		out[ref] = k.ARN
	}
	return out
}

// SetFrom rebuilds the set a scan resolved from what it stored: its
// distinct keys and its reference index (Distinct and RefIndex). A stored
// run can then be evaluated again exactly as the scan evaluated it.
func SetFrom(distinct []Key, refs map[string]string) *Set {
	byARN := make(map[string]*Key, len(distinct))
	for i := range distinct {
		k := distinct[i]
		byARN[k.ARN] = &k
	}
	s := NewSet()
	for ref, arn := range refs {
		if k, ok := byARN[arn]; ok {
			s.keys[ref] = k
		}
	}
	return s
}
