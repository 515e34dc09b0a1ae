package mapping

import (
	"strings"

	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/keys"
)

// Offline key resolution: a slot's declared value becomes the KeyRef the
// rules read, and the key it names is recorded for keys.SetFrom. Each
// value resolves to one of
//   - a key the configuration declares (directly, through an alias, or a
//     literal alias name an alias declares): its pseudo ARN, judged on its
//     declared state, rotation, policy and tags;
//   - an AWS-managed alias (alias/aws/*, literally or through a data
//     source's literal name): the alias itself, which the rules FAIL;
//   - nothing (absent, null, ""): KeyRef "", FAIL or NOT_APPLICABLE under
//     the live rules;
//   - a key defined elsewhere (a literal ARN, ID or alias, a data source, a
//     variable or parameter without a value, an import): trusted only when
//     approved, otherwise a key whose Error makes the verdict ERROR;
//   - a value nobody can know offline: Slot.Unknown, ERROR.

// resolution is what one declared value resolves to.
type resolution struct {
	keyRef  string    // Slot.KeyRef
	unknown string    // Slot.Unknown
	key     *keys.Key // the key to record, when keyRef names one
	// external is the reference `--live` must resolve; "" when the key is
	// declared here or the value names none.
	external string
	// others are the external references of the arms not decided on,
	// which `--live` resolves too.
	others []string
	value  model.Value // the value (or branch) decided on, for its range
	label  string      // the conditions that chose it, when branches did
}

// maxAliasDepth bounds alias → alias chains (CloudFormation forbids them,
// a malformed configuration should not loop).
const maxAliasDepth = 4

// resolve decides one declared key value.
func (m *mapper) resolve(c *config, v model.Value, depth, empty int) resolution {
	res := resolution{value: v}
	switch {
	case len(v.Branches) > 0:
		return m.branches(c, v, depth, empty)
	case v.Kind == model.Null || (v.Kind == model.String && v.Str == ""):
		return res
	case depth > maxAliasDepth:
		res.unknown = "alias chain too deep to follow"
		return res
	}
	var outside string
	for _, ref := range v.Refs {
		switch ref.Kind {
		case model.RefResource:
			if r := c.byAddr[ref.Address]; r != nil {
				if t, ok := kmsTypeOf(r.Type); ok {
					return m.declared(c, r, t, v, depth, empty)
				}
			}
		case model.RefData:
			if r := c.byAddr[ref.Address]; r != nil && kmsDataAttr(r.Type) != "" {
				if name, ok := literalAt(root(r), kmsDataAttr(r.Type)); ok && name != "" {
					got := m.literal(c, name, depth, empty)
					got.value = v
					return got
				}
				// Looked up by a declared key or alias: judge that.
				if x, ok := first(root(r), kmsDataAttr(r.Type)); ok && len(x.Refs) > 0 && depth < maxAliasDepth {
					got := m.resolve(c, x, depth+1, empty)
					got.value = v
					return got
				}
			}
		}
		if outside == "" {
			outside = ref.Address
		}
	}
	if s, ok := literal(v); ok {
		got := m.literal(c, s, depth, empty)
		got.value = v
		return got
	}
	if v.Kind != model.Unknown && outside == "" {
		res.unknown = "the key attribute holds a " + string(v.Kind) + ", not a key reference"
		return res
	}
	if outside != "" {
		return m.outside(outside, v)
	}
	if alias, ok := awsManagedTemplate(v); ok {
		return resolution{keyRef: alias, value: v}
	}
	res.unknown = "key " + why(v)
	return res
}

// awsManagedTemplate finds an AWS-managed alias at the end of a template
// whose other parts are known only at deploy, such as
// !Sub "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sagemaker":
// whatever the partition, region and account, the key is AWS-managed.
func awsManagedTemplate(v model.Value) (string, bool) {
	if v.Kind != model.Unknown {
		return "", false
	}
	i := strings.LastIndex(v.Str, "alias/aws/")
	if i < 0 || strings.Contains(v.Str[i:], "*") || len(v.Str) == i+len("alias/aws/") {
		return "", false
	}
	return v.Str[i:], true
}

