// Package model is the SDK-free model of declared infrastructure that every
// infrastructure-as-code reader fills (Terraform configuration, Terraform
// plan JSON, CloudFormation and what compiles to it: CDK, SAM): resources
// with their attribute values as declared, each value with the source
// range it came from and the declarations it refers to. It decides nothing
// about encryption; `sagekey iac` maps it onto the catalog's key slots and
// judges it with the same rules as a live scan.
package model

import "fmt"

// Source names the reader that produced a resource.
type Source string

// The readers.
const (
	Terraform      Source = "terraform"
	TerraformPlan  Source = "terraform-plan"
	CloudFormation Source = "cloudformation"
)

// Pos is a position in a file, 1-based.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Range is a span of a file. A zero End means the span is Start alone.
type Range struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
}

// String is "file:line:column", as editors and CI logs link it.
func (r Range) String() string {
	if r.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Column)
}

// Kind is what sort of value a Value is.
type Kind string

// Value kinds. Null is an attribute set to null or AWS::NoValue, which is
// the same as leaving it out; an absent attribute has no Value at all.
const (
	String  Kind = "string"
	Number  Kind = "number"
	Bool    Kind = "bool"
	List    Kind = "list"
	Object  Kind = "object"
	Null    Kind = "null"
	Unknown Kind = "unknown"
)

// Value is one attribute value as declared.
type Value struct {
	Kind Kind `json:"kind"`
	// Str holds a String, and a Number or Bool in its canonical text. On
	// an Unknown built from a template (Fn::Sub, Fn::Join) it holds the
	// template with each part known only at deploy as "*", e.g.
	// "arn:*:kms:*:*:alias/aws/sagemaker", so what the known parts decide
	// (an AWS-managed alias) is still seen.
	Str    string           `json:"str,omitempty"`
	List   []Value          `json:"list,omitempty"`
	Object map[string]Value `json:"object,omitempty"`
	// Why says what an Unknown value is waiting for: "known after apply",
	// "variable var.key_arn has no value", "Fn::ImportValue shared-key".
	Why string `json:"why,omitempty"`
	// Refs are the declarations the value was computed from, in the order
	// the expression names them: a key resource, an alias, a data source,
	// a variable, a parameter, an import. A value that is a key's ARN
	// refers to that key even when the ARN itself is unknown (a plan's
	// "known after apply").
	Refs []Ref `json:"refs,omitempty"`
	// Branches are the values a condition chooses between (Fn::If, or a
	// Terraform conditional whose predicate is unknown). When set, Kind is
	// Unknown and each branch is judged: the worse verdict is reported,
	// naming its condition.
	Branches []Branch `json:"branches,omitempty"`
	Range    Range    `json:"range"`
}

// Branch is one arm of a condition.
type Branch struct {
	// Condition names the condition and the arm, e.g. "UseCMK (true)" or
	// "var.encrypt ? ... (false)".
	Condition string `json:"condition"`
	Value     Value  `json:"value"`
}

// RefKind is what a reference points to.
type RefKind string

// Reference kinds.
const (
	RefResource  RefKind = "resource"  // a managed resource in the configuration (aws_kms_key.main, a CFN logical ID)
	RefData      RefKind = "data"      // a Terraform data source (data.aws_kms_alias.sagemaker)
	RefVariable  RefKind = "variable"  // a Terraform variable or local without a known value
	RefParameter RefKind = "parameter" // a CloudFormation parameter without a value
	RefImport    RefKind = "import"    // Fn::ImportValue: another stack's export
)

// Ref is a reference from a value to a declaration.
type Ref struct {
	Kind RefKind `json:"kind"`
	// Address is the declaration's Resource.Address (module path
	// included), the variable ("var.key_arn", "module.ml.var.key"), the
	// parameter name, or the export name.
	Address string `json:"address"`
	// Attr is the attribute referred to ("arn", "key_id", "target_key_arn";
	// for CloudFormation "Ref" or the Fn::GetAtt attribute).
	Attr string `json:"attr,omitempty"`
}

// Mode tells managed resources from data sources.
type Mode string

// Resource modes.
const (
	Managed Mode = "managed"
	Data    Mode = "data"
)

// Resource is one declared resource or data source, after count and
// for_each are expanded (one Resource per instance).
type Resource struct {
	Source Source `json:"source"`
	Mode   Mode   `json:"mode"`
	// Type is the provider's type: aws_sagemaker_notebook_instance,
	// awscc_sagemaker_domain, AWS::SageMaker::NotebookInstance.
	Type string `json:"type"`
	// Address is unique within a Config: Terraform's full address
	// (module.ml.aws_sagemaker_notebook_instance.nb["a"]), or for
	// CloudFormation the nested-stack path and logical ID
	// (Stack/NestedStack/NotebookInstance).
	Address string `json:"address"`
	// Module is the module path ("" for the root module, "module.ml",
	// "module.ml.module.net") or the nested-stack path.
	Module string `json:"module,omitempty"`
	// Name is the resource's name in the configuration (Terraform name,
	// CloudFormation logical ID), without module path or index.
	Name string `json:"name"`
	// Attrs are the top-level attributes (Terraform) or properties
	// (CloudFormation); nested blocks are lists of objects.
	Attrs map[string]Value `json:"attrs"`
	// Range is the whole block, for findings about a missing attribute.
	Range Range `json:"range"`
	// Ignores are the inline suppressions written for this resource.
	Ignores []Ignore `json:"ignores,omitempty"`
}

// Ignore is an inline suppression: `# sagekey:ignore <check>
// reason="..." expires=YYYY-MM-DD` above a Terraform block, or
// Metadata.sagekey.ignore in CloudFormation. Reason and Expires are
// required when judged, as in sagekey.yaml; the reader records what is
// written and Problem when it could not be parsed.
type Ignore struct {
	Check   string `json:"check"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	Problem string `json:"problem,omitempty"`
	Range   Range  `json:"range"`
}

// Gap is input that could not be read: a syntax error, a file too large, a
// module that is not installed, a reference cycle. Other input is still
// read.
type Gap struct {
	File   string `json:"file"`
	Range  *Range `json:"range,omitempty"`
	Reason string `json:"reason"`
}

// Config is what a reader found under its paths.
type Config struct {
	Resources []Resource `json:"resources"`
	Gaps      []Gap      `json:"gaps"`
	// Files counts the files read.
	Files int `json:"files"`
}

// Lookup returns the value at a dotted attribute path through objects,
// and through every element of a list ("production_variants.instance_type"
// gives one value per variant), in declaration order. An attribute absent
// on the way gives nothing.
func (r Resource) Lookup(path []string) []Value {
	if len(path) == 0 {
		return nil
	}
	v, ok := r.Attrs[path[0]]
	if !ok {
		return nil
	}
	return v.Lookup(path[1:])
}

// Lookup is Resource.Lookup below a value.
func (v Value) Lookup(path []string) []Value {
	if len(path) == 0 {
		if v.Kind == List {
			return append([]Value(nil), v.List...)
		}
		return []Value{v}
	}
	switch v.Kind {
	case Object:
		child, ok := v.Object[path[0]]
		if !ok {
			return nil
		}
		return child.Lookup(path[1:])
	case List:
		var out []Value
		for _, item := range v.List {
			out = append(out, item.Lookup(path)...)
		}
		return out
	}
	return nil
}

// Find returns the resource at address.
func (c *Config) Find(address string) (Resource, bool) {
	for _, r := range c.Resources {
		if r.Address == address {
			return r, true
		}
	}
	return Resource{}, false
}
