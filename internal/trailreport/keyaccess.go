package trailreport

import (
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/rules"
	"github.com/sagekey/sagekey/internal/trail"
)

// Verdicts of the latest stored scan's key-access checks on a denied
// operation of a role on a key.
const (
	// KeyAccessAllowed: the checks judged that the role may perform the
	// operation (key policy, grants, its IAM policies and boundary), so
	// what refused it is a policy they do not read: an SCP or RCP, a VPC
	// endpoint policy, a session policy.
	KeyAccessAllowed = "allowed"
	// KeyAccessMissing: the checks found that the role may not perform
	// it; the denial is the key-access FAIL at work.
	KeyAccessMissing = "missing"
)

// KeyAccess is what the latest stored scan's key-access checks say about a
// denial group's principal, key and operation.
type KeyAccess struct {
	Verdict string
	// CheckIDs are the checks whose (role, key) pairs decided the verdict.
	CheckIDs []string
	// Missing are the KMS actions those checks found the role may not
	// perform on the key (Verdict KeyAccessMissing), the denied one among
	// them.
	Missing []string
}

// Note is the verdict as the table and the CSV say it.
func (k *KeyAccess) Note() string {
	if k == nil {
		return ""
	}
	if k.Verdict == KeyAccessAllowed {
		return "denied although the policy seems to allow it: check SCPs and VPC endpoint policies"
	}
	return "explained by " + strings.Join(k.CheckIDs, ", ") + " FAIL: the role may not " + strings.Join(k.Missing, ", ")
}

// DenialGroup is a denial group with the key-access verdict on it; nil
// when no key-access check of the latest stored scan judged its principal,
// key and operation.
type DenialGroup struct {
	trail.Denial
	KeyAccess *KeyAccess
}

// accessIndex holds the key-access pairs of a scan by rules.DenialKey, the
// normalisation the scan's own denial counts use (a role's path dropped,
// the key ARN lowercased), so the report and the findings agree on which
// denials belong to which pair.
type accessIndex map[string][]judgedPair

type judgedPair struct {
	checkID string
	access  finding.Access
}

func indexAccess(findings []finding.Finding) accessIndex {
	ix := accessIndex{}
	for _, f := range findings {
		for _, a := range f.Access {
			k := rules.DenialKey(a.Role, a.KeyARN)
			ix[k] = append(ix[k], judgedPair{checkID: f.CheckID, access: a})
		}
	}
	return ix
}

// judge returns the verdict on d, matched by operation as well as by role
// and key: a pair that FAILs for kms:CreateGrant explains no kms:Decrypt
// denial, and a pair that PASSes without needing kms:Encrypt says nothing
// about an Encrypt denial. A denied operation among a pair's Missing
// explains the denial whatever else the scan found. An allowed one counts
// only when the pair was judged under the path the call took (through
// SageMaker or not), since a key policy may allow an action only
// kms:ViaService SageMaker, and never when any such pair left it
// unverified.
func (ix accessIndex) judge(d trail.Denial) *KeyAccess {
	pairs := ix[rules.DenialKey(d.Principal, d.KeyARN)]
	missing, allowed := &KeyAccess{Verdict: KeyAccessMissing}, &KeyAccess{Verdict: KeyAccessAllowed}
	unverified := false
	for _, p := range pairs {
		a := p.access
		switch {
		case hasAction(a.Missing, d.Operation):
			missing.CheckIDs = append(missing.CheckIDs, p.checkID)
			missing.Missing = append(missing.Missing, a.Missing...)
		case !viaMatches(d.Via, a.ViaService) || !hasAction(a.Actions, d.Operation):
		case hasAction(a.Unverified, d.Operation):
			unverified = true
		default:
			allowed.CheckIDs = append(allowed.CheckIDs, p.checkID)
		}
	}
	switch {
	case len(missing.CheckIDs) > 0:
		return missing.sorted()
	case len(allowed.CheckIDs) > 0 && !unverified:
		return allowed.sorted()
	}
	return nil
}

func (k *KeyAccess) sorted() *KeyAccess {
	slices.Sort(k.CheckIDs)
	slices.Sort(k.Missing)
	k.CheckIDs, k.Missing = slices.Compact(k.CheckIDs), slices.Compact(k.Missing)
	return k
}

// viaMatches reports whether a call that reached KMS via (trail.Via*)
// is the kind of request a pair judged under kms:ViaService = viaService
// stands for. The trail tells only SageMaker's calls from the rest, so a
// pair judged through S3 stands for every call SageMaker did not make.
func viaMatches(via, viaService string) bool {
	if viaService == "" {
		return true
	}
	return (via == trail.ViaSageMaker) == strings.HasPrefix(viaService, "sagemaker.")
}

// hasAction reports whether actions holds op; KMS action names are
// case-insensitive.
func hasAction(actions []string, op string) bool {
	return slices.ContainsFunc(actions, func(a string) bool { return strings.EqualFold(a, op) })
}
