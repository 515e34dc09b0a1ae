package mapping

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/inventory"
)

// Slots are filled as the live collectors fill them (collect/sagemaker):
// a slot exists where the live API would report one (an output only when
// the resource writes it), per list element where the API repeats it, and
// carries the instance types, serverless flag and output URI the rules
// decide NOT_APPLICABLE from. Only written values count: an instance type
// known only at apply proves nothing.

// element is one place a slot repeats over: the resource itself, or one
// element of a list.
type element struct {
	v     model.Value
	list  catalog.IaCList
	name  string
	count int // elements of the slot in the resource, for IaCSlot.Plain
}

func elements(r *model.Resource, s catalog.IaCSlot) []element {
	if len(s.Each) == 0 {
		return []element{{v: root(r), count: 1}}
	}
	var out []element
	for _, l := range s.Each {
		for i, v := range at(root(r), l.Path) {
			name, ok := literalAt(v, l.Name)
			if !ok || name == "" {
				name = strconv.Itoa(i)
			}
			out = append(out, element{v: v, list: l, name: name})
		}
	}
	for i := range out {
		out[i].count = len(out)
	}
	return out
}

// exists applies IaCSlot.When and Enabled to an element.
func exists(e element, s catalog.IaCSlot) bool {
	if s.When != "" && !declared(e.v, s.When) {
		return false
	}
	if s.Enabled != "" {
		on, isDeclared, known := boolAt(e.v, s.Enabled)
		switch {
		case !known: // decided at apply: judge it as if enabled
		case isDeclared && !on, !isDeclared && !s.EnabledDefault:
			return false
		}
	}
	return true
}

// places are the values below which a slot's key is read: the element, or
// for HyperPod storage the matching storage entries.
func places(e element, s catalog.IaCSlot) []model.Value {
	if s.Storage == nil {
		return []model.Value{e.v}
	}
	var root, other []model.Value
	for _, entry := range at(e.v, s.Storage.Entries) {
		if on, _, _ := boolAt(entry, s.Storage.RootFlag); on {
			root = append(root, entry)
		} else {
			other = append(other, entry)
		}
	}
	if !s.Storage.Root {
		return other
	}
	// Every group has a root volume; with no entry naming it, its key is
	// the AWS-owned default (an empty object: no key declared).
	if len(root) == 0 {
		return []model.Value{{Kind: model.Object, Range: e.v.Range}}
	}
	return root[:1]
}

// slots fills a resource's slots; a resource that declares none and names
// another (an endpoint its configuration) takes that one's.
func (m *mapper) slots(c *config, r *model.Resource, kind catalog.Kind, form catalog.IaCForm, arn string,
	loc *ResourceLocation, depth int) []inventory.Slot {
	names := map[string]int{}
	out := []inventory.Slot{}
	for _, s := range form.Slots {
		spec, _ := kind.Slot(s.Slot)
		for _, e := range elements(r, s) {
			if !exists(e, s) {
				continue
			}
			for _, p := range places(e, s) {
				out = append(out, m.slot(c, r, spec, s, e, p, arn, loc, names))
			}
		}
	}
	if len(out) == 0 && form.Via != "" && depth == 0 {
		return m.via(c, r, form, arn, loc)
	}
	return out
}

