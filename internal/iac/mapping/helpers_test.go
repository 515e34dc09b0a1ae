package mapping

import (
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/keys"
)

// Builders for model values as the readers produce them; every value sits
// on its own line of main.tf (or template.yaml) so locations can be checked.

func rng(file string, line int) model.Range {
	return model.Range{File: file, Start: model.Pos{Line: line, Column: 3}, End: model.Pos{Line: line, Column: 40}}
}

func str(s string, line int) model.Value {
	return model.Value{Kind: model.String, Str: s, Range: rng("main.tf", line)}
}

func boolean(b bool, line int) model.Value {
	v := model.Value{Kind: model.Bool, Str: "false", Range: rng("main.tf", line)}
	if b {
		v.Str = "true"
	}
	return v
}

// ref is a value computed from a declaration, known after apply.
func ref(kind model.RefKind, addr, attr string, line int) model.Value {
	return model.Value{Kind: model.Unknown, Why: "known after apply", Range: rng("main.tf", line),
		Refs: []model.Ref{{Kind: kind, Address: addr, Attr: attr}}}
}

func obj(attrs map[string]model.Value) model.Value {
	return model.Value{Kind: model.Object, Object: attrs}
}

func list(vs ...model.Value) model.Value { return model.Value{Kind: model.List, List: vs} }

// tf is a managed Terraform resource whose block spans lines line..line+9.
func tf(typ, name string, line int, attrs map[string]model.Value) model.Resource {
	return model.Resource{Source: model.Terraform, Mode: model.Managed, Type: typ, Name: name, Address: typ + "." + name,
		Attrs: attrs, Range: model.Range{File: "main.tf", Start: model.Pos{Line: line, Column: 1}, End: model.Pos{Line: line + 9, Column: 2}}}
}

func data(typ, name string, attrs map[string]model.Value) model.Resource {
	r := tf(typ, name, 90, attrs)
	r.Mode, r.Address = model.Data, "data."+typ+"."+name
	return r
}

// key is aws_kms_key.<name> with the given attributes.
func key(name string, attrs map[string]model.Value) model.Resource {
	if attrs == nil {
		attrs = map[string]model.Value{}
	}
	return tf("aws_kms_key", name, 1, attrs)
}

func rotating() map[string]model.Value {
	return map[string]model.Value{"enable_key_rotation": boolean(true, 3)}
}

func notebook(keyValue *model.Value, instanceType string) model.Resource {
	attrs := map[string]model.Value{"name": str("nb", 21), "instance_type": str(instanceType, 22)}
	if keyValue != nil {
		attrs["kms_key_id"] = *keyValue
	}
	return tf("aws_sagemaker_notebook_instance", "nb", 20, attrs)
}

func ptr(v model.Value) *model.Value { return &v }

const nbARN = "iac:terraform:aws_sagemaker_notebook_instance.nb"

func testNow() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }

// evaluate maps and judges a configuration as `sagekey iac` does.
func evaluate(t *testing.T, opts Options, res ...model.Resource) (Mapped, []finding.Finding) {
	t.Helper()
	m := Map([]*model.Config{{Resources: res}}, opts)
	fs := engine.Evaluate(m.Inventory, keys.SetFrom(m.Keys, m.KeyRefs), engine.Settings{ApprovedKeys: opts.ApprovedKeys,
		Suppressions: m.Suppressions, Now: testNow()})
	return m, fs
}

func findingOf(t *testing.T, fs []finding.Finding, check, arnPart string) finding.Finding {
	t.Helper()
	for _, f := range fs {
		if f.CheckID == check && strings.Contains(f.Resource.ARN, arnPart) {
			return f
		}
	}
	t.Fatalf("no %s finding for %s", check, arnPart)
	return finding.Finding{}
}
