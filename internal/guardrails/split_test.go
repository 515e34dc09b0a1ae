package guardrails

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iampolicy"
)

// many returns settings with n approved keys and m exempt principals.
func many(n, m int) Settings {
	s := demo()
	s.ApprovedKeys, s.ExemptPrincipals = nil, nil
	for i := range n {
		s.ApprovedKeys = append(s.ApprovedKeys, fmt.Sprintf("arn:aws:kms:*:%012d:key/*", 100000000000+i))
	}
	for i := range m {
		s.ExemptPrincipals = append(s.ExemptPrincipals, fmt.Sprintf("arn:aws:iam::123456789012:role/BreakGlass%02d", i))
	}
	return s
}

// TestSplittingKeepsEveryStatement forces several policies and proves that
// their statements together are exactly the unsplit set: nothing truncated,
// dropped or duplicated.
func TestSplittingKeepsEveryStatement(t *testing.T) {
	t.Parallel()
	s := many(40, 15)
	b := mustBuild(t, s)
	if len(b.SCPs) < 3 || len(b.IAMPolicies) < 2 {
		t.Fatalf("want several policies, got %d SCPs and %d IAM policies", len(b.SCPs), len(b.IAMPolicies))
	}
	want := statementSet(t, Statements(b.Settings))
	for name, policies := range map[string][]Policy{"SCPs": b.SCPs, "IAM policies": b.IAMPolicies} {
		var got []iampolicy.Statement
		for _, p := range policies {
			got = append(got, p.Document.Statement...)
		}
		if g := statementSet(t, got); !slices.Equal(g, want) {
			t.Errorf("%s: statements differ from the unsplit set:\n got %d\nwant %d", name, len(g), len(want))
		}
	}
	for _, st := range want {
		if strings.Contains(st, "ArnNotLikeIfExists") && !strings.Contains(st, s.ApprovedKeys[len(s.ApprovedKeys)-1]) {
			t.Errorf("a pin statement lost approved keys: %.200s", st)
		}
	}
	if !slices.ContainsFunc(b.Notes, func(n string) bool { return strings.Contains(n, "at most 5 attached") }) && len(b.SCPs) > 4 {
		t.Error("more than 4 SCPs without a note about the attachment quota")
	}
}

func statementSet(t *testing.T, sts []iampolicy.Statement) []string {
	t.Helper()
	var out []string
	for _, st := range sts {
		b, err := iampolicy.Minify(iampolicy.Document{Statement: []iampolicy.Statement{st}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

func TestStatementTooBigIsAnError(t *testing.T) {
	t.Parallel()
	_, err := Build(many(1, 200))
	if err == nil || !strings.Contains(err.Error(), "over the 5120-character policy limit") {
		t.Fatalf("Build with 200 exempt principals: %v", err)
	}
	big := iampolicy.Statement{Sid: "Big", Effect: iampolicy.Deny, Action: iampolicy.Strings{"sagemaker:CreateTrainingJob"},
		Resource: iampolicy.Strings{"*"}, Condition: iampolicy.Conditions{}}
	big.Condition.Add("ArnNotLike", "aws:PrincipalARN", strings.Repeat("x", IAMMaxChars))
	if _, err := pack([]iampolicy.Statement{big}, IAMMaxChars, "p"); err == nil {
		t.Error("pack accepted a statement over the limit")
	}
}

// TestEverySlotIsCoveredOrListed: a slot added to the catalog is either
// enforced by a Null or pin statement, or listed as not enforceable; it can
// never be silently uncovered.
func TestEverySlotIsCoveredOrListed(t *testing.T) {
	t.Parallel()
	b := mustBuild(t, demo())
	listed := map[string]bool{}
	for _, g := range b.NotEnforceable {
		listed[g.Kind+"/"+g.Slot] = true
		if g.Reason == "" || len(g.Detective) == 0 || !strings.HasPrefix(g.Detective[0], "sagekey check "+g.Kind+".cmk") {
			t.Errorf("%s/%s: incomplete gap %+v", g.Kind, g.Slot, g)
		}
	}
	for _, k := range catalog.Kinds() {
		for _, slot := range k.Slots {
			if !enforced(b.Statements, k, slot) && !listed[k.ID+"/"+slot.ID] {
				t.Errorf("%s/%s is neither enforced nor listed as not enforceable", k.ID, slot.ID)
			}
		}
	}
	for _, want := range []string{"cluster/root-volume", "cluster/ebs-volume", "endpoint-config/data-capture",
		"endpoint-config/volume", "compilation-job/output", "feature-group/online-store", "monitoring-schedule/volume",
		"labeling-job/volume", "user-profile/sharing-output", "endpoint/volume"} {
		if !listed[want] {
			t.Errorf("%s should be listed as not (fully) enforceable", want)
		}
	}
}

// enforced: a statement names one of the kind's create actions with the
// slot's keys in a Null (required) or ArnNotLikeIfExists (pinned) block.
func enforced(sts []iampolicy.Statement, k catalog.Kind, slot catalog.SlotSpec) bool {
	if len(slot.ConditionKeys) == 0 {
		return false
	}
	for _, st := range sts {
		if !slices.ContainsFunc(k.CreateActions, func(a string) bool { return slices.Contains(st.Action, a) }) {
			continue
		}
		if _, ok := st.Condition["Null"][slot.ConditionKeys[0]]; ok {
			return true
		}
		if _, ok := st.Condition["ArnNotLikeIfExists"][slot.ConditionKeys[0]]; ok {
			return true
		}
	}
	return false
}
