package trail

import (
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iampolicy"
)

// KeyFacts is what the latest stored scan knows of one key that protects
// SageMaker data.
type KeyFacts struct {
	ARN string
	// Refs are the canonical references (key ARN, key-ID ARN, alias ARN)
	// that resolved to this key.
	Refs []string
	// Policy is the key policy JSON; empty when it was not read.
	Policy string
}

// Context is what aggregation knows of the estate: which keys protect
// SageMaker data and whom their policies name, which actions create a
// resource kind, and which policies are sagekey's guardrails. Build it once
// with NewContext; it is read-only afterwards and safe to share.
type Context struct {
	keyByRef map[string]string // refKey of a canonical reference → key ARN
	// policies holds, per key ARN, the AWS principals the key policy's
	// Allow statements name; a key absent here has no readable policy.
	policies map[string][]string
	// guardrails are policy ARNs or IDs given by the user.
	guardrails []string
	// creates maps an event name that creates a catalog kind to the kind.
	creates map[string]string
	// blockable are the catalog's create and key-update actions, the
	// requests sagekey's guardrails deny.
	blockable map[string]bool
}

// NewContext indexes keys and the catalog. guardrails are the IDs or ARNs
// of the policies sagekey generated (--guardrail-policy).
func NewContext(keys []KeyFacts, guardrails []string) *Context {
	c := &Context{keyByRef: map[string]string{}, policies: map[string][]string{}, guardrails: slices.Clone(guardrails),
		creates: map[string]string{}, blockable: map[string]bool{}}
	for _, k := range keys {
		c.keyByRef[refKey(k.ARN)] = k.ARN
		for _, r := range k.Refs {
			c.keyByRef[refKey(r)] = k.ARN
		}
		if k.Policy == "" {
			continue
		}
		doc, err := iampolicy.Parse([]byte(k.Policy))
		if err != nil {
			continue
		}
		allowed := []string{}
		for _, st := range doc.Statement {
			if st.Effect == iampolicy.Allow {
				allowed = append(allowed, st.Principal.AWSValues()...)
			}
		}
		c.policies[k.ARN] = allowed
	}
	for _, kind := range catalog.Kinds() {
		for _, a := range CreatorActions(kind) {
			c.creates[a] = kind.ID
		}
		for _, a := range append(slices.Clone(kind.CreateActions), kind.KeyUpdateActions...) {
			c.blockable[strings.TrimPrefix(a, "sagemaker:")] = true
		}
	}
	return c
}

// CreatorActions are the event names that create a resource of kind: its
// guardrailed CreateActions, and the Create call named after its Describe
// call (CreateEndpoint and CreateCluster carry no key condition, but they
// still create the resource someone will ask about).
func CreatorActions(kind catalog.Kind) []string {
	var out []string
	for _, a := range kind.CreateActions {
		out = append(out, strings.TrimPrefix(a, "sagemaker:"))
	}
	// DescribeAPI may carry notes ("DescribeEndpoint + DescribeEndpointConfig"):
	// the first word is the kind's own Describe call.
	if fields := strings.Fields(kind.DescribeAPI); len(fields) > 0 {
		if name, ok := strings.CutPrefix(fields[0], "Describe"); ok && name != "" {
			out = append(out, "Create"+name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Protected reports whether keyARN protects SageMaker data in the latest
// scan.
func (c *Context) Protected(keyARN string) bool {
	_, ok := c.keyByRef[refKey(keyARN)]
	return ok
}

// resolveKey returns the ARN of the key ref names (an ID, ARN, alias name
// or alias ARN, in account and region), or "" when no scanned key matches.
func (c *Context) resolveKey(ref, account, region string) string {
	if ref == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(ref), "arn:") {
		return c.keyByRef[refKey(ref)]
	}
	res := "key/" + ref
	if strings.HasPrefix(ref, "alias/") {
		res = ref
	}
	return c.keyByRef[strings.ToLower(region+":"+account+":"+res)]
}

// refKey is a KMS ARN without its "arn:<partition>:kms:" head, in lower
// case: a bare key ID or alias in an event is matched in its account and
// region without guessing the partition.
func refKey(arn string) string {
	if parts := strings.SplitN(arn, ":", 4); len(parts) == 4 && strings.EqualFold(parts[0], "arn") {
		return strings.ToLower(parts[3])
	}
	return strings.ToLower(arn)
}

// policyRelation says how key's policy treats principal (and the session
// identity it used).
func (c *Context) policyRelation(keyARN, principal, identity string) string {
	allowed, ok := c.policies[keyARN]
	if !ok {
		return PolicyUnknown
	}
	account := iampolicy.PrincipalAccount(principal)
	delegated := false
	for _, p := range allowed {
		switch {
		case p == "*", p == principal, identity != "" && p == identity:
			return PolicyNamed
		case account != "" && (p == account || p == "arn:"+partitionOfARN(principal)+":iam::"+account+":root"):
			delegated = true
		}
	}
	switch {
	case delegated:
		return PolicyDelegated
	case account == "":
		// A service (invokedBy) or a bare principal ID is no IAM identity
		// the policy's AWS principals could name: services are let in by
		// Service principals and grants, which this does not read. Calling
		// it unnamed would report the service as an intruder.
		return PolicyUnknown
	}
	return PolicyUnnamed
}

// guardrail says whether policyARN is one of the user's guardrails.
func (c *Context) guardrail(policyARN string) string {
	if len(c.guardrails) == 0 || policyARN == "" {
		return GuardrailUnknown
	}
	id := policyARN[strings.LastIndex(policyARN, "/")+1:]
	for _, g := range c.guardrails {
		if strings.EqualFold(g, policyARN) || strings.EqualFold(g, id) {
			return GuardrailYes
		}
	}
	return GuardrailNo
}

func partitionOfARN(a string) string {
	if parts := strings.SplitN(a, ":", 3); len(parts) == 3 && parts[0] == "arn" {
		return parts[1]
	}
	return "aws"
}
