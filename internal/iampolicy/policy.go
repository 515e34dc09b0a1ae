// Package iampolicy models IAM JSON policy documents (SCPs, identity
// policies and resource policies such as KMS key policies) as plain values.
//
// Documents marshal deterministically: fields in the order AWS documents
// them, condition maps sorted, a one-element list written as a plain string,
// so generated policies make stable golden files. Parse reads what AWS
// accepts (a string or a list for Principal, Action and Resource; booleans
// and numbers in conditions) so existing policies can be read and rewritten.
// The package does no I/O.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// Version is the only policy language version this package writes.
const Version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Exactly one of Action and NotAction,
// and of Resource and NotResource, is set in a valid statement.
type Statement struct {
	Sid          string     `json:"Sid,omitempty"`
	Effect       string     `json:"Effect"`
	Principal    Principal  `json:"Principal,omitempty"`
	NotPrincipal Principal  `json:"NotPrincipal,omitempty"`
	Action       Strings    `json:"Action,omitempty"`
	NotAction    Strings    `json:"NotAction,omitempty"`
	Resource     Strings    `json:"Resource,omitempty"`
	NotResource  Strings    `json:"NotResource,omitempty"`
	Condition    Conditions `json:"Condition,omitempty"`
}

// Effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Conditions maps an operator (StringEquals, ForAllValues:StringNotLike,
// ArnNotLikeIfExists, ...) to condition keys and their values. Keys in one
// operator block are ANDed; values of one key are ORed.
type Conditions map[string]map[string]Strings

// Add sets key's values under operator, creating the block if needed.
func (c Conditions) Add(operator, key string, values ...string) {
	if c[operator] == nil {
		c[operator] = map[string]Strings{}
	}
	c[operator][key] = append(Strings(nil), values...)
}

// Principal maps a principal type ("AWS", "Service", "Federated",
// "CanonicalUser") to its values. The wildcard principal "*" is stored as
// {"*": ["*"]} and written back as "*".
type Principal map[string]Strings

// AnyPrincipal is the "*" principal.
func AnyPrincipal() Principal { return Principal{"*": {"*"}} }

// MarshalJSON writes "*" for AnyPrincipal and a sorted object otherwise.
func (p Principal) MarshalJSON() ([]byte, error) {
	if len(p) == 1 && len(p["*"]) == 1 && p["*"][0] == "*" {
		return []byte(`"*"`), nil
	}
	return marshal(map[string]Strings(p))
}

// Strings is a list that IAM also accepts as a single string; one element is
// written as a string.
type Strings []string

// MarshalJSON writes one element as a plain string.
func (s Strings) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return marshal(s[0])
	}
	return marshal([]string(s))
}

// JSON returns the document indented for people to read.
func JSON(d Document) ([]byte, error) {
	b, err := Minify(d)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// Minify returns the document as compact JSON. AWS policy size quotas (5,120
// characters for an SCP, 6,144 for a managed policy, whitespace not counted)
// are measured against this form.
func Minify(d Document) ([]byte, error) {
	return marshal(d)
}

// marshal is json.Marshal without HTML escaping, so "<", ">" and "&" count as
// one character each, as they do for AWS.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// AWSValues returns the principal's "AWS" values (account IDs, IAM ARNs)
// and "*" when it is the wildcard, sorted. Service principals are left out:
// granting a service is how AWS services are meant to use a key.
func (p Principal) AWSValues() []string {
	var out []string
	for typ, vals := range p {
		if typ == "AWS" || typ == "*" {
			out = append(out, vals...)
		}
	}
	sort.Strings(out)
	return out
}

// PrincipalAccount returns the account of an AWS principal (an account ID or
// an IAM ARN), or "" when it names none (a service, "*").
func PrincipalAccount(p string) string {
	if len(p) == 12 && strings.Trim(p, "0123456789") == "" {
		return p
	}
	if parts := strings.Split(p, ":"); len(parts) >= 5 && parts[0] == "arn" && parts[2] == "iam" {
		return parts[4]
	}
	return ""
}
