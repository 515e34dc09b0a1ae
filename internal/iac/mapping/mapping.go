// Package mapping turns declared infrastructure (model.Config, filled by
// the Terraform, plan and CloudFormation readers) into what a live scan
// produces: an inventory whose slots are filled exactly as the live
// collectors fill them, the keys those slots name resolved offline, the
// inline suppressions, and where each finding's subject is declared. The
// engine then judges a configuration with the same rules, and the same
// verdicts, before anything is created.
//
// Which resource types declare which kind, and where their keys, instance
// types, serverless variants and output URIs are, is catalog data
// (catalog.IaCKinds); this package only reads it.
package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// Options tune the mapping.
type Options struct {
	// ApprovedKeys is engine.Settings.ApprovedKeys: a key defined outside
	// the configuration that matches one is trusted offline (an Enabled
	// customer-managed key).
	ApprovedKeys []string
	// Account and Region the configuration deploys to, when known. They
	// become the account and region of the keys it declares; without the
	// account, a declared key policy that names accounts is not judged
	// (each would look foreign).
	Account, Region string
}

// Mapped is a configuration as the engine reads a scan.
type Mapped struct {
	// Inventory holds one resource per declared SageMaker resource.
	Inventory inventory.Inventory
	// Keys are the keys the slots name, for keys.SetFrom.
	Keys []keys.Key
	// KeyRefs maps each canonical reference the rules look up
	// (keys.ParseRef(slot.KeyRef, account, region).Canonical()) to its key's ARN.
	KeyRefs map[string]string
	// Locations says where each resource (and declared key) is declared,
	// by inventory resource ARN or key ARN.
	Locations map[string]ResourceLocation
	// External are the key references defined outside the configuration,
	// for `--live` to resolve with KMS.
	External []External
	// Suppressions come from inline sagekey:ignore comments.
	Suppressions []engine.Suppression
	// Gaps are the readers' gaps and the ignores that could not be used
	// (Inventory.Gaps stays empty: a caller reports these once).
	Gaps []inventory.Gap
}

// ResourceLocation is where a resource and each of its slots are declared.
type ResourceLocation struct {
	Block finding.Location
	// Slots are by inventory.Slot.Name: the key attribute, or the block
	// when the attribute is missing.
	Slots map[string]finding.Location
	// Fix adds the missing key attribute, when the configuration declares
	// exactly one suitable key beside the resource.
	Fix *finding.Fix
}

// External is a key reference defined outside the configuration.
type External struct {
	// Ref is the literal ARN, ID or alias, or the variable, parameter,
	// data source or export address.
	Ref string
	// Resources are the ARNs of the resources that use it.
	Resources []string
}

// mapper carries one Map call's state.
type mapper struct {
	opts            Options
	account, region string
	accountKnown    bool
	approved        map[string]bool
	keys            map[string]*keys.Key // by ARN
	refs            map[string]string
	external        map[string][]string // ref → resource ARNs
	// types indexes catalog.IaCKinds once: looking a type up per resource
	// would rebuild the catalog each time.
	types map[string]typeForm
	out   Mapped
}

// typeForm is the kind a resource type declares and the form of it.
type typeForm struct {
	kind catalog.Kind
	form catalog.IaCForm
}

// kindForType is catalog.KindForType through the index.
func (m *mapper) kindForType(typ string) (catalog.Kind, catalog.IaCForm, bool) {
	t, ok := m.types[typ]
	return t.kind, t.form, ok
}

// Map maps every configuration. Resource and key ARNs are pseudo ARNs
// ("iac:<source>:<address>", "arn:aws:kms:<region>:<account>:key/<source>/<address>"),
// stable across runs; the second and later configurations of one source
// are told apart by "#n" after the source.
func Map(cfgs []*model.Config, opts Options) Mapped {
	m := &mapper{opts: opts, account: opts.Account, region: opts.Region, accountKnown: opts.Account != "",
		approved: map[string]bool{}, keys: map[string]*keys.Key{}, refs: map[string]string{}, external: map[string][]string{}}
	m.types = map[string]typeForm{}
	for _, ik := range catalog.IaCKinds() {
		k := catalog.MustLookup(ik.Kind)
		for _, f := range ik.Forms {
			m.types[f.Type] = typeForm{kind: k, form: f}
		}
	}
	if m.account == "" {
		m.account = pseudoAccount
	}
	if m.region == "" {
		m.region = pseudoRegion
	}
	for _, a := range opts.ApprovedKeys {
		m.approved[a] = true
	}
	m.out = Mapped{Inventory: inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Resources: []inventory.Resource{},
		Gaps: []inventory.Gap{}}, KeyRefs: map[string]string{}, Locations: map[string]ResourceLocation{}}
	seen := map[model.Source]int{}
	for _, cfg := range cfgs {
		if cfg == nil {
			continue
		}
		c := newConfig(cfg, seen)
		for _, g := range cfg.Gaps {
			m.gap(g.File, g.Range, g.Reason)
		}
		for i := range cfg.Resources {
			m.mapResource(c, &cfg.Resources[i])
		}
		m.mapKeyResources(c)
	}
	m.finish()
	return m.out
}

// config indexes one configuration's declarations.
type config struct {
	source  string // the source, with "#n" for a later configuration of it
	byAddr  map[string]*model.Resource
	aliases map[string]*model.Resource // declared alias resources by literal name
	onlyKey map[string]*model.Resource // the fix's key per module (nil: none or several)
	cfg     *model.Config
}

