package trail

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// Aggregator folds events into Aggregates. It is not safe for concurrent
// use: readers aggregate each unit on its own and Merge the results.
type Aggregator struct {
	ctx       *Context
	denials   map[string]*Denial
	blocked   map[string]*Blocked
	creators  map[string]Creator
	keyEvents map[string]KeyEvent
	requests  map[string]*RequestCount
	problems  map[string]*Problem
	events    int64
	matched   int64
}

// NewAggregator returns an empty aggregator judging events against ctx;
// nil judges them against an empty estate (no scanned keys, no guardrails).
func NewAggregator(ctx *Context) *Aggregator {
	if ctx == nil {
		ctx = NewContext(nil, nil)
	}
	return &Aggregator{ctx: ctx, denials: map[string]*Denial{}, blocked: map[string]*Blocked{},
		creators: map[string]Creator{}, keyEvents: map[string]KeyEvent{},
		requests: map[string]*RequestCount{}, problems: map[string]*Problem{}}
}

// CountSkipped records n records a prefilter rejected unread: they were
// read, but cannot be of interest.
func (a *Aggregator) CountSkipped(n int64) { a.events += n }

// AddProblem records a record (or unit) that could not be used.
func (a *Aggregator) AddProblem(unit, kind, reason string) {
	a.events++
	addProblem(a.problems, Problem{Unit: unit, Kind: kind, Reason: reason, Count: 1})
}

// Add folds one event in.
func (a *Aggregator) Add(ev *Event) {
	weight := max(ev.Weight, 1)
	a.events += weight
	var hit bool
	switch ev.EventSource {
	case SourceKMS:
		hit = a.addKMS(ev, weight)
	case SourceSageMaker:
		hit = a.addSageMaker(ev, weight)
	}
	if hit {
		a.matched += weight
	}
}

// accessDenied reports whether an error code is a refusal by policy.
func accessDenied(code string) bool {
	return code == "AccessDenied" || code == "AccessDeniedException"
}

// viaSageMaker reports whether SageMaker made the call on someone's behalf
// (with the caller's role or through a grant).
func viaSageMaker(ev *Event) bool {
	return ev.UserIdentity.InvokedBy == SourceSageMaker || ev.SourceIPAddress == SourceSageMaker ||
		ev.UserAgent == SourceSageMaker
}

// AccountOf is the account an event happened in.
func AccountOf(ev *Event) string {
	if ev.RecipientAccountID != "" {
		return ev.RecipientAccountID
	}
	return ev.UserIdentity.AccountID
}

// principalOf returns who acted: the role behind an assumed-role session
// (or the user), and the session's own ARN when it differs.
func principalOf(ev *Event) (principal, identity string) {
	id := ev.UserIdentity
	switch {
	case id.SessionContext.SessionIssuer.ARN != "":
		return id.SessionContext.SessionIssuer.ARN, id.ARN
	case id.ARN != "":
		return id.ARN, ""
	case id.InvokedBy != "":
		return id.InvokedBy, ""
	case id.Type == "AWSService":
		return ev.SourceIPAddress, ""
	}
	return id.PrincipalID, ""
}

// kmsKeyOf returns the key ARNs an event names: its resources of type
// AWS::KMS::Key and, resolved through the scanned keys, its keyId (or, for
// alias events, aliasName and targetKeyId) parameters. raw is the first
// reference seen, for a key sagekey has not resolved.
func (a *Aggregator) kmsKeysOf(ev *Event) (keys []string, raw string) {
	account, region := AccountOf(ev), ev.AWSRegion
	add := func(k string) {
		for _, have := range keys {
			if strings.EqualFold(have, k) {
				return
			}
		}
		keys = append(keys, k)
	}
	for _, r := range ev.Resources {
		if r.Type == "AWS::KMS::Key" && r.ARN != "" {
			if raw == "" {
				raw = r.ARN
			}
			if k := a.ctx.resolveKey(r.ARN, account, region); k != "" {
				add(k)
			}
		}
	}
	var params struct {
		KeyID       string `json:"keyId"`
		AliasName   string `json:"aliasName"`
		TargetKeyID string `json:"targetKeyId"`
	}
	if len(ev.RequestParameters) > 0 {
		_ = json.Unmarshal(ev.RequestParameters, &params) // a malformed parameter names no key
	}
	for _, ref := range []string{params.KeyID, params.AliasName, params.TargetKeyID} {
		if ref == "" {
			continue
		}
		if raw == "" {
			raw = ref
		}
		if k := a.ctx.resolveKey(ref, account, region); k != "" {
			add(k)
		}
	}
	return keys, raw
}

