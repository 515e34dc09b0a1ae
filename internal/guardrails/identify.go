package guardrails

import (
	"slices"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// StatementIDs are the Sids of every deny statement sagekey can generate
// (requirements, and pins when approved keys are given). A deployed SCP or
// identity policy that carries one of them is one of sagekey's guardrails,
// even when nobody passed its ID: sagekey trail counts what it blocked as a
// guardrail block.
func StatementIDs() []string {
	var out []string
	for _, st := range Statements(Settings{ApprovedKeys: []string{"arn:aws:kms:*:111122223333:key/*"}}) {
		out = append(out, st.Sid)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IsGuardrail reports whether doc carries one of sagekey's deny statements.
func IsGuardrail(doc iampolicy.Document) bool {
	ids := StatementIDs()
	for _, st := range doc.Statement {
		if st.Effect == iampolicy.Deny && slices.Contains(ids, st.Sid) {
			return true
		}
	}
	return false
}
