package rules

import (
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
)

// keyFinding starts a finding about a key, listing its blast radius.
func (r Rule) keyFinding(u KeyUse) finding.Finding {
	k := u.Key
	f := r.newFinding(finding.Resource{
		ARN: k.ARN, Kind: KeyKind, Name: keyName(k), Account: k.Account, Region: k.Region, Tags: orEmpty(k.Tags),
	})
	f.Protects = ProtectsOf(u.Protected)
	return f
}

func keyName(k *keys.Key) string {
	_, id := splitLast(k.ARN, ":")
	return id
}

func splitLast(s, sep string) (string, string) {
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):]
		}
	}
	return "", s
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// unknownKey is the shared verdict for keys that could not be described:
// nothing about them can be verified.
func unknownKey(f finding.Finding, k *keys.Key) (finding.Finding, bool) {
	switch {
	case k.NotFound:
		f.Status, f.Message = finding.NotApplicable, "key does not exist (see kms-key.state)"
		return f, true
	case k.Error != "":
		f.Status, f.Message = finding.Error, "key could not be described: "+k.Error
		return f, true
	}
	return f, false
}