// keyOwner is the account of the first KMS key an event's resources name.
func keyOwner(ev *Event) string {
	for _, r := range ev.Resources {
		if r.Type != "AWS::KMS::Key" {
			continue
		}
		if r.AccountID != "" {
			return r.AccountID
		}
		if parts := strings.SplitN(r.ARN, ":", 6); len(parts) == 6 {
			return parts[4]
		}
	}
	return ""
}

// kmsRequestOps are the data-key and grant calls SageMaker makes to use a
// key; each is a billed KMS request.
func kmsRequestOp(name string) bool {
	return strings.HasPrefix(name, "GenerateDataKey") || strings.HasPrefix(name, "ReEncrypt") ||
		name == "Decrypt" || name == "Encrypt" || name == "CreateGrant"
}

// KeyLifecycleActions lists, sorted, the KMS calls sagekey keeps as key
// lifecycle events: those that change whether a key's data stays readable
// or who controls it. RevokeGrant is one: it can cut SageMaker off the
// volumes a grant lets it decrypt (RetireGrant is not: SageMaker retires
// its own grants when a resource goes). It builds a fresh slice each
// call, so no caller can change what the aggregator matches.
func KeyLifecycleActions() []string {
	return []string{
		"CancelKeyDeletion", "DeleteAlias", "DeleteImportedKeyMaterial", "DisableKey", "DisableKeyRotation",
		"EnableKey", "EnableKeyRotation", "ImportKeyMaterial", "PutKeyPolicy", "RevokeGrant", "ScheduleKeyDeletion", "UpdateAlias",
	}
}

// keyLifecycle reports whether name is one of KeyLifecycleActions.
func keyLifecycle(name string) bool {
	return slices.Contains(KeyLifecycleActions(), name)
}

func (a *Aggregator) addKMS(ev *Event, weight int64) bool {
	// A call on a key of another account is delivered to both accounts'
	// trails, and an organization trail holds both copies: only the key
	// owner's copy counts, so a denial or a request is counted once.
	if ev.SharedEventID != "" {
		if owner := keyOwner(ev); owner != "" && owner != AccountOf(ev) {
			return false
		}
	}
	switch {
	case accessDenied(ev.ErrorCode):
		return a.addDenial(ev, weight)
	case ev.ErrorCode != "":
		return false
	case keyLifecycle(ev.EventName):
		return a.addKeyEvent(ev)
	case kmsRequestOp(ev.EventName) && viaSageMaker(ev):
		keys, raw := a.kmsKeysOf(ev)
		if len(keys) == 0 {
			keys = []string{raw}
		}
		k := RequestCount{Day: Day(ev.EventTime), Account: AccountOf(ev), Region: ev.AWSRegion, KeyARN: keys[0],
			Operation: "kms:" + ev.EventName}
		k.Count = weight
		addRequest(a.requests, k)
		return true
	}
	return false
}

func (a *Aggregator) addDenial(ev *Event, weight int64) bool {
	keys, raw := a.kmsKeysOf(ev)
	via := ViaDirect
	if viaSageMaker(ev) {
		via = ViaSageMaker
	}
	if len(keys) == 0 {
		if via != ViaSageMaker {
			return false // a key that protects no SageMaker data
		}
		keys = []string{raw}
	}
	principal, identity := principalOf(ev)
	k := Denial{Day: Day(ev.EventTime), Account: AccountOf(ev), Region: ev.AWSRegion, KeyARN: keys[0],
		Principal: principal, Operation: "kms:" + ev.EventName, Via: via, ErrorCode: ev.ErrorCode,
		Policy: a.ctx.policyRelation(keys[0], principal, identity)}
	k.Count, k.Samples = weight, addSamples(nil, ev)
	addDenial(a.denials, k)
	return true
}

// addSamples keeps up to MaxSamples event IDs.
func addSamples(have []string, ev *Event) []string {
	ids := ev.Samples
	if len(ids) == 0 && ev.EventID != "" {
		ids = []string{ev.EventID}
	}
	return mergeSamples(have, ids)
}

