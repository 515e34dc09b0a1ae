package iampolicy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Type is the kind of policy a document is used as; it decides whether a
// Principal is required or forbidden.
type Type int

// Policy types.
const (
	// ServiceControl is an AWS Organizations SCP: no Principal.
	ServiceControl Type = iota
	// Identity is a policy attached to a user, group or role: no Principal.
	Identity
	// Resource is a resource-based policy such as a KMS key policy: every
	// statement names its Principal.
	Resource
)

var (
	actionPattern   = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*?]+$`)
	sidPattern      = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	resourceSidChar = regexp.MustCompile(`^[A-Za-z0-9 ]+$`)
)

// operators are the IAM condition operators without prefix or suffix.
var operators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true,
	"NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true, "NumericLessThanEquals": true,
	"NumericGreaterThan": true, "NumericGreaterThanEquals": true,
	"DateEquals": true, "DateNotEquals": true, "DateLessThan": true, "DateLessThanEquals": true,
	"DateGreaterThan": true, "DateGreaterThanEquals": true,
	"Bool": true, "BinaryEquals": true, "IpAddress": true, "NotIpAddress": true,
	"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true,
	"Null": true,
}

// Validate checks the grammar sagekey relies on: Version 2012-10-17, at least
// one statement, unique Sids (alphanumeric; KMS key policies also allow
// spaces), Effect Allow or Deny, actions of the form service:Action, a
// resource, known condition operators with non-empty values, and a Principal
// exactly when t is Resource. It returns every problem found, joined.
func Validate(d Document, t Type) error {
	var errs []error
	if d.Version != Version {
		errs = append(errs, fmt.Errorf("version %q, want %q", d.Version, Version))
	}
	if len(d.Statement) == 0 {
		errs = append(errs, errors.New("no statements"))
	}
	sids := map[string]bool{}
	for i, st := range d.Statement {
		name := fmt.Sprintf("statement %d", i+1)
		if st.Sid != "" {
			name = "statement " + st.Sid
			if sids[st.Sid] {
				errs = append(errs, fmt.Errorf("%s: duplicate Sid", name))
			}
			sids[st.Sid] = true
		}
		for _, err := range statementProblems(st, t) {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func statementProblems(st Statement, t Type) []error {
	var errs []error
	sidOK := sidPattern
	if t == Resource {
		sidOK = resourceSidChar
	}
	if st.Sid != "" && !sidOK.MatchString(st.Sid) {
		errs = append(errs, fmt.Errorf("Sid %q has characters other than letters and digits", st.Sid))
	}
	if st.Effect != Allow && st.Effect != Deny {
		errs = append(errs, fmt.Errorf("Effect %q, want Allow or Deny", st.Effect))
	}
	hasPrincipal := len(st.Principal) > 0 || len(st.NotPrincipal) > 0
	switch {
	case t == Resource && !hasPrincipal:
		errs = append(errs, errors.New("a resource policy statement needs a Principal"))
	case t != Resource && hasPrincipal:
		errs = append(errs, errors.New("Principal is not allowed in an SCP or identity policy"))
	}
	for typ, vals := range st.Principal {
		if len(vals) == 0 || hasEmpty(vals) {
			errs = append(errs, fmt.Errorf("Principal %s has an empty value", typ))
		}
	}
	errs = append(errs, exactlyOne("Action", st.Action, st.NotAction)...)
	errs = append(errs, exactlyOne("Resource", st.Resource, st.NotResource)...)
	for _, a := range append(append(Strings(nil), st.Action...), st.NotAction...) {
		if a != "*" && !actionPattern.MatchString(a) {
			errs = append(errs, fmt.Errorf("action %q is not service:Action", a))
		}
	}
	for op, keys := range st.Condition {
		if !KnownOperator(op) {
			errs = append(errs, fmt.Errorf("unknown condition operator %q", op))
		}
		if len(keys) == 0 {
			errs = append(errs, fmt.Errorf("condition %s has no keys", op))
		}
		for k, vals := range keys {
			if k == "" || len(vals) == 0 || hasEmpty(vals) {
				errs = append(errs, fmt.Errorf("condition %s %q has an empty key or value", op, k))
			}
		}
	}
	return errs
}

// KnownOperator reports whether op is an IAM condition operator, allowing the
// ForAllValues:/ForAnyValue: prefixes and the IfExists suffix (not on Null).
func KnownOperator(op string) bool {
	if rest, ok := strings.CutPrefix(op, "ForAllValues:"); ok {
		op = rest
	} else if rest, ok := strings.CutPrefix(op, "ForAnyValue:"); ok {
		op = rest
	}
	if base, ok := strings.CutSuffix(op, "IfExists"); ok && base != "Null" {
		op = base
	}
	return operators[op]
}

func exactlyOne(name string, a, notA Strings) []error {
	switch {
	case len(a) == 0 && len(notA) == 0:
		return []error{fmt.Errorf("no %s", name)}
	case len(a) > 0 && len(notA) > 0:
		return []error{fmt.Errorf("both %s and Not%s", name, name)}
	case hasEmpty(a) || hasEmpty(notA):
		return []error{fmt.Errorf("empty %s", name)}
	}
	return nil
}

func hasEmpty(vals Strings) bool {
	for _, v := range vals {
		if v == "" {
			return true
		}
	}
	return false
}
