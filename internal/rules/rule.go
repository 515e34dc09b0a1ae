// Package rules holds every check sagekey runs, one rule per file with its
// metadata beside its logic and a table test beside it. Rules are pure: they
// read the inventory, the resolved keys and the settings, and return
// findings. They never import the AWS SDK.
package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// KeyKind is the resource kind of key findings.
const KeyKind = "kms-key"

// Context is everything a rule may read.
type Context struct {
	Keys *keys.Set
	// RequiredTags must be present on resources and keys.
	RequiredTags []string
	// OwnerTag is the tag whose value says which team owns a resource.
	OwnerTag string
	// ApprovedKeys, when not empty, is the allow-list of key ARNs; any other
	// key FAILs.
	ApprovedKeys map[string]bool
	// IAM holds each account's execution roles and their policies, by
	// account; an account missing here was not read.
	IAM map[string]inventory.AccountIAM
	// KeyDenials counts the KMS access denials CloudTrail recorded per
	// DenialKey(role, key ARN) in DenialWindow; nil when no trail data is
	// stored.
	KeyDenials   map[string]int
	DenialWindow string

	// accessMemo keeps key-access decisions per (role, key, service,
	// actions) for the life of the context: one scan's facts.
	accessMemo memo[finding.Access]
}

// memo caches values by key; its zero value is ready and it is safe for
// concurrent use.
type memo[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func (m *memo[V]) get(key string, compute func() V) V {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.m[key]; ok {
		return v
	}
	if m.m == nil {
		m.m = map[string]V{}
	}
	v := compute()
	m.m[key] = v
	return v
}

// DenialKey is the index of Context.KeyDenials. A role is named by account
// and role name without its path: CloudTrail and SageMaker may spell the
// same role with and without one.
func DenialKey(role, keyARN string) string {
	if i := strings.Index(role, ":role/"); i >= 0 {
		_, name := splitLast(role, "/")
		role = role[:i] + ":role/" + name
	}
	return role + " " + strings.ToLower(keyARN)
}

// KeyUse is one key with the resources it protects (its blast radius).
type KeyUse struct {
	Key *keys.Key
	// Protected points into the inventory rather than copying it: a key
	// of a large estate protects tens of thousands of resources.
	Protected []*inventory.Resource
}

// ProtectsOf is the blast radius a key finding lists: the protected
// resources, sorted by ARN.
func ProtectsOf(protected []*inventory.Resource) []finding.Resource {
	out := make([]finding.Resource, 0, len(protected))
	for _, p := range protected {
		out = append(out, resourceOf(*p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// Rule is one check.
type Rule struct {
	ID          string // "<kind>.<check>", e.g. "notebook-instance.cmk"
	Kind        string // catalog kind id, or KeyKind
	Title       string
	Severity    finding.Severity // default; a verdict may escalate it
	Rationale   string
	Remediation string
	// Examples document the rule and are run by the meta-test: every rule
	// has a failing one and, unless NeverPasses says why, a passing one.
	Examples    []Example
	NeverPasses string
	// Exactly one of the checks is set.
	CheckResource func(c *Context, r inventory.Resource) finding.Finding
	CheckKey      func(c *Context, u KeyUse) finding.Finding
}

var idPattern = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9-]+$`)

// Validate reports incomplete metadata; the registry refuses such rules.
func (r Rule) Validate() error {
	switch {
	case !idPattern.MatchString(r.ID):
		return fmt.Errorf("rule %q: id must look like kind.check", r.ID)
	case r.Kind == "" || r.Title == "" || r.Rationale == "" || r.Remediation == "":
		return fmt.Errorf("rule %q: kind, title, rationale and remediation are required", r.ID)
	case (r.CheckResource == nil) == (r.CheckKey == nil):
		return fmt.Errorf("rule %q: exactly one of CheckResource and CheckKey must be set", r.ID)
	case !hasExample(r.Examples, finding.Fail):
		return fmt.Errorf("rule %q: needs a failing example", r.ID)
	case !hasExample(r.Examples, finding.Pass) && r.NeverPasses == "":
		return fmt.Errorf("rule %q: needs a passing example (or NeverPasses)", r.ID)
	}
	return nil
}

func hasExample(es []Example, want finding.Status) bool {
	for _, e := range es {
		if e.Want == want {
			return true
		}
	}
	return false
}

// All returns every rule, sorted by id. It panics on a duplicate id or
// incomplete metadata: both are programming errors caught by any test.
func All() []Rule {
	all := append(cmkRules(), tagRules()...)
	all = append(all, keyAccessRules()...)
	all = append(all, KeyState(), KeyRotation(), KeyPolicy(), KeyTags(), KeyShared(), KeyLeastPrivilege())
	seen := map[string]bool{}
	for _, r := range all {
		if err := r.Validate(); err != nil {
			panic(err)
		}
		if seen[r.ID] {
			panic(fmt.Sprintf("rules: duplicate id %q", r.ID))
		}
		seen[r.ID] = true
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}

// resourceOf converts an inventory resource to the finding's view of it.
func resourceOf(r inventory.Resource) finding.Resource {
	tags := r.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return finding.Resource{ARN: r.ARN, Kind: r.Kind, Name: r.Name, Account: r.Account, Region: r.Region, Tags: tags}
}

// newFinding starts a finding of rule on a resource with the rule's defaults.
func (r Rule) newFinding(res finding.Resource) finding.Finding {
	return finding.Finding{CheckID: r.ID, Severity: r.Severity, Resource: res, Remediation: r.Remediation, Slots: []finding.Slot{}}
}

// Protecting is a KeyUse's Protected list for resources held in a slice.
func Protecting(resources []inventory.Resource) []*inventory.Resource {
	out := make([]*inventory.Resource, len(resources))
	for i := range resources {
		out[i] = &resources[i]
	}
	return out
}
