package collect

import (
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/sagekey/sagekey/internal/inventory"
)

// interner hands out one copy of each string, and of each set of tags, it
// is given.
//
// Why: the SDK decodes a response's strings into one shared block (smithy's
// StringArena), so a resource that kept its ARN, tags or key reference
// straight from a response kept the whole response alive. A scan of
// 100,000 jobs held several megabytes of responses that way. The sink
// therefore copies what it keeps, once: values that repeat across
// resources (kinds, accounts, regions, slot labels, key references, roles,
// tag keys and values, whole tag sets: jobs launched by one pipeline carry
// the same tags) are shared, unique ones (ARNs, names) are cloned. Shared
// tag maps are only read: nothing writes to a collected resource's tags.
type interner struct {
	strs      map[string]string
	tags      TagSets
	slotSets  map[uint64][]inventory.Slot
	roleLists map[string][]string
	seed      maphash.Seed
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, slotSets: map[uint64][]inventory.Slot{},
		roleLists: map[string][]string{}, seed: maphash.MakeSeed()}
}

func (in *interner) of(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	in.strs[v] = v
	return v
}

func (in *interner) all(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = in.of(s)
	}
	return out
}

// TagSets shares tag maps with the same content. The zero value is ready;
// it is not safe for concurrent use.
type TagSets struct {
	byContent map[string]map[string]string
}

// Share returns a map equal to m that every equal map given to s shares,
// with strings of its own (never m's). nil stays nil, so "no tags" and
// "tags all removed" read as they were. The result must only be read.
func (s *TagSets) Share(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Each key and value is length-prefixed, so no key or value can pass
	// for a different split of the same bytes.
	var b []byte
	for _, k := range keys {
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(append(b, ':'), k...)
		b = strconv.AppendInt(b, int64(len(m[k])), 10)
		b = append(append(b, ':'), m[k]...)
	}
	content := string(b)
	if shared, ok := s.byContent[content]; ok {
		return shared
	}
	if s.byContent == nil {
		s.byContent = map[string]map[string]string{}
	}
	shared := make(map[string]string, len(m))
	for k, v := range m {
		shared[strings.Clone(k)] = strings.Clone(v)
	}
	s.byContent[content] = shared
	return shared
}

// detach returns r with every string copied out of the response it was
// read from; its tags and slots are shared with every resource whose tags
// and slots are the same.
func detach(r inventory.Resource, in *interner) inventory.Resource {
	r.Kind, r.Account, r.Region, r.Source = in.of(r.Kind), in.of(r.Account), in.of(r.Region), in.of(r.Source)
	r.ARN = strings.Clone(r.ARN)
	r.Name = NameIn(r.ARN, r.Name)
	r.TagsError, r.RolesUnknown = in.of(r.TagsError), in.of(r.RolesUnknown)
	r.Tags = in.tags.Share(r.Tags)
	if r.Attributes != nil {
		attrs := make(map[string]string, len(r.Attributes))
		for k, v := range r.Attributes {
			attrs[in.of(k)] = strings.Clone(v)
		}
		r.Attributes = attrs
	}
	r.ExecutionRoles = in.roles(r.ExecutionRoles)
	r.Slots = in.slots(r.Slots)
	return r
}

// roles returns a copy of the execution roles ss that every resource run
// by the same roles shares: a job history is mostly one role per job,
// repeated across thousands of jobs, and a list of its own cost each of
// 100,000 jobs 16 bytes and an allocation. Shared lists are only read.
func (in *interner) roles(ss []string) []string {
	if ss == nil {
		return nil
	}
	key := ss[0] // one role, by far the commonest: its own key, no allocation
	if len(ss) != 1 {
		key = strings.Join(ss, "\x00") // role ARNs hold no NUL
	}
	if shared, ok := in.roleLists[key]; ok && slices.Equal(shared, ss) {
		return shared
	}
	out := in.all(ss)
	in.roleLists[in.of(key)] = out
	return out
}

// slots returns a copy of ss that every resource with the same slots
// shares (jobs launched alike name the same keys, instance types and
// output prefixes). Shared slots are only read: collectors finish a
// resource's slots before the sink sees it. Slot sets are found by a hash
// of their content and compared in full, so a set unique to one job (its
// own output prefix) costs no key beside it.
func (in *interner) slots(ss []inventory.Slot) []inventory.Slot {
	if ss == nil {
		return nil
	}
	var h maphash.Hash
	h.SetSeed(in.seed)
	for _, s := range ss {
		for _, v := range []string{s.Type, s.Name, s.Label, s.KeyRef, s.OutputURI, s.Unsupported, s.Unknown, s.Role} {
			maphash.WriteComparable(&h, v)
		}
		maphash.WriteComparable(&h, len(s.InstanceTypes))
		for _, v := range s.InstanceTypes {
			maphash.WriteComparable(&h, v)
		}
		maphash.WriteComparable(&h, s.Serverless)
	}
	sum := h.Sum64()
	shared, found := in.slotSets[sum]
	if found && slices.EqualFunc(shared, ss, sameSlot) {
		return shared
	}
	out := make([]inventory.Slot, len(ss))
	for i, s := range ss {
		s.Type, s.Name, s.Label, s.KeyRef = in.of(s.Type), in.of(s.Name), in.of(s.Label), in.of(s.KeyRef)
		// An output prefix is often a job's own: copied, not interned, so
		// the interner does not keep an entry for each of 50,000 jobs.
		s.InstanceTypes, s.OutputURI = in.all(s.InstanceTypes), strings.Clone(s.OutputURI)
		s.Unsupported, s.Unknown, s.Role = in.of(s.Unsupported), in.of(s.Unknown), in.of(s.Role)
		out[i] = s
	}
	if !found { // two sets with one hash: the first is shared, the other kept apart
		in.slotSets[sum] = out
	}
	return out
}

func sameSlot(a, b inventory.Slot) bool {
	return a.Type == b.Type && a.Name == b.Name && a.Label == b.Label && a.KeyRef == b.KeyRef && a.OutputURI == b.OutputURI &&
		a.Unsupported == b.Unsupported && a.Unknown == b.Unknown && a.Role == b.Role && a.Serverless == b.Serverless &&
		slices.Equal(a.InstanceTypes, b.InstanceTypes)
}

// NameIn is name as the end of arn when the ARN ends with it (".../name"
// or "...:name"), sharing its bytes, else a copy: most names are the last
// part of their ARN, and a job history holds 100,000 of them. arn must be
// a copy already, not a string inside a response.
func NameIn(arn, name string) string {
	if name != "" && len(arn) > len(name) && strings.HasSuffix(arn, name) && strings.ContainsRune("/:", rune(arn[len(arn)-len(name)-1])) {
		return arn[len(arn)-len(name):]
	}
	return strings.Clone(name)
}
