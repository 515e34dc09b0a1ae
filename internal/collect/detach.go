package collect

import (
	"strings"

	"github.com/sagekey/sagekey/internal/inventory"
)

// interner hands out one copy of each string it is given.
//
// Why: the SDK decodes a response's strings into one shared block (smithy's
// StringArena), so a resource that kept its ARN, tags or key reference
// straight from a response kept the whole response alive. A scan of
// 100,000 jobs held several megabytes of responses that way. The sink
// therefore copies what it keeps, once: values that repeat across
// resources (kinds, accounts, regions, slot labels, key references, roles,
// tag keys and values) are shared, unique ones (ARNs, names) are cloned.
type interner map[string]string

func (in interner) of(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in[s]; ok {
		return v
	}
	v := strings.Clone(s)
	in[v] = v
	return v
}

func (in interner) all(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = in.of(s)
	}
	return out
}

// detach returns r with every string copied out of the response it was
// read from, and with slices and maps of its own.
func detach(r inventory.Resource, in interner) inventory.Resource {
	r.Kind, r.Account, r.Region, r.Source = in.of(r.Kind), in.of(r.Account), in.of(r.Region), in.of(r.Source)
	r.ARN, r.Name = strings.Clone(r.ARN), strings.Clone(r.Name)
	r.TagsError, r.RolesUnknown = in.of(r.TagsError), in.of(r.RolesUnknown)
	if r.Tags != nil {
		tags := make(map[string]string, len(r.Tags))
		for k, v := range r.Tags {
			tags[in.of(k)] = in.of(v)
		}
		r.Tags = tags
	}
	if r.Attributes != nil {
		attrs := make(map[string]string, len(r.Attributes))
		for k, v := range r.Attributes {
			attrs[in.of(k)] = strings.Clone(v)
		}
		r.Attributes = attrs
	}
	r.ExecutionRoles = in.all(r.ExecutionRoles)
	if r.Slots != nil {
		slots := make([]inventory.Slot, len(r.Slots))
		for i, s := range r.Slots {
			s.Type, s.Name, s.Label, s.KeyRef = in.of(s.Type), in.of(s.Name), in.of(s.Label), in.of(s.KeyRef)
			s.InstanceTypes, s.OutputURI = in.all(s.InstanceTypes), in.of(s.OutputURI) // jobs share output prefixes
			s.Unsupported, s.Unknown, s.Role = in.of(s.Unsupported), in.of(s.Unknown), in.of(s.Role)
			slots[i] = s
		}
		r.Slots = slots
	}
	return r
}