// slot fills one slot.
func (m *mapper) slot(c *config, r *model.Resource, spec catalog.SlotSpec, s catalog.IaCSlot, e element, place model.Value,
	arn string, loc *ResourceLocation, names map[string]int) inventory.Slot {
	sl := inventory.Slot{Type: s.Slot, Name: s.Slot, Label: spec.Title}
	if e.list.Path != "" && !(s.Plain && e.count == 1) {
		sl.Name = s.Slot + ":" + e.name
		sl.Label = fmt.Sprintf("%s %s: %s", e.list.What, e.name, spec.Title)
	}
	names[sl.Name]++
	if n := names[sl.Name]; n > 1 {
		sl.Name += "#" + strconv.Itoa(n)
	}
	sl.Unsupported = e.list.Unsupported
	if u := s.Unsupported; u != nil {
		if v, ok := literalAt(e.v, u.Path); ok && v == u.Equals {
			sl.Unsupported = u.Reason
		}
	}
	unknownType := ""
	for _, p := range s.InstanceTypes {
		for _, v := range at(e.v, p) {
			if t, ok := literal(v); ok && t != "" {
				sl.InstanceTypes = appendUnique(sl.InstanceTypes, t)
			} else if v.Kind != model.Null && unknownType == "" {
				unknownType = why(v)
			}
		}
	}
	serverless := false
	for _, p := range s.Serverless {
		serverless = serverless || declared(e.v, p)
	}
	// As live: only an all-serverless resource has no volume.
	sl.Serverless = serverless && len(sl.InstanceTypes) == 0 && unknownType == ""
	for _, p := range s.OutputURI {
		if u, ok := literalAt(e.v, p); ok && u != "" {
			sl.OutputURI = u
			break
		}
	}
	where := loc.Block
	if e.v.Kind == model.Unknown {
		sl.Unknown = e.list.What + " " + e.name + ": " + why(e.v)
	} else if v, ok := firstKey(place, s.Key); ok {
		empty := rankFail
		if inapplicable(spec, sl) {
			empty = rankNotApplicable
		}
		res := m.resolve(c, v, 0, empty)
		sl.KeyRef, sl.Unknown = res.keyRef, res.unknown
		if res.label != "" {
			sl.Label += " (when " + res.label + ")"
		}
		m.record(res, arn)
		if res.value.Range.File != "" {
			where = location(res.value.Range, r)
		}
	}
	if sl.KeyRef == "" && sl.Unknown == "" && unknownType != "" && spec.LocalStorage != catalog.TableNone &&
		!inapplicable(spec, sl) && allLocal(spec.LocalStorage, sl.InstanceTypes) {
		sl.Unknown = "instance type " + unknownType + ": whether a volume key applies cannot be decided"
	}
	loc.Slots[sl.Name] = where
	return sl
}

// firstKey returns the first declared key attribute.
func firstKey(v model.Value, paths []string) (model.Value, bool) {
	for _, p := range paths {
		if x, ok := first(v, p); ok {
			return x, true
		}
	}
	return model.Value{}, false
}

// inapplicable mirrors the rules' test for an empty slot that cannot take
// a key (rules/cmk.go), to rank the arms of a condition.
func inapplicable(spec catalog.SlotSpec, s inventory.Slot) bool {
	bucket, _, _ := strings.Cut(strings.TrimPrefix(s.OutputURI, "s3://"), "/")
	return s.Unsupported != "" || (spec.ServerlessExempt && s.Serverless) ||
		(spec.LocalStorage != catalog.TableNone && len(s.InstanceTypes) > 0 && allLocal(spec.LocalStorage, s.InstanceTypes)) ||
		(spec.S3Output && strings.HasSuffix(bucket, "--x-s3"))
}

// allLocal reports whether every type has local NVMe storage (none is all).
func allLocal(t catalog.Table, types []string) bool {
	for _, it := range types {
		if !catalog.HasLocalStorage(t, it) {
			return false
		}
	}
	return true
}

func appendUnique(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

// via fills the slots of a resource judged through another declared one.
func (m *mapper) via(c *config, r *model.Resource, form catalog.IaCForm, arn string, loc *ResourceLocation) []inventory.Slot {
	v, ok := first(root(r), form.Via)
	if !ok || v.Kind == model.Null {
		return []inventory.Slot{inventory.UnreadableSlot(form.Via + " is not declared")}
	}
	target := m.viaTarget(c, v, form.ViaKind)
	if target == nil {
		what := why(v)
		if s, ok := literal(v); ok {
			what = s
		}
		return []inventory.Slot{inventory.UnreadableSlot(fmt.Sprintf("%s names %s, which this configuration does not "+
			"declare; verify with --live", form.Via, what))}
	}
	kind, tform, _ := m.kindForType(target.Type)
	return m.slots(c, target, kind, tform, arn, loc, 1)
}

// viaTarget finds the declared resource a value names: by reference, or
// by its literal name.
func (m *mapper) viaTarget(c *config, v model.Value, kindID string) *model.Resource {
	match := func(r *model.Resource) (catalog.IaCForm, bool) {
		k, f, ok := m.kindForType(r.Type)
		return f, ok && r.Mode == model.Managed && (kindID == "" || k.ID == kindID) && len(f.Slots) > 0
	}
	for _, ref := range v.Refs {
		if r := c.byAddr[ref.Address]; r != nil {
			if _, ok := match(r); ok {
				return r
			}
		}
	}
	name, ok := literal(v)
	if !ok {
		return nil
	}
	for i := range c.cfg.Resources {
		r := &c.cfg.Resources[i]
		if f, ok := match(r); ok {
			if n, ok := literalAt(root(r), f.Name); ok && n == name {
				return r
			}
		}
	}
	return nil
}
