package trail

import (
	"encoding/json"
	"regexp"
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

// NewAggregator returns an empty aggregator judging events against ctx.
func NewAggregator(ctx *Context) *Aggregator {
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

// kmsRequestOps are the data-key and grant calls SageMaker makes to use a
// key; each is a billed KMS request.
func kmsRequestOp(name string) bool {
	return strings.HasPrefix(name, "GenerateDataKey") || strings.HasPrefix(name, "ReEncrypt") ||
		name == "Decrypt" || name == "Encrypt" || name == "CreateGrant"
}

// keyLifecycle are the KMS calls that change whether a key's data stays
// readable or who controls it.
var keyLifecycle = map[string]bool{
	"DisableKey": true, "EnableKey": true, "ScheduleKeyDeletion": true, "CancelKeyDeletion": true,
	"PutKeyPolicy": true, "DeleteAlias": true, "UpdateAlias": true, "DisableKeyRotation": true,
	"EnableKeyRotation": true, "ImportKeyMaterial": true, "DeleteImportedKeyMaterial": true,
}

// KeyLifecycleActions lists the key lifecycle event names sagekey keeps.
func KeyLifecycleActions() []string {
	out := make([]string, 0, len(keyLifecycle))
	for k := range keyLifecycle {
		out = append(out, k)
	}
	return sortStrings(out)
}

func (a *Aggregator) addKMS(ev *Event, weight int64) bool {
	switch {
	case accessDenied(ev.ErrorCode):
		return a.addDenial(ev, weight)
	case ev.ErrorCode != "":
		return false
	case keyLifecycle[ev.EventName]:
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

// keyEventDetail is what a lifecycle request asked for that a reader needs.
func keyEventDetail(ev *Event) string {
	var p struct {
		PendingWindowInDays *int   `json:"pendingWindowInDays"`
		AliasName           string `json:"aliasName"`
	}
	if len(ev.RequestParameters) == 0 || json.Unmarshal(ev.RequestParameters, &p) != nil {
		return ""
	}
	switch {
	case p.PendingWindowInDays != nil:
		return "pending window " + itoa(*p.PendingWindowInDays) + " days"
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
	if have, ok := a.creators[key]; !ok || c.Time.After(have.Time) {
		a.creators[key] = c // a resource recreated under its name: the latest create
	}
	return true
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

var (
	explicitDeny = regexp.MustCompile(`(?i)with an explicit deny in an? ([a-z -]+?) policy`)
	policyARN    = regexp.MustCompile(`arn:aws[a-z-]*:(?:organizations|iam)::\d*:policy/[A-Za-z0-9_+=,.@/-]+`)
)

func (a *Aggregator) addBlocked(ev *Event, weight int64) bool {
	if !a.ctx.blockable[ev.EventName] {
		return false
	}
	m := explicitDeny.FindStringSubmatch(ev.ErrorMessage)
	if m == nil {
		return false // an implicit deny is a missing permission, not a guardrail
	}
	typ := PolicyOther
	switch strings.ToLower(m[1]) {
	case "service control":
		typ = PolicySCP
	case "identity-based":
		typ = PolicyIdentity
	case "resource control":
		typ = PolicyRCP
	}
	pol := strings.TrimRight(policyARN.FindString(ev.ErrorMessage), ".,")
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
