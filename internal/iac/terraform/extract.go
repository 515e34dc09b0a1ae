package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// parts are the declarations of one file, merged per module directory.
type parts struct {
	resources []*block
	calls     []*call
	variables []*variable
	locals    []*hcl.Attribute
	outputs   []*hcl.Attribute
	// attrNames are every attribute name a traversal in the file steps
	// through. A resource's value in the evaluation context is an object
	// with exactly these attributes, each unknown and marked with its
	// reference, so `aws_kms_key.k[count.index].arn` evaluates and says
	// which attribute it read.
	attrNames map[string]bool
}

// block is a resource or data block.
type block struct {
	mode           model.Mode
	typ, name      string
	body           hcl.Body
	count, forEach hcl.Expression
	rng            hcl.Range
	file           *file
	ignores        []model.Ignore
}

// call is a module block.
type call struct {
	name, source   string
	hasSource      bool
	inputs         hcl.Attributes
	count, forEach hcl.Expression
	rng            hcl.Range
	file           *file
}

// variable is a variable block.
type variable struct {
	name    string
	def     hcl.Expression // nil without a default
	typ     cty.Type
	hasType bool
	rng     hcl.Range
}

// fileSchema is a function, not a variable, so no package state can be
// changed by accident.
func fileSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
	}}
}

func variableSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "type"}}}
}

func outputSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "value"}}}
}

// metaArgs are resource and module arguments that are Terraform's, not
// the provider's, so they are not attributes of the resource.
func metaArg(name string) bool {
	switch name {
	case "count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection", "source", "version", "providers":
		return true
	}
	return false
}

func extract(f *file, body hcl.Body) *parts {
	p := &parts{attrNames: map[string]bool{}}
	content, _, diags := body.PartialContent(fileSchema())
	f.diagGaps(diags)
	if f.native {
		if sb, ok := body.(*hclsyntax.Body); ok {
			collectNamesNative(sb, p.attrNames)
		}
	}
	for _, b := range content.Blocks {
		switch b.Type {
		case "resource", "data":
			p.resources = append(p.resources, f.resourceBlock(b, p.attrNames))
		case "module":
			p.calls = append(p.calls, f.moduleBlock(b, p.attrNames))
		case "variable":
			p.variables = append(p.variables, f.variableBlock(b))
		case "locals":
			attrs, diags := b.Body.JustAttributes()
			f.diagGaps(diags)
			for _, a := range sortedAttrs(attrs) {
				p.locals = append(p.locals, a)
				f.jsonNames(a.Expr, p.attrNames)
			}
		case "output":
			c, _, _ := b.Body.PartialContent(outputSchema())
			if a, ok := c.Attributes["value"]; ok {
				p.outputs = append(p.outputs, &hcl.Attribute{Name: b.Labels[0], Expr: a.Expr, Range: a.Range, NameRange: b.DefRange})
				f.jsonNames(a.Expr, p.attrNames)
			}
		}
	}
	return p
}

func (f *file) resourceBlock(b *hcl.Block, names map[string]bool) *block {
	rb := &block{mode: model.Managed, typ: b.Labels[0], name: b.Labels[1], body: b.Body, rng: b.DefRange, file: f}
	if b.Type == "data" {
		rb.mode = model.Data
	}
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		rb.rng = sb.SrcRange
		rb.rng.Start = b.DefRange.Start
		if a, ok := sb.Attributes["count"]; ok {
			rb.count = a.Expr
		}
		if a, ok := sb.Attributes["for_each"]; ok {
			rb.forEach = a.Expr
		}
		rb.ignores = f.ignoresAbove(b.DefRange.Start.Line)
		return rb
	}
	attrs, _ := b.Body.JustAttributes()
	for name, a := range attrs {
		f.jsonNames(a.Expr, names)
		switch name {
		case "count":
			rb.count = a.Expr
		case "for_each":
			rb.forEach = a.Expr
		}
	}
	return rb
}

func (f *file) moduleBlock(b *hcl.Block, names map[string]bool) *call {
	c := &call{name: b.Labels[0], inputs: hcl.Attributes{}, rng: b.DefRange, file: f}
	attrs, diags := b.Body.JustAttributes()
	f.diagGaps(diags)
	for name, a := range attrs {
		f.jsonNames(a.Expr, names)
		switch name {
		case "source":
			v, d := a.Expr.Value(nil)
			if !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
				c.source, c.hasSource = v.AsString(), true
			}
		case "count":
			c.count = a.Expr
		case "for_each":
			c.forEach = a.Expr
		default:
			if !metaArg(name) {
				c.inputs[name] = a
			}
		}
	}
	return c
}

func (f *file) variableBlock(b *hcl.Block) *variable {
	v := &variable{name: b.Labels[0], rng: b.DefRange}
	c, _, _ := b.Body.PartialContent(variableSchema())
	if a, ok := c.Attributes["default"]; ok {
		v.def = a.Expr
	}
	if a, ok := c.Attributes["type"]; ok {
		if ty, _, d := typeexpr.TypeConstraintWithDefaults(a.Expr); !d.HasErrors() {
			v.typ, v.hasType = ty, true
		}
	}
	return v
}

// collectNamesNative walks every expression in a native file once.
func collectNamesNative(body *hclsyntax.Body, names map[string]bool) {
	_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			addNames(e.Traversal, names)
		case *hclsyntax.RelativeTraversalExpr:
			addNames(e.Traversal, names)
		}
		return nil
	})
}

// jsonNames adds the names in a JSON expression's templates; native files
// were walked whole already.
func (f *file) jsonNames(expr hcl.Expression, names map[string]bool) {
	if f.native {
		return
	}
	for _, t := range expr.Variables() {
		addNames(t, names)
	}
}

func addNames(t hcl.Traversal, names map[string]bool) {
	for _, step := range t {
		if a, ok := step.(hcl.TraverseAttr); ok {
			names[a.Name] = true
		}
	}
}

// sortedAttrs orders attributes by position, for deterministic output.
func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sortByPos(out, func(a *hcl.Attribute) hcl.Pos { return a.Range.Start })
	return out
}