// declared resolves a reference to a key or alias resource of the
// configuration.
func (m *mapper) declared(c *config, r *model.Resource, t kmsType, v model.Value, depth, empty int) resolution {
	if !t.alias {
		k := m.keyOf(c, r)
		return resolution{keyRef: k.ARN, key: k, value: v}
	}
	if name, ok := literalAt(root(r), t.name); ok && keys.ParseRef(name, "", "").AWSManagedAlias() {
		return resolution{keyRef: name, value: v}
	}
	target, ok := first(root(r), t.target)
	if !ok {
		return resolution{unknown: "alias " + r.Address + " names no target key", value: v}
	}
	got := m.resolve(c, target, depth+1, empty)
	got.value = v
	return got
}

// literal resolves a key reference written out.
func (m *mapper) literal(c *config, s string, depth, empty int) resolution {
	ref := keys.ParseRef(s, m.account, m.region)
	if ref.AWSManagedAlias() {
		return resolution{keyRef: s}
	}
	if ref.Form == keys.FormAliasName || ref.Form == keys.FormAliasARN {
		name := "alias/" + strings.TrimPrefix(ref.Resource, "alias/")
		if a := c.aliases[name]; a != nil {
			t, _ := kmsTypeOf(a.Type)
			return m.declared(c, a, t, model.Value{}, depth, empty)
		}
	}
	return m.outside(s, model.Value{Kind: model.String, Str: s})
}

// outside is a key defined outside the configuration.
func (m *mapper) outside(ref string, v model.Value) resolution {
	k, _ := m.externalKey(ref)
	return resolution{keyRef: ref, key: &k, external: ref, value: v}
}

// keyOf returns the key a key resource declares, built once.
func (m *mapper) keyOf(c *config, r *model.Resource) *keys.Key {
	arn := c.keyARN(m, r)
	if k, ok := m.keys[arn]; ok {
		return k
	}
	k := m.declaredKey(r, arn)
	m.keys[arn] = &k
	return &k
}

// Ranks of what a resolution would be judged, worst first, as the cmk
// rules combine slots: FAIL, then ERROR, then PASS, then NOT_APPLICABLE.
const (
	rankFail = iota
	rankError
	rankPass
	rankNotApplicable
)

// branches judges every arm of a condition and keeps the worst, labelled
// with the conditions that lead to it: the slot stays one slot (its name,
// location and suppressions do not change with the arms), and reports
// what the worst arm would deploy.
func (m *mapper) branches(c *config, v model.Value, depth, empty int) resolution {
	var worst resolution
	var externals []string
	best := -1
	for _, b := range v.Branches {
		got := m.resolve(c, b.Value, depth, empty)
		if got.value.Range.File == "" {
			got.value.Range = v.Range
		}
		got.label = joinLabel(b.Condition, got.label)
		if got.external != "" {
			externals = append(externals, got.external)
		}
		externals = append(externals, got.others...)
		if r := m.rank(got, empty); best < 0 || r < best {
			worst, best = got, r
		}
	}
	if best < 0 {
		return resolution{unknown: "key " + why(v), value: v}
	}
	for _, e := range externals {
		if e != worst.external {
			worst.others = append(worst.others, e)
		}
	}
	return worst
}

func joinLabel(outer, inner string) string {
	if inner == "" {
		return outer
	}
	return outer + ", " + inner
}

// rank predicts the verdict of a resolution; empty is the rank of no key,
// which only the slot knows (FAIL, or NOT_APPLICABLE where none applies).
func (m *mapper) rank(r resolution, empty int) int {
	switch {
	case r.unknown != "":
		return rankError
	case r.keyRef == "":
		return empty
	case r.key == nil: // an AWS-managed alias
		return rankFail
	case r.key.Error != "":
		return rankError
	case r.key.State != keys.StateEnabled || (len(m.opts.ApprovedKeys) > 0 && !m.approved[r.key.ARN]):
		return rankFail
	}
	return rankPass
}
