package keyaccess

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/inventory"
)

// policy is one of the role's IAM policies, parsed, or why it cannot be.
type policy struct {
	// label names it in reasons: "IAM policy sagemaker-kms",
	// "permissions boundary ml-boundary".
	label   string
	doc     iampolicy.Document
	unknown string
}

func parsePolicy(kind string, p inventory.PolicyDocument) policy {
	out := policy{label: kind + " " + p.Name}
	switch {
	case p.Unknown != "":
		out.unknown = p.Unknown
	case p.Document == "":
		out.unknown = "its document was not recorded"
	default:
		d, err := iampolicy.Parse([]byte(p.Document))
		if err != nil {
			out.unknown = "it could not be parsed: " + err.Error()
		}
		out.doc = d
	}
	return out
}

// statementLabel names statement i (0-based) of a document by Sid, or by
// its position when it has none.
func statementLabel(st iampolicy.Statement, i int) string {
	if st.Sid != "" {
		return st.Sid
	}
	return fmt.Sprintf("#%d", i+1)
}

// allows is whether the policy's Allow statements cover the request: True
// with the statement that does, Unknown with what it depends on.
func (p policy) allows(action, resource string, ctx *iampolicy.Context) (iampolicy.Verdict, string) {
	if p.unknown != "" {
		return iampolicy.Verdict{DependsOn: p.label}, p.label + " could not be read: " + p.unknown
	}
	var unknown iampolicy.Verdict
	var why string
	for i, st := range p.doc.Statement {
		if st.Effect != iampolicy.Allow {
			continue
		}
		v := st.Applies(action, resource, ctx)
		switch {
		case v.Truth == iampolicy.True:
			return v, p.label + " statement " + statementLabel(st, i)
		case v.Truth == iampolicy.Unknown && why == "":
			unknown, why = v, "depends on "+v.DependsOn+" ("+p.label+" statement "+statementLabel(st, i)+")"
		}
	}
	if why != "" {
		return unknown, why
	}
	return iampolicy.Verdict{Truth: iampolicy.False}, ""
}

// anyAllows is the OR of allows over policies: the first True, else the
// first Unknown, else False.
func anyAllows(ps []policy, action, resource string, ctx *iampolicy.Context) (iampolicy.Verdict, string) {
	out, why := iampolicy.Verdict{Truth: iampolicy.False}, ""
	for _, p := range ps {
		v, w := p.allows(action, resource, ctx)
		switch {
		case v.Truth == iampolicy.True:
			return v, w
		case v.Truth == iampolicy.Unknown && out.Truth == iampolicy.False:
			out, why = v, w
		}
	}
	return out, why
}
