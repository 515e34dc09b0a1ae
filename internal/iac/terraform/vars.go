package terraform

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// rootVariables gives the root module's variables their values in
// Terraform's order of precedence: default, terraform.tfvars(.json),
// *.auto.tfvars(.json) alphabetically, each --var-file, each --var. A
// variable still without a value is absent from the map and becomes an
// unknown marked with its reference. TF_VAR_ environment variables are not
// read (see Options).
func (r *reader) rootVariables(ctx context.Context, root *modNode) map[string]cty.Value {
	vals := map[string]cty.Value{}
	decl := map[string]*variable{}
	for _, v := range root.mod.variables {
		decl[v.name] = v
		if v.def != nil {
			if d, diags := v.def.Value(nil); !diags.HasErrors() {
				vals[v.name] = d
			}
		}
	}
	var files []string
	for _, n := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		if _, err := os.Stat(filepath.Join(root.dir, n)); err == nil {
			files = append(files, filepath.Join(root.dir, n))
		}
	}
	if entries, err := os.ReadDir(root.dir); err == nil {
		var auto []string
		for _, e := range entries {
			if n := e.Name(); strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json") {
				auto = append(auto, filepath.Join(root.dir, n))
			}
		}
		sort.Strings(auto)
		files = append(files, auto...)
	}
	files = append(files, r.opts.VarFiles...)
	for _, path := range files {
		if ctx.Err() != nil {
			break
		}
		r.readVarFile(path, root, decl, vals)
	}
	names := make([]string, 0, len(r.opts.Vars))
	for n := range r.opts.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, ok := decl[n]
		if !ok {
			continue
		}
		vals[n] = cliVar(v, r.opts.Vars[n])
	}
	for n, v := range vals {
		vals[n] = convertTo(v, decl[n])
	}
	return vals
}

// readVarFile applies one variables file; values are literals, evaluated
// without any context, as Terraform requires.
func (r *reader) readVarFile(path string, root *modNode, decl map[string]*variable, vals map[string]cty.Value) {
	display := filepath.ToSlash(path)
	if rel, err := filepath.Rel(root.dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		display = displayJoin(root.display, rel)
	}
	info, err := os.Stat(path)
	if err != nil {
		r.gap(display, nil, "cannot read variables file: %v", trimPathErr(err))
		return
	}
	if info.Size() > r.opts.MaxFileSize {
		r.gap(display, nil, "variables file is larger than the %d-byte limit: not read", r.opts.MaxFileSize)
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		r.gap(display, nil, "cannot read variables file: %v", trimPathErr(err))
		return
	}
	var hf *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		hf, diags = hcljson.Parse(src, display)
	} else {
		hf, diags = hclsyntax.ParseConfig(src, display, hcl.InitialPos)
	}
	f := &file{path: display}
	f.diagGaps(diags)
	if hf != nil && !diags.HasErrors() {
		attrs, d := hf.Body.JustAttributes()
		f.diagGaps(d)
		for name, a := range attrs {
			if _, ok := decl[name]; !ok {
				continue // Terraform only warns about undeclared values
			}
			if v, d := a.Expr.Value(nil); !d.HasErrors() {
				vals[name] = v
			} else {
				f.diagGaps(d)
			}
		}
	}
	r.cfg.Gaps = append(r.cfg.Gaps, f.gaps...)
}

// cliVar is a --var value: literal text for a primitive (or untyped)
// variable, an HCL expression otherwise, as Terraform parses -var.
func cliVar(v *variable, raw string) cty.Value {
	if !v.hasType || v.typ.IsPrimitiveType() || v.typ == cty.DynamicPseudoType {
		return cty.StringVal(raw)
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var "+v.name, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.StringVal(raw)
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.StringVal(raw)
	}
	return val
}

// convertTo converts a value to its variable's declared type, as Terraform
// does before anything reads it ("5" for a number variable is 5). A value
// that does not convert is kept: Terraform would reject the configuration,
// and the original is the better evidence.
func convertTo(val cty.Value, v *variable) cty.Value {
	if v == nil || !v.hasType {
		return val
	}
	if out, err := convert.Convert(val, v.typ); err == nil {
		return out
	}
	return val
}
