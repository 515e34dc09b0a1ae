package catalog

import (
	"strings"
	"unicode"
)

// How each kind is declared in infrastructure as code, for `sagekey iac`:
// the resource types (Terraform aws_ and awscc_, CloudFormation), where the
// name and tags are, and per slot the attribute that holds the key and the
// attributes that decide NOT_APPLICABLE exactly as a live scan decides it
// (instance types, serverless variants, output URIs). The IaC mapping
// fills inventory slots from these paths, so the same rules give the same
// verdicts before anything is created.
//
// Paths are written in each language's own notation: Terraform attribute
// paths with ".", CloudFormation property paths with "/" and "*" for list
// items. IaCPath splits either; nested blocks and lists are walked
// through, every element in turn.

// IaCKind is how one catalog kind is declared.
type IaCKind struct {
	Kind  string // catalog kind id
	Forms []IaCForm
	// NotMapped says why the kind has no IaC form (no Terraform resource and
	// no CloudFormation type, or keys inside a document not parsed).
	NotMapped string
}

// IaCForm is one resource type that declares a kind.
type IaCForm struct {
	// Type is the Terraform resource type or the CloudFormation type.
	Type string
	// Name is the attribute holding the resource's name.
	Name string
	// Tags are the attributes holding the tags, the first declared wins: a
	// plan's tags_all includes the provider's default_tags, tags does not.
	// A map (aws_) or a list of {Key, Value} (CloudFormation, awscc_).
	Tags []string
	// Via is the attribute naming another declared resource whose key
	// slots this one uses when it declares none itself: an endpoint its
	// endpoint configuration, a monitoring schedule its job definition.
	Via string
	// ViaKind is the kind Via names; "" when it may name several (a
	// schedule names a job definition of any of the four monitoring kinds).
	ViaKind string
	Slots   []IaCSlot
	// Unconfirmed says which of the form's paths no stored provider or
	// CloudFormation documentation confirmed.
	Unconfirmed string
}

// IaCList is a list whose every element carries its own slot (a variant's
// core dumps, an instance group's volumes, a dataset input).
type IaCList struct {
	Path string // the list
	Name string // the element attribute naming it, for slot names
	What string // how messages call an element: "variant", "instance group"
	// Unsupported, when set, says that slots in this list cannot take a
	// customer-managed key (HyperPod restricted instance groups).
	Unsupported string
}

// IaCCondition is a literal attribute value that makes a slot unable to
// take a customer-managed key.
type IaCCondition struct {
	Path, Equals, Reason string
}

// IaCStorage describes slots that are entries of a storage list under
// each element (HyperPod InstanceStorageConfigs): one root-volume slot per
// element, keyed by the entry whose RootFlag is true (or none), and one
// slot per other entry.
type IaCStorage struct {
	Entries  string // the list, under the element
	RootFlag string // the entry's bool marking the root volume
	Root     bool   // this slot is the root volume
}

// IaCSlot maps one catalog slot.
type IaCSlot struct {
	Slot string // catalog slot id
	// Each lists the lists whose elements repeat the slot; none means one
	// slot per resource. Every other path is below the element then.
	Each []IaCList
	// Plain names the slot without its element when the resource has a
	// single one (a tuning job with one training definition), as live.
	Plain bool
	// When is the attribute whose declared, non-empty value makes the slot
	// exist ("" = always), as the live collector records only the outputs
	// a resource writes.
	When string
	// Enabled is a bool that, declared false, means the slot does not
	// exist; EnabledDefault is its value when it is not declared.
	Enabled        string
	EnabledDefault bool
	// Key are the attributes that may hold the key, the first declared wins.
	Key []string
	// InstanceTypes are the attributes naming the instance types whose
	// storage the slot encrypts (SlotSpec.LocalStorage).
	InstanceTypes []string
	// Serverless are the blocks whose declaration marks a serverless
	// variant (SlotSpec.ServerlessExempt).
	Serverless []string
	// OutputURI are the attributes holding the S3 output (SlotSpec.S3Output),
	// the first declared wins.
	OutputURI   []string
	Unsupported *IaCCondition
	Storage     *IaCStorage
	Unconfirmed string
}

