package remediate

import (
	"regexp"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// builder holds the indexes one Build call reads, and the variables the
// commands it wrote need.
type builder struct {
	in    Input
	o     Options
	byARN map[string]inventory.Resource
	keys  map[string]keys.Key // by ARN
	trail trailIndex
	vars  map[string]Variable
}

func newBuilder(in Input, o Options) *builder {
	b := &builder{in: in, o: o, byARN: map[string]inventory.Resource{}, keys: map[string]keys.Key{},
		trail: newTrailIndex(in.Trail), vars: map[string]Variable{}}
	for _, r := range in.Inventory.Resources {
		b.byARN[r.ARN] = r
	}
	for _, k := range in.Keys {
		b.keys[k.ARN] = k
	}
	return b
}

// item dispatches a FAIL finding to its strategy.
func (b *builder) item(f finding.Finding) Item {
	it := Item{Priority: f.Severity, Finding: subject(f), Preconditions: []string{}, Steps: []Step{}, Warnings: []string{}}
	it.CreatedBy, _ = b.trail.creator(f.Resource.ARN)
	if a := f.Resource.Account; a != "" {
		it.Preconditions = append(it.Preconditions, "Credentials for account "+a+
			" (the commands name no profile: set AWS_PROFILE or assume a role first).")
	}
	kindID, isCMK := strings.CutSuffix(f.CheckID, ".cmk")
	switch {
	case strings.HasPrefix(f.CheckID, "kms-key."):
		b.keyItem(&it, f)
	case strings.HasSuffix(f.CheckID, ".tags"):
		b.tagItem(&it, f)
	case strings.HasSuffix(f.CheckID, ".key-access"):
		b.keyAccessItem(&it, f)
	case isCMK:
		r := b.resource(f, kindID)
		switch kind := r.kind; {
		case kind.ID == "endpoint":
			b.endpointItem(&it, r)
		case kind.ID == "endpoint-config":
			b.endpointConfigItem(&it, r)
		case kind.ID == "notebook-instance":
			b.notebookItem(&it, r)
		case kind.ID == "cluster":
			b.clusterItem(&it, r)
		case kind.JobHistory && kind.Immutable:
			b.jobItem(&it, r)
		default:
			b.otherItem(&it, r)
		}
	default:
		manualItem(&it, f)
	}
	return it
}

// manualItem is the plan of a check this package has no strategy for: the
// rule's own remediation text, nothing scripted.
func manualItem(it *Item, f finding.Finding) {
	it.Strategy, it.Summary = "manual", f.Remediation
	it.Steps = append(it.Steps, Step{Title: "Follow the check's remediation", Why: f.Remediation})
}

// res is a resource finding joined with its inventory record.
type res struct {
	f     finding.Finding
	inv   inventory.Resource // zero when the inventory does not have it
	kind  catalog.Kind
	slots []slotFact // the failing slots
}

// slotFact is a failing slot with the facts the inventory recorded on it.
type slotFact struct {
	finding.Slot
	Type          string
	Label         string
	InstanceTypes []string
	Serverless    bool
	OutputURI     string
}

func (b *builder) resource(f finding.Finding, kindID string) res {
	r := res{f: f, inv: b.byARN[f.Resource.ARN]}
	r.kind, _ = catalog.Lookup(kindID)
	byName := map[string]inventory.Slot{}
	for _, s := range r.inv.Slots {
		byName[s.Name] = s
	}
	for _, s := range f.Slots {
		if s.Status != finding.Fail {
			continue
		}
		inv, ok := byName[s.Name]
		fact := slotFact{Slot: s, Type: inv.Type, Label: inv.Label, InstanceTypes: inv.InstanceTypes,
			Serverless: inv.Serverless, OutputURI: inv.OutputURI}
		if !ok || fact.Type == "" {
			fact.Type = typeFromName(s.Name)
		}
		if fact.Label == "" {
			fact.Label = s.Name
		}
		r.slots = append(r.slots, fact)
	}
	return r
}

var slotSuffix = regexp.MustCompile(`#\d+$`)

// typeFromName recovers a slot type from its name when the inventory is
// missing ("config:core-dump:AllTraffic" -> "core-dump").
func typeFromName(name string) string {
	name = slotSuffix.ReplaceAllString(name, "")
	for _, p := range []string{"config:", "pending:"} {
		name = strings.TrimPrefix(name, p)
	}
	t, _, _ := strings.Cut(name, ":")
	return t
}

// has reports whether a failing slot of type t exists.
func (r res) has(t string) bool {
	for _, s := range r.slots {
		if s.Type == t {
			return true
		}
	}
	return false
}

// slotTypes lists the distinct failing slot types in slot order.
func (r res) slotTypes() []string {
	var out []string
	for _, s := range r.slots {
		if !slices.Contains(out, s.Type) {
			out = append(out, s.Type)
		}
	}
	return out
}

// role names the execution roles of the resource, "" when none was
// recorded, so the key-policy precondition names them instead of
// describing them.
func (r res) role() string { return strings.Join(r.inv.ExecutionRoles, ", ") }
