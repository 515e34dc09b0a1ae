package guardrails

import (
	"testing"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// Every policy sagekey generates is recognised by its statement IDs, and a
// policy that only shares the shape of one is not.
func TestIsGuardrailRecognisesGeneratedPolicies(t *testing.T) {
	b, err := Build(Settings{ApprovedKeys: []string{"arn:aws:kms:us-east-1:111122223333:key/*"}})
	if err != nil {
		t.Fatal(err)
	}
	policies := append(append([]Policy(nil), b.SCPs...), b.IAMPolicies...)
	if len(policies) == 0 {
		t.Fatal("no policy generated")
	}
	for _, p := range policies {
		if !IsGuardrail(p.Document) {
			t.Errorf("generated policy %s not recognised", p.Name)
		}
	}
	other := iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{
		{Sid: "DenyNotebooks", Effect: iampolicy.Deny, Action: iampolicy.Strings{"sagemaker:CreateNotebookInstance"}, Resource: iampolicy.Strings{"*"}},
		// A sagekey Sid on an Allow is not a guardrail.
		{Sid: StatementIDs()[0], Effect: iampolicy.Allow, Action: iampolicy.Strings{"sagemaker:*"}, Resource: iampolicy.Strings{"*"}},
	}}
	if IsGuardrail(other) {
		t.Error("a policy without sagekey's deny statements is taken for a guardrail")
	}
}