func newConfig(cfg *model.Config, seen map[model.Source]int) *config {
	c := &config{byAddr: map[string]*model.Resource{}, aliases: map[string]*model.Resource{},
		onlyKey: map[string]*model.Resource{}, cfg: cfg}
	for i := range cfg.Resources {
		r := &cfg.Resources[i]
		c.byAddr[r.Address] = r
		if c.source == "" {
			c.source = string(r.Source)
			if n := seen[r.Source]; n > 0 {
				c.source += fmt.Sprintf("#%d", n+1)
			}
			seen[r.Source]++
		}
		if t, ok := kmsTypeOf(r.Type); ok && t.alias && r.Mode == model.Managed {
			if name, ok := literalAt(root(r), t.name); ok {
				c.aliases[name] = r
			}
		}
	}
	return c
}

// resourceARN is a resource's pseudo ARN, or the ARN a plan already knows.
func (c *config) resourceARN(r *model.Resource) string {
	if arn, ok := literalAt(root(r), "arn"); ok && strings.HasPrefix(arn, "arn:") {
		return arn
	}
	return "iac:" + c.source + ":" + r.Address
}

// keyARN is a declared key's pseudo ARN; keys.ParseRef reads it as a key ARN.
func (c *config) keyARN(m *mapper, r *model.Resource) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s/%s", keys.PartitionOf(m.region), m.region, m.account, c.source, r.Address)
}

// mapResource maps one declared SageMaker resource.
func (m *mapper) mapResource(c *config, r *model.Resource) {
	if r.Mode != model.Managed {
		return
	}
	kind, form, ok := m.kindForType(r.Type)
	if !ok {
		return
	}
	arn := c.resourceARN(r)
	res := inventory.Resource{Kind: kind.ID, ARN: arn, Name: r.Name, Account: m.opts.Account, Region: m.opts.Region,
		Source: string(r.Source)}
	if name, ok := literalAt(root(r), form.Name); ok && name != "" {
		res.Name = name
	}
	res.Tags, res.TagsError = tags(r, form.Tags)
	if kind.RoleField != "" {
		// Never "runs as no role": key-access checks need the roles and
		// their policies, which the mapping does not read yet.
		res.RolesUnknown = "execution roles are not read from infrastructure as code yet"
	}
	loc := ResourceLocation{Block: location(r.Range, r), Slots: map[string]finding.Location{}}
	res.Slots = m.slots(c, r, kind, form, arn, &loc, 0)
	loc.Fix = m.fix(c, r, kind, form, res.Slots)
	m.out.Inventory.Resources = append(m.out.Inventory.Resources, res)
	m.out.Locations[arn] = loc
	m.ignores(r, arn)
}

// mapKeyResources records where each declared key is, and its inline
// suppressions (kms-key.* findings are about the key).
func (m *mapper) mapKeyResources(c *config) {
	for i := range c.cfg.Resources {
		r := &c.cfg.Resources[i]
		if t, ok := kmsTypeOf(r.Type); !ok || t.alias || r.Mode != model.Managed {
			continue
		}
		arn := c.keyARN(m, r)
		m.out.Locations[arn] = ResourceLocation{Block: location(r.Range, r), Slots: map[string]finding.Location{}}
		m.ignores(r, arn)
	}
}

// record notes a slot's resolved key and external reference.
func (m *mapper) record(res resolution, resourceARN string) {
	if res.key != nil {
		k := *res.key
		m.keys[k.ARN] = &k
		m.refs[keys.ParseRef(res.keyRef, m.opts.Account, m.opts.Region).Canonical()] = k.ARN
	}
	for _, e := range append([]string{res.external}, res.others...) {
		if e != "" && !contains(m.external[e], resourceARN) {
			m.external[e] = append(m.external[e], resourceARN)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// gap records input that could not be used.
func (m *mapper) gap(file string, r *model.Range, reason string) {
	service := "iac:" + file
	if r != nil && r.Start.Line > 0 {
		service = fmt.Sprintf("iac:%s:%d", r.File, r.Start.Line)
	}
	m.out.Gaps = append(m.out.Gaps, inventory.Gap{Service: service, Reason: reason})
}

// finish sorts what maps gathered, so output is stable.
func (m *mapper) finish() {
	for ref, arn := range m.refs {
		m.out.KeyRefs[ref] = arn
	}
	m.out.Keys = make([]keys.Key, 0, len(m.keys))
	used := m.usedARNs()
	for arn, k := range m.keys {
		if used[arn] {
			m.out.Keys = append(m.out.Keys, *k)
		}
	}
	sort.Slice(m.out.Keys, func(i, j int) bool { return m.out.Keys[i].ARN < m.out.Keys[j].ARN })
	for ref, res := range m.external {
		m.out.External = append(m.out.External, External{Ref: ref, Resources: res})
	}
	sort.Slice(m.out.External, func(i, j int) bool { return m.out.External[i].Ref < m.out.External[j].Ref })
}

// usedARNs are the keys some slot's reference maps to.
func (m *mapper) usedARNs() map[string]bool {
	out := map[string]bool{}
	for _, arn := range m.refs {
		out[arn] = true
	}
	return out
}