func (a *Aggregator) addKeyEvent(ev *Event) bool {
	keys, _ := a.kmsKeysOf(ev)
	if len(keys) == 0 {
		return false // not a key that protects SageMaker data
	}
	principal, identity := principalOf(ev)
	for _, k := range keys {
		a.keyEvents[ev.EventID+"|"+k] = KeyEvent{EventID: ev.EventID, Time: ev.EventTime.UTC(), Account: AccountOf(ev),
			Region: ev.AWSRegion, KeyARN: k, Action: "kms:" + ev.EventName, Principal: principal, Identity: identity,
			SourceIP: ev.SourceIPAddress, UserAgent: ev.UserAgent, Tool: ToolOf(ev.UserAgent), Detail: keyEventDetail(ev)}
	}
	return true
}

// defaultPendingWindowDays is the waiting period KMS applies when a
// ScheduleKeyDeletion request names none.
const defaultPendingWindowDays = 30

// keyEventDetail is what a lifecycle request asked for that a reader needs:
// how long until the key is deleted, which alias changed and to what key.
func keyEventDetail(ev *Event) string {
	var p struct {
		PendingWindowInDays *int   `json:"pendingWindowInDays"`
		AliasName           string `json:"aliasName"`
		TargetKeyID         string `json:"targetKeyId"`
	}
	if len(ev.RequestParameters) > 0 {
		_ = json.Unmarshal(ev.RequestParameters, &p) // malformed parameters leave the detail empty
	}
	switch {
	case ev.EventName == "ScheduleKeyDeletion":
		// The window is optional in the request; the response states the
		// one KMS applied, and without either it is KMS's default.
		if p.PendingWindowInDays == nil && len(ev.ResponseElements) > 0 {
			var r struct {
				PendingWindowInDays *int `json:"pendingWindowInDays"`
			}
			if json.Unmarshal(ev.ResponseElements, &r) == nil {
				p.PendingWindowInDays = r.PendingWindowInDays
			}
		}
		if p.PendingWindowInDays == nil {
			return "pending window " + itoa(defaultPendingWindowDays) + " days (default)"
		}
		return "pending window " + itoa(*p.PendingWindowInDays) + " days"
	case ev.EventName == "UpdateAlias" && p.AliasName != "" && p.TargetKeyID != "":
		return p.AliasName + " -> " + p.TargetKeyID
	case p.AliasName != "":
		return p.AliasName
	}
	return ""
}

func (a *Aggregator) addSageMaker(ev *Event, weight int64) bool {
	switch {
	case accessDenied(ev.ErrorCode):
		return a.addBlocked(ev, weight)
	case ev.ErrorCode != "":
		return false
	}
	if _, ok := a.ctx.creates[ev.EventName]; !ok {
		return false
	}
	arn := createdARN(ev.ResponseElements)
	if arn == "" {
		return false
	}
	principal, identity := principalOf(ev)
	c := Creator{ResourceARN: arn, Account: AccountOf(ev), Region: ev.AWSRegion, Action: "sagemaker:" + ev.EventName,
		EventID: ev.EventID, Time: ev.EventTime.UTC(), Principal: principal, Identity: identity,
		SourceIP: ev.SourceIPAddress, UserAgent: ev.UserAgent, Tool: ToolOf(ev.UserAgent)}
	key := strings.ToLower(arn)
	if have, ok := a.creators[key]; !ok || laterCreate(c, have) {
		a.creators[key] = c // a resource recreated under its name: the latest create
	}
	return true
}

// laterCreate reports whether c replaces have as a resource's create event:
// the later one wins, and of two at the same instant the greater event ID,
// so the winner does not depend on the order units are read or merged in.
func laterCreate(c, have Creator) bool {
	if !c.Time.Equal(have.Time) {
		return c.Time.After(have.Time)
	}
	return c.EventID > have.EventID
}

