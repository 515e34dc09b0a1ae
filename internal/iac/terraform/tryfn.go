package terraform

import (
	"errors"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// tryFunc is Terraform's try(). HCL's ext/tryfunc has the same semantics
// but returns a bare unknown when an argument is not wholly known, which
// drops the marks saying which key the value would have been; this one
// keeps them. Arguments are expression closures (HCL's customdecode), so
// an argument that fails to evaluate is seen as a failure, not a value.
func tryFunc() function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "expressions", Type: customdecode.ExpressionClosureType},
		Type: func(args []cty.Value) (cty.Type, error) {
			v, err := try(args)
			if err != nil {
				return cty.NilType, err
			}
			return v.Type(), nil
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return try(args) },
	})
}

// canFunc is Terraform's can(): true when its argument evaluates.
func canFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "expression", Type: customdecode.ExpressionClosureType}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, diags := customdecode.ExpressionClosureFromVal(args[0]).Value()
			switch {
			case diags.HasErrors():
				return cty.False, nil
			case !v.IsWhollyKnown():
				_, marks := v.UnmarkDeep()
				return cty.UnknownVal(cty.Bool).WithMarks(marks), nil
			}
			return cty.True, nil
		},
	})
}

func try(args []cty.Value) (cty.Value, error) {
	if len(args) == 0 {
		return cty.NilVal, errors.New("at least one argument is required")
	}
	var msgs []string
	for _, arg := range args {
		v, diags := customdecode.ExpressionClosureFromVal(arg).Value()
		if diags.HasErrors() {
			msgs = append(msgs, diagText(diags))
			continue
		}
		if !v.IsWhollyKnown() {
			// Which argument wins may change once the value is known, so
			// the result is unknown, but it is still this value's refs.
			_, marks := v.UnmarkDeep()
			return cty.DynamicVal.WithMarks(marks), nil
		}
		return v, nil
	}
	return cty.NilVal, errors.New("no expression succeeded: " + strings.Join(msgs, "; "))
}
