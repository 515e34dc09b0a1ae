// Package keys models KMS keys as the audit sees them: how a key reference
// written on a SageMaker resource is parsed, and the resolved facts about
// each distinct key (manager, state, rotation, policy, tags). Resolution
// happens once per key per scan; evaluation only reads the results.
package keys

import (
	"fmt"
	"regexp"
	"strings"
)

// Form is how a key reference is written.
type Form string

// The accepted forms (reference §4). FormOther is anything else; it is still
// resolved so that KMS, not a guess, decides whether it exists.
const (
	FormKeyID     Form = "key-id"
	FormMRKID     Form = "mrk-id"
	FormKeyARN    Form = "key-arn"
	FormAliasName Form = "alias-name"
	FormAliasARN  Form = "alias-arn"
	FormOther     Form = "other"
)

var (
	keyIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	mrkIDPattern = regexp.MustCompile(`^mrk-[0-9a-fA-F]{32}$`)
	kmsARN       = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)$`)
)

// awsManagedAliasPrefix is reserved by KMS for AWS-managed keys.
const awsManagedAliasPrefix = "alias/aws/"

// Ref is a parsed key reference together with the account and region it is
// resolved in.
type Ref struct {
	Raw       string // as written on the resource
	Form      Form
	Partition string
	Region    string
	Account   string
	// Resource is "key/<id>" or "alias/<name>".
	Resource string
}

// ParseRef parses raw as written on a resource in account and region.
// Key IDs and alias names are resolved in the resource's own account and
// region; ARNs carry their own.
func ParseRef(raw, account, region string) Ref {
	r := Ref{Raw: raw, Partition: PartitionOf(region), Region: region, Account: account}
	// Matched once: every slot of every resource is parsed on each reading
	// of a scan's findings.
	if m := kmsARN.FindStringSubmatch(raw); m != nil {
		r.Partition, r.Region, r.Account = m[1], m[2], m[3]
		r.Resource = m[4] + "/" + m[5]
		r.Form = FormKeyARN
		if m[4] == "alias" {
			r.Form = FormAliasARN
		}
		return r
	}
	switch {
	case strings.HasPrefix(raw, "alias/"):
		r.Form, r.Resource = FormAliasName, raw
	case mrkIDPattern.MatchString(raw):
		r.Form, r.Resource = FormMRKID, "key/"+raw
	case keyIDPattern.MatchString(raw):
		r.Form, r.Resource = FormKeyID, "key/"+raw
	default:
		r.Form, r.Resource = FormOther, "key/"+raw
	}
	return r
}

// AWSManagedAlias reports whether the reference names an AWS-managed key by
// its reserved alias. Such references are classified without calling KMS:
// DescribeKey on a predefined AWS alias can create the key as a side effect.
func (r Ref) AWSManagedAlias() bool {
	return strings.HasPrefix(r.Resource, awsManagedAliasPrefix)
}

// Canonical is the ARN form of the reference. A key ID and the key ARN of the
// same key map to the same string, so they share one resolution.
func (r Ref) Canonical() string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", r.Partition, r.Region, r.Account, r.Resource)
}

// PartitionOf returns the AWS partition of a region.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	default:
		return "aws"
	}
}