// createdARN finds the new resource's ARN in a create response
// (notebookInstanceArn, trainingJobArn, endpointConfigArn, ...).
func createdARN(resp json.RawMessage) string {
	if len(resp) == 0 {
		return ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(resp, &fields) != nil {
		return ""
	}
	best := ""
	for name, raw := range fields {
		if !strings.HasSuffix(strings.ToLower(name), "arn") {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && strings.HasPrefix(s, "arn:") && strings.Contains(s, ":sagemaker:") {
			if best == "" || s < best {
				best = s // deterministic when a response carries several
			}
		}
	}
	return best
}

// policyARN matches the ARN of an IAM or Organizations policy, the one an
// access denied message names after its policy type since 2025
// (https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns).
var policyARN = regexp.MustCompile(`^arn:aws[a-z-]*:(?:organizations|iam)::\d*:policy/[A-Za-z0-9_+=,.@/-]+`)

// explicitDenyTypes maps the phrase after "with an explicit deny in a(n)"
// to a policy type. The phrases are IAM's
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html);
// a permissions boundary is the one not followed by "policy". It is a
// function so that no caller can change the table.
func explicitDenyTypes() []struct{ phrase, typ string } {
	return []struct{ phrase, typ string }{
		{"service control policy", PolicySCP},
		{"resource control policy", PolicyRCP},
		{"identity-based policy", PolicyIdentity},
		{"permissions boundary", PolicyBoundary},
		{"session policy", PolicySession},
		{"resource-based policy", PolicyResource},
		{"vpc endpoint policy", PolicyVPCEndpoint},
	}
}

// parseExplicitDeny reads an access denied message: whether an explicit
// deny refused the request, the type of the denying policy, and its ARN
// when the message names one. Messages without a policy type ("... with an
// explicit deny", as older messages and some services still end) are
// explicit denies of type PolicyOther. An implicit deny ("because no ...
// policy allows") is not one.
func parseExplicitDeny(msg string) (explicit bool, typ, arn string) {
	const marker = "with an explicit deny"
	lower := asciiLower(msg)
	i := strings.Index(lower, marker)
	if i < 0 {
		return false, "", ""
	}
	rest := strings.TrimLeft(lower[i+len(marker):], " ")
	orig := msg[len(msg)-len(rest):] // the same text with its case, for the ARN
	typ = PolicyOther
	if after, ok := cutArticle(rest); ok {
		for _, t := range explicitDenyTypes() {
			if strings.HasPrefix(after, t.phrase) {
				typ = t.typ
				tail := orig[len(orig)-len(after)+len(t.phrase):]
				if a, ok := strings.CutPrefix(strings.TrimLeft(tail, " "), ":"); ok {
					arn = strings.TrimRight(policyARN.FindString(strings.TrimLeft(a, " ")), ".,;")
				}
				break
			}
		}
	}
	return true, typ, arn
}

// asciiLower lower-cases ASCII letters only, so every byte offset into the
// result is one into s (strings.ToLower may change a string's length).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// cutArticle removes the leading "in a " or "in an " of s.
func cutArticle(s string) (string, bool) {
	for _, p := range []string{"in a ", "in an "} {
		if after, ok := strings.CutPrefix(s, p); ok {
			return after, true
		}
	}
	return s, false
}

func (a *Aggregator) addBlocked(ev *Event, weight int64) bool {
	if !a.ctx.blockable[ev.EventName] {
		return false
	}
	explicit, typ, pol := parseExplicitDeny(ev.ErrorMessage)
	if !explicit {
		return false // an implicit deny is a missing permission, not a guardrail
	}
	principal, _ := principalOf(ev)
	k := Blocked{Day: Day(ev.EventTime), Account: AccountOf(ev), Region: ev.AWSRegion, Action: "sagemaker:" + ev.EventName,
		PolicyType: typ, PolicyARN: pol, Guardrail: a.ctx.guardrail(pol), Principal: principal}
	k.Count, k.Samples = weight, addSamples(nil, ev)
	addBlocked(a.blocked, k)
	return true
}

// Result returns what was aggregated, sorted.
func (a *Aggregator) Result() *Aggregates {
	out := &Aggregates{Events: a.events, Matched: a.matched}
	for _, d := range a.denials {
		out.Denials = append(out.Denials, *d)
	}
	for _, b := range a.blocked {
		out.Blocked = append(out.Blocked, *b)
	}
	for _, c := range a.creators {
		out.Creators = append(out.Creators, c)
	}
	for _, e := range a.keyEvents {
		out.KeyEvents = append(out.KeyEvents, e)
	}
	for _, r := range a.requests {
		out.Requests = append(out.Requests, *r)
	}
	for _, p := range a.problems {
		out.Problems = append(out.Problems, *p)
	}
	out.Sort()
	return out
}
