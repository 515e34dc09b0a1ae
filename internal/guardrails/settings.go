package guardrails

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

var (
	partitionPattern = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	iamARN           = regexp.MustCompile(`^arn:[a-z-]+:iam::(\d{12}):[a-zA-Z0-9+=,.@_/-]+$`)
)

// normalize applies defaults, sorts and deduplicates the lists (so output is
// deterministic whatever the flag order), validates, and returns the account
// of the key admins and users ("" when there are none).
func normalize(s Settings) (Settings, string, error) {
	if s.Partition == "" {
		s.Partition = "aws"
	}
	if s.Alias == "" {
		s.Alias = DefaultAlias
	}
	s.ApprovedKeys, s.ExemptPrincipals = uniq(s.ApprovedKeys), uniq(s.ExemptPrincipals)
	s.KeyAdmins, s.KeyUsers = uniq(s.KeyAdmins), uniq(s.KeyUsers)
	var errs []error
	if !partitionPattern.MatchString(s.Partition) {
		errs = append(errs, fmt.Errorf("partition %q is not an AWS partition (aws, aws-cn, aws-us-gov)", s.Partition))
	}
	if !strings.HasPrefix(s.Alias, "alias/") || strings.HasPrefix(s.Alias, "alias/aws/") || len(s.Alias) == len("alias/") {
		errs = append(errs, fmt.Errorf("alias %q must start with alias/ and not alias/aws/ (reserved for AWS-managed keys)", s.Alias))
	}
	for _, k := range s.ApprovedKeys {
		if !strings.HasPrefix(k, "arn:") || !strings.Contains(k, ":kms:") {
			errs = append(errs, fmt.Errorf("approved key %q is not a KMS key ARN pattern (arn:aws:kms:*:111122223333:key/*)", k))
		}
	}
	for _, p := range s.ExemptPrincipals {
		if !strings.HasPrefix(p, "arn:") {
			errs = append(errs, fmt.Errorf("exempt principal %q is not an ARN", p))
		}
	}
	accounts := map[string]bool{}
	for _, p := range append(append([]string(nil), s.KeyAdmins...), s.KeyUsers...) {
		m := iamARN.FindStringSubmatch(p)
		if m == nil {
			errs = append(errs, fmt.Errorf("key admin or user %q is not an IAM ARN (arn:aws:iam::111122223333:role/Name)", p))
			continue
		}
		accounts[m[1]] = true
	}
	if len(accounts) > 1 {
		// The kms-key.policy check fails a key shared with other accounts,
		// and the root principal would be ambiguous.
		errs = append(errs, fmt.Errorf("key admins and users span accounts %s; the key's principals must all be in the key's account",
			strings.Join(slices.Sorted(maps.Keys(accounts)), ", ")))
	}
	for _, v := range allValues(s) {
		// Terraform and CloudFormation !Sub would interpolate these.
		if strings.Contains(v, "${") || strings.Contains(v, "%{") {
			errs = append(errs, fmt.Errorf("%q: ${ and %%{ are not allowed (IaC templates would interpolate them)", v))
		}
	}
	var account string
	for a := range accounts {
		account = a
	}
	return s, account, errors.Join(errs...)
}

func allValues(s Settings) []string {
	out := []string{s.Owner, s.CostCenter, s.Alias, s.Partition}
	for _, l := range [][]string{s.ApprovedKeys, s.ExemptPrincipals, s.KeyAdmins, s.KeyUsers} {
		out = append(out, l...)
	}
	return out
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