// IaCPath splits an attribute path in either notation into its segments.
func IaCPath(p string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(p, func(r rune) bool { return r == '.' || r == '/' }) {
		if s != "*" && s != "[]" {
			out = append(out, s)
		}
	}
	return out
}

// IaCKinds returns the IaC mapping of every kind, sorted by kind id. It
// builds fresh values each call.
func IaCKinds() []IaCKind {
	out := make([]IaCKind, 0, len(Kinds()))
	for _, k := range Kinds() {
		out = append(out, iacKind(k))
	}
	return out
}

// KindForType returns the kind a resource type declares, with its mapping
// and the form of that type.
func KindForType(typ string) (Kind, IaCForm, bool) {
	for _, k := range Kinds() {
		for _, f := range iacKind(k).Forms {
			if f.Type == typ {
				return k, f, true
			}
		}
	}
	return Kind{}, IaCForm{}, false
}

// iacKind assembles a kind's forms: the Terraform aws_ form and the
// CloudFormation form as written, and the awscc_ form derived from the
// CloudFormation one, as that provider is generated from the CloudFormation
// schemas (snake_case property names; confirmed on awscc_sagemaker_cluster).
func iacKind(k Kind) IaCKind {
	m := iacData(k.ID)
	out := IaCKind{Kind: k.ID, NotMapped: m.notMapped}
	if m.tf != nil {
		out.Forms = append(out.Forms, *m.tf)
	}
	if m.cfn != nil {
		cfn := *m.cfn
		cfn.Type = k.ResourceType
		out.Forms = append(out.Forms, cfn)
		if !m.noAWSCC {
			out.Forms = append(out.Forms, awsccForm(k.ResourceType, cfn))
		}
	}
	return out
}

// iacEntry is a kind's hand-written mapping.
type iacEntry struct {
	tf, cfn   *IaCForm
	noAWSCC   bool
	notMapped string
}

func awsccForm(cfnType string, f IaCForm) IaCForm {
	f.Type = "awscc_sagemaker_" + snake(strings.TrimPrefix(cfnType, "AWS::SageMaker::"))
	f.Name, f.Via = snakePath(f.Name), snakePath(f.Via)
	f.Tags = snakePaths(f.Tags)
	slots := make([]IaCSlot, len(f.Slots))
	for i, s := range f.Slots {
		each := make([]IaCList, len(s.Each))
		for j, l := range s.Each {
			l.Path, l.Name = snakePath(l.Path), snakePath(l.Name)
			each[j] = l
		}
		s.Each = each
		s.When, s.Enabled = snakePath(s.When), snakePath(s.Enabled)
		s.Key, s.InstanceTypes = snakePaths(s.Key), snakePaths(s.InstanceTypes)
		s.Serverless, s.OutputURI = snakePaths(s.Serverless), snakePaths(s.OutputURI)
		if c := s.Unsupported; c != nil {
			s.Unsupported = &IaCCondition{Path: snakePath(c.Path), Equals: c.Equals, Reason: c.Reason}
		}
		if st := s.Storage; st != nil {
			s.Storage = &IaCStorage{Entries: snakePath(st.Entries), RootFlag: snakePath(st.RootFlag), Root: st.Root}
		}
		slots[i] = s
	}
	f.Slots = slots
	f.Unconfirmed = "awscc_ paths are the CloudFormation paths in snake_case, as the provider is generated"
	return f
}

func snakePaths(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = snakePath(p)
	}
	return out
}

// snakePath turns a CloudFormation path into the awscc_ attribute path.
func snakePath(p string) string {
	segs := IaCPath(p)
	for i, s := range segs {
		segs[i] = snake(s)
	}
	return strings.Join(segs, ".")
}

// snake is "DestinationS3Uri" → "destination_s3_uri": a word starts at an
// upper-case letter after a lower-case letter or a digit.
func snake(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
		prev = r
	}
	return b.String()
}
