package mapping

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/keys"
)

// kmsType names the attributes of a KMS key or alias resource in one
// language. KMS is not a SageMaker kind, so its names live here rather
// than in the catalog.
type kmsType struct {
	alias bool
	// key: enabled flag, rotation flag, rotation period, policy, tags.
	enabled, rotation, period, policy string
	tags                              []string
	// alias: its name and the key it points at.
	name, target string
}

// kmsTypeOf returns the key or alias resource type a slot may resolve to.
func kmsTypeOf(typ string) (kmsType, bool) {
	t, ok := map[string]kmsType{
		"aws_kms_key": {enabled: "is_enabled", rotation: "enable_key_rotation", period: "rotation_period_in_days",
			policy: "policy", tags: []string{"tags_all", "tags"}},
		"awscc_kms_key": {enabled: "enabled", rotation: "enable_key_rotation", period: "rotation_period_in_days",
			policy: "key_policy", tags: []string{"tags"}},
		"AWS::KMS::Key": {enabled: "Enabled", rotation: "EnableKeyRotation", period: "RotationPeriodInDays",
			policy: "KeyPolicy", tags: []string{"Tags"}},
		"aws_kms_alias":   {alias: true, name: "name", target: "target_key_id"},
		"awscc_kms_alias": {alias: true, name: "alias_name", target: "target_key_id"},
		"AWS::KMS::Alias": {alias: true, name: "AliasName", target: "TargetKeyId"},
	}[typ]
	return t, ok
}

// kmsDataAttr returns the attribute by which a data source looks a key up
// (a literal alias name or key ID).
func kmsDataAttr(typ string) string {
	switch typ {
	case "aws_kms_alias":
		return "name"
	case "aws_kms_key":
		return "key_id"
	}
	return ""
}

// Pseudo account and region of keys defined in a configuration when
// Options do not give them: the ARN must parse as a key ARN
// (keys.ParseRef), and the account must be 12 digits.
const (
	pseudoAccount = "000000000000"
	pseudoRegion  = "iac"
)

// Why an offline verdict cannot be reached.
const (
	outsideConfig  = "key defined outside this configuration; verify with --live or approve it"
	notBeforeApply = "not known before apply"
)

var accountID = regexp.MustCompile(`\b\d{12}\b`)

// declaredKey builds the key a configuration declares, as KMS would
// describe it once created: customer-managed, Enabled unless disabled,
// with the declared rotation, policy and tags.
func (m *mapper) declaredKey(r *model.Resource, arn string) keys.Key {
	t, _ := kmsTypeOf(r.Type)
	v := root(r)
	k := keys.Key{Ref: arn, ARN: arn, Account: m.account, Region: m.region, Manager: keys.ManagerCustomer,
		State: keys.StateEnabled, Origin: "AWS_KMS"}
	switch on, ok, known := boolAt(v, t.enabled); {
	case !known:
		x, _ := first(v, t.enabled)
		k.State, k.Error = "", t.enabled+" "+why(x)
	case ok && !on:
		k.State = "Disabled"
	}
	switch on, _, known := boolAt(v, t.rotation); {
	case !known:
		x, _ := first(v, t.rotation)
		k.Rotation.Error = t.rotation + " " + why(x)
	case on:
		k.Rotation.Enabled, k.Rotation.PeriodDays = true, 365
		if s, ok := literalAt(v, t.period); ok {
			if n, err := strconv.Atoi(s); err == nil {
				k.Rotation.PeriodDays = int32(n)
			}
		}
	}
	k.Policy, k.PolicyError = m.policy(v, t.policy)
	k.Tags, k.TagsError = tags(r, t.tags)
	return k
}

// policy returns the declared key policy, or KMS's default policy (the
// account root may do everything) when none is declared.
func (m *mapper) policy(v model.Value, path string) (string, string) {
	x, ok := first(v, path)
	if !ok || x.Kind == model.Null {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",`+
			`"Principal":{"AWS":"arn:%s:iam::%s:root"},"Action":"kms:*","Resource":"*"}]}`, keys.PartitionOf(m.region), m.account), ""
	}
	text, isText := literal(x)
	if !isText {
		var err error
		if text, err = jsonText(x); err != nil {
			return "", "key policy " + err.Error()
		}
	}
	// Offline, the key's own account is only known when given: a policy
	// naming accounts would otherwise have them all judged foreign.
	if !m.accountKnown && accountID.MatchString(text) {
		return "", "the policy names accounts, and the account this configuration deploys to was not given"
	}
	return text, ""
}

// externalKey stands for a key defined outside the configuration: trusted
// offline only when the approved-key list names it.
func (m *mapper) externalKey(ref string) (keys.Key, bool) {
	// Parsed as the rules parse the slot's KeyRef, so a literal ARN stays
	// itself.
	parsed := keys.ParseRef(ref, m.opts.Account, m.opts.Region)
	for _, a := range m.opts.ApprovedKeys {
		if a == ref || a == parsed.Canonical() || idOf(parsed, a) {
			ap := keys.ParseRef(a, m.opts.Account, m.opts.Region)
			return keys.Key{Ref: a, ARN: a, Account: ap.Account, Region: ap.Region, Manager: keys.ManagerCustomer,
				State: keys.StateEnabled, Rotation: keys.Rotation{Error: outsideConfig}, PolicyError: outsideConfig,
				TagsError: outsideConfig}, true
		}
	}
	c := parsed.Canonical()
	return keys.Key{Ref: c, ARN: c, Account: parsed.Account, Region: parsed.Region, Error: outsideConfig}, false
}

// idOf reports whether a bare key ID names the key of an approved ARN.
func idOf(ref keys.Ref, approved string) bool {
	if ref.Form != keys.FormKeyID && ref.Form != keys.FormMRKID {
		return false
	}
	a := keys.ParseRef(approved, "", "")
	return a.Form == keys.FormKeyARN && a.Resource == ref.Resource
}
