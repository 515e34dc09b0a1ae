package keyaccess

import (
	"fmt"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// Evaluate decides whether req.Role may perform req.Action on req.KeyARN.
func Evaluate(req Request, f Facts) Result {
	return EvaluateActions(req, []string{req.Action}, f)[0]
}

// EvaluateActions decides several actions of one role on one key (req.Action
// is ignored), parsing the policies once. Results are in the order of
// actions.
func EvaluateActions(req Request, actions []string, f Facts) []Result {
	e, early := newEvaluator(req, f)
	out := make([]Result, len(actions))
	for i, a := range actions {
		if early != nil {
			r := *early
			r.Action = a
			out[i] = r
			continue
		}
		out[i] = e.decide(a)
	}
	return out
}

// evaluator holds what every action of one request shares.
type evaluator struct {
	req        Request
	facts      Facts
	caller     caller
	keyAccount string
	keyPolicy  iampolicy.Document
	// identity and boundary are the role's policies; both are empty when
	// facts.Role is nil, and boundary is nil when the role has none.
	identity []policy
	boundary *policy
}

// newEvaluator parses what the decisions need. A fact that decides every
// action at once (role missing, key policy unreadable) comes back as the
// result for all of them.
func newEvaluator(req Request, f Facts) (*evaluator, *Result) {
	if f.RoleMissing {
		return nil, &Result{Decision: Denied, Reason: "role does not exist"}
	}
	if f.PolicyUnknown != "" {
		return nil, &Result{Reason: "the key policy could not be read: " + f.PolicyUnknown, DependsOn: DependsOnKeyPolicy}
	}
	doc, err := iampolicy.Parse([]byte(f.KeyPolicy))
	if err != nil {
		return nil, &Result{Reason: "the key policy could not be parsed: " + err.Error(), DependsOn: DependsOnKeyPolicy}
	}
	actual := ""
	if f.Role != nil {
		actual = f.Role.ARN
	}
	c, ok := newCaller(req.Role, actual)
	if !ok {
		return nil, &Result{Reason: fmt.Sprintf("%q is not an IAM role ARN", req.Role), DependsOn: DependsOnRole}
	}
	keyAccount := accountOf(req.KeyARN)
	if keyAccount == "" {
		return nil, &Result{Reason: fmt.Sprintf("%q is not a key ARN", req.KeyARN), DependsOn: DependsOnKeyPolicy}
	}
	e := &evaluator{req: req, facts: f, caller: c, keyAccount: keyAccount, keyPolicy: doc}
	if f.Role != nil {
		for _, p := range f.Role.Policies {
			e.identity = append(e.identity, parsePolicy("IAM policy", p))
		}
		if f.Role.Boundary != nil {
			b := parsePolicy("permissions boundary", *f.Role.Boundary)
			e.boundary = &b
		}
	}
	return e, nil
}

// context is the request context as far as sagekey knows it; every other
// condition key is unknown.
func (e *evaluator) context(action string) *iampolicy.Context {
	ctx := iampolicy.NewContext()
	// For a session, aws:PrincipalArn is the role's ARN with its path; a
	// recorded ARN without a path may lack it.
	if e.caller.pathKnown {
		ctx.Set("aws:PrincipalArn", e.caller.arn)
	}
	ctx.Set("aws:PrincipalAccount", e.caller.account)
	ctx.Set("kms:CallerAccount", e.caller.account)
	ctx.Set("aws:PrincipalType", "AssumedRole")
	// A role is never an AWS service principal.
	ctx.Set("aws:PrincipalIsAWSService", "false")
	ctx.Set("aws:ResourceAccount", e.keyAccount)
	if e.facts.Role != nil {
		// The role's tags are all known, so a tag it lacks is absent.
		ctx.KnowPrefix("aws:PrincipalTag/")
		for k, v := range e.facts.Role.Tags {
			ctx.Set("aws:PrincipalTag/"+k, v)
		}
	}
	if e.req.ViaService != "" {
		ctx.Set("kms:ViaService", e.req.ViaService)
	} else {
		ctx.Set("kms:ViaService")
	}
	// A service creating a grant for the resource it manages on the role's
	// behalf is what kms:GrantIsForAWSResource is true for.
	if iampolicy.MatchAction("kms:CreateGrant", action) && e.req.ViaService != "" {
		ctx.Set("kms:GrantIsForAWSResource", "true")
	} else {
		ctx.Set("kms:GrantIsForAWSResource")
	}
	return ctx
}

// decide follows the IAM evaluation logic for KMS: an explicit Deny
// anywhere wins; then an Allow from the key policy (directly or by
// delegation to the role's IAM policies, within its permissions boundary)
// or from a grant; otherwise the implicit deny.
func (e *evaluator) decide(action string) Result {
	ctx := e.context(action)
	t := &tally{}
	if r, denied := e.denies(action, ctx, t); denied {
		r.Action = action
		return r
	}
	e.keyPolicyAllows(action, ctx, t)
	e.grantsAllow(action, t)
	r := t.result(e)
	r.Action = action
	return r
}
