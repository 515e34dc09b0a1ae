package mapping

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// location is where r (or a value of it) is declared.
func location(rng model.Range, r *model.Resource) finding.Location {
	return finding.Location{File: rng.File, StartLine: rng.Start.Line, StartColumn: rng.Start.Column,
		EndLine: rng.End.Line, EndColumn: rng.End.Column, Module: r.Module, Address: r.Address}
}

// fix suggests the key attribute a resource lacks, when the same module
// declares exactly one suitable key: an Enabled customer-managed key
// resource of the same language. Only a top-level attribute is suggested
// (a nested block's attribute may need the block itself), only for source
// files (a plan's ranges are not where one edits), and only for one slot:
// a reader adds one line and re-runs.
//
// Terraform: "  <attr> = <key address>.arn" on the line after the block's
// opening line. CloudFormation (YAML only): "<indent>KmsKeyId: !GetAtt
// <Key>.Arn" before the first property, indented two columns deeper than
// Properties, which sits two columns deeper than the logical ID.
func (m *mapper) fix(c *config, r *model.Resource, kind catalog.Kind, form catalog.IaCForm, slots []inventory.Slot) *finding.Fix {
	if r.Source == model.TerraformPlan || r.Range.File == "" {
		return nil
	}
	var attr string
	for _, s := range form.Slots {
		spec, _ := kind.Slot(s.Slot)
		if len(s.Each) > 0 || s.Storage != nil || len(catalog.IaCPath(s.Key[0])) != 1 {
			continue
		}
		for _, sl := range slots {
			if sl.Type == s.Slot && sl.KeyRef == "" && sl.Unknown == "" && !inapplicable(spec, sl) {
				attr = s.Key[0]
				break
			}
		}
		if attr != "" {
			break
		}
	}
	if attr == "" {
		return nil
	}
	key := m.onlyKey(c, r)
	if key == nil {
		return nil
	}
	f := &finding.Fix{File: r.Range.File, Column: 1,
		Description: fmt.Sprintf("use %s, the customer-managed key this configuration declares", key.Address)}
	if r.Source == model.CloudFormation {
		if !isYAML(r.Range.File) {
			return nil
		}
		line := 0
		for _, v := range r.Attrs {
			if v.Range.File == r.Range.File && v.Range.Start.Line > 0 && (line == 0 || v.Range.Start.Line < line) {
				line = v.Range.Start.Line
			}
		}
		if line == 0 {
			return nil
		}
		indent := strings.Repeat(" ", max(r.Range.Start.Column-1, 0)+4)
		f.Line, f.Text = line, fmt.Sprintf("%s%s: !GetAtt %s.Arn\n", indent, attr, key.Name)
		return f
	}
	ref := strings.TrimPrefix(key.Address, r.Module+".")
	f.Line, f.Text = r.Range.Start.Line+1, fmt.Sprintf("  %s = %s.arn\n", attr, ref)
	return f
}

func isYAML(file string) bool {
	return strings.HasSuffix(file, ".yaml") || strings.HasSuffix(file, ".yml") || strings.HasSuffix(file, ".template")
}

// onlyKey returns the one suitable key of r's module, or nil; the answer
// is kept per module, so large configurations are scanned once per module.
func (m *mapper) onlyKey(c *config, r *model.Resource) *model.Resource {
	slot := fmt.Sprintf("%s|%s|%t", r.Module, r.Source, strings.HasPrefix(r.Type, "aws_"))
	if k, ok := c.onlyKey[slot]; ok {
		return k
	}
	k := m.findOnlyKey(c, r)
	c.onlyKey[slot] = k
	return k
}

func (m *mapper) findOnlyKey(c *config, r *model.Resource) *model.Resource {
	var found *model.Resource
	for i := range c.cfg.Resources {
		k := &c.cfg.Resources[i]
		t, ok := kmsTypeOf(k.Type)
		if !ok || t.alias || k.Mode != model.Managed || k.Module != r.Module || k.Source != r.Source {
			continue
		}
		if strings.HasPrefix(k.Type, "aws_") != strings.HasPrefix(r.Type, "aws_") {
			continue // an aws_ resource refers to aws_kms_key, an awscc_ one to awscc_kms_key
		}
		key := m.keyOf(c, k)
		if key.Error != "" || key.State != keys.StateEnabled {
			continue
		}
		if found != nil {
			return nil
		}
		found = k
	}
	return found
}
