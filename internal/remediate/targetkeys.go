package remediate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/keys"
)

// ParseTargetKeys turns --key flag values (key ARNs) into Options.TargetKeys,
// keyed by the region in each ARN: SageMaker only uses a key of the
// resource's own region, so the region is a property of the key, not a
// choice. Aliases and bare key IDs are refused because they do not say
// which region they are in.
func ParseTargetKeys(arns []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range arns {
		ref := keys.ParseRef(a, "", "")
		if ref.Form != keys.FormKeyARN {
			return nil, fmt.Errorf("--key %q: want a key ARN (arn:aws:kms:<region>:<account>:key/<id>)", a)
		}
		if prev, ok := out[ref.Region]; ok && prev != a {
			return nil, fmt.Errorf("--key: two keys for region %s (%s and %s)", ref.Region, prev, a)
		}
		out[ref.Region] = a
	}
	return out, nil
}

// keyVar is the name of the variable holding the target key of region.
func keyVar(region string) string {
	if region == "" {
		return "KMS_KEY_ARN"
	}
	return "KMS_KEY_ARN_" + strings.ToUpper(strings.NewReplacer("-", "_").Replace(region))
}

// targetKey registers the region's key variable and returns the shell
// reference to it ("$KMS_KEY_ARN_US_EAST_1", to be used inside double
// quotes).
func (b *builder) targetKey(region string) string {
	name := keyVar(region)
	if _, ok := b.vars[name]; !ok {
		v := Variable{Name: name, Region: region, Value: b.o.TargetKeys[region],
			Description: "ARN of the customer-managed KMS key for resources in " + region}
		if v.Value == "" {
			v.Description += " (not given: pass --key arn:aws:kms:" + region + ":<account>:key/<id> or export it)"
		}
		b.vars[name] = v
	}
	return "$" + name
}

// backupVar is the S3 location notebook data is backed up to.
const backupVar = "SAGEKEY_BACKUP_S3_URI"

func (b *builder) backupLocation() string {
	b.vars[backupVar] = Variable{Name: backupVar,
		Description: "S3 prefix (s3://bucket/prefix) for notebook backups; the bucket should use SSE-KMS with a customer-managed key"}
	return "$" + backupVar
}

func (b *builder) variables() []Variable {
	out := make([]Variable, 0, len(b.vars))
	for _, v := range b.vars {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
