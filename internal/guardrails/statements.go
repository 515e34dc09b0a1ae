package guardrails

import (
	"maps"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iampolicy"
)

// instanceTypesKey carries every instance type of a request (multi-valued).
const instanceTypesKey = "sagemaker:InstanceTypes"

// requirement is one Null-deny: the actions whose requests must carry a key
// family, with the local-NVMe table whose instance types are exempt.
type requirement struct {
	keys    []string // current (…Arn) and legacy name
	table   catalog.Table
	actions map[string]bool
}

// Statements derives the deny statements from the catalog: one Null-deny per
// (condition key family, NVMe table) over the create actions of required
// slots, then, with approved keys, one pin per …Arn key over every action
// that carries it. Sorted: requirements first, then pins, each by Sid.
func Statements(s Settings) []iampolicy.Statement {
	reqs := map[string]*requirement{}
	pins := map[string]map[string]bool{} // …Arn key → actions
	for _, k := range catalog.Kinds() {
		for _, slot := range k.Slots {
			if len(slot.ConditionKeys) == 0 {
				continue
			}
			arnKey := slot.ConditionKeys[0]
			for _, a := range k.CreateActions {
				addTo(pins, arnKey, a)
			}
			if slot.UpdateCarriesKey {
				for _, a := range k.KeyUpdateActions {
					addTo(pins, arnKey, a)
				}
			}
			if slot.OptionalAtCreate != "" || len(k.CreateActions) == 0 {
				continue
			}
			id := requirementSid(arnKey, slot.LocalStorage)
			r := reqs[id]
			if r == nil {
				r = &requirement{keys: slot.ConditionKeys, table: slot.LocalStorage, actions: map[string]bool{}}
				reqs[id] = r
			}
			for _, a := range k.CreateActions {
				r.actions[a] = true
			}
		}
	}
	var out []iampolicy.Statement
	for _, id := range slices.Sorted(maps.Keys(reqs)) {
		out = append(out, requireStatement(id, reqs[id], s.ExemptPrincipals))
	}
	if len(s.ApprovedKeys) > 0 {
		for _, key := range slices.Sorted(maps.Keys(pins)) {
			out = append(out, pinStatement(key, pins[key], s))
		}
	}
	return out
}

// requireStatement denies the actions when neither name of the key is in the
// request: keys in one Null block are ANDed, which makes the statement
// correct whichever name IAM populates.
func requireStatement(sid string, r *requirement, exempt []string) iampolicy.Statement {
	c := iampolicy.Conditions{}
	for _, k := range r.keys {
		c.Add("Null", k, "true")
	}
	if r.table != catalog.TableNone {
		// ForAllValues:StringNotLike is true only when no requested
		// instance type has local NVMe storage, which cannot take a key.
		c.Add("ForAllValues:StringNotLike", instanceTypesKey, patterns(r.table)...)
	}
	return deny(sid, r.actions, c, exempt)
}

// pinStatement denies a key outside the approved list. It is one statement
// per key because keys in one ArnNotLike block are ANDed: a request with one
// approved and one foreign key would pass a combined block. IfExists lets a
// request without the key through; the Null statements handle that.
func pinStatement(key string, actions map[string]bool, s Settings) iampolicy.Statement {
	c := iampolicy.Conditions{}
	c.Add("ArnNotLikeIfExists", key, s.ApprovedKeys...)
	return deny("DenyUnapproved"+stem(key), actions, c, s.ExemptPrincipals)
}

func deny(sid string, actions map[string]bool, c iampolicy.Conditions, exempt []string) iampolicy.Statement {
	if len(exempt) > 0 {
		c.Add("ArnNotLike", "aws:PrincipalARN", exempt...)
	}
	return iampolicy.Statement{Sid: sid, Effect: iampolicy.Deny, Action: iampolicy.Strings(slices.Sorted(maps.Keys(actions))),
		Resource: iampolicy.Strings{"*"}, Condition: c}
}

// requirementSid names a requirement, e.g. RequireVolumeKmsKey or
// RequireVolumeKmsKeyHostingNvmeExempt.
func requirementSid(arnKey string, table catalog.Table) string {
	sid := "Require" + stem(arnKey)
	if table != catalog.TableNone {
		sid += strings.ToUpper(string(table[:1])) + string(table[1:]) + "NvmeExempt"
	}
	return sid
}

// stem is a condition key without service prefix and Arn suffix.
func stem(key string) string {
	_, name, _ := strings.Cut(key, ":")
	return strings.TrimSuffix(name, "Arn")
}

func addTo(m map[string]map[string]bool, key, action string) {
	if m[key] == nil {
		m[key] = map[string]bool{}
	}
	m[key][action] = true
}
