package remediate

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iampolicy"
)

// The statements a key-access fix adds: the smallest Allow that lets one
// role perform the actions it is missing on one key, through the one
// service that calls KMS for it. kms:CreateGrant gets a statement of its
// own, limited to grants for AWS resources, so the role can hand the key to
// the volumes SageMaker attaches and to nothing else.

const createGrant = "kms:CreateGrant"

// accessStatements are the key-policy statements (Principal the role,
// Resource "*") or, for delegated, the IAM statements (no Principal,
// Resource the key) that allow role the actions through via. Their Sids
// are sidBase, "Grants" for the grant statement, and the service
// ("SagekeyAllowTrainRoleGrantsViaSagemaker"). Actions are sorted.
func accessStatements(sidBase, role, keyARN, via string, actions []string, delegated bool) []iampolicy.Statement {
	var use, grant []string
	for _, a := range actions {
		if strings.EqualFold(a, createGrant) {
			grant = append(grant, createGrant)
		} else if !slices.Contains(use, a) {
			use = append(use, a)
		}
	}
	slices.Sort(use)
	var out []iampolicy.Statement
	mk := func(sid string, acts []string, grants bool) iampolicy.Statement {
		st := iampolicy.Statement{Sid: sid, Effect: iampolicy.Allow, Action: append(iampolicy.Strings(nil), acts...),
			Resource: iampolicy.Strings{"*"}, Condition: iampolicy.Conditions{}}
		if delegated {
			st.Resource = iampolicy.Strings{keyARN}
		} else {
			st.Principal = iampolicy.Principal{"AWS": {role}}
		}
		if via != "" {
			st.Condition.Add("StringEquals", "kms:ViaService", via)
		}
		if grants {
			st.Condition.Add("Bool", "kms:GrantIsForAWSResource", "true")
		}
		if len(st.Condition) == 0 {
			st.Condition = nil
		}
		return st
	}
	if len(use) > 0 {
		out = append(out, mk(sidBase+viaSuffix(via), use, false))
	}
	if len(grant) > 0 {
		out = append(out, mk(sidBase+"Grants"+viaSuffix(via), grant[:1], true))
	}
	return out
}

// accessSid is the Sid prefix of the key-policy statements for role:
// "SagekeyAllow<RoleName>". IAM accepts only letters and digits in a Sid,
// so everything else in the role name is dropped.
func accessSid(role string) string { return "SagekeyAllow" + alnum(roleName(role)) }

// iamSid is the Sid prefix of IAM statements: the inline policy is per key,
// so only the service tells its statements apart.
const iamSid = "SagekeyKeyAccess"

func viaSuffix(via string) string {
	svc, _, _ := strings.Cut(via, ".")
	if svc = alnum(svc); svc == "" {
		return ""
	}
	return "Via" + strings.ToUpper(svc[:1]) + svc[1:]
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, s)
}

// roleName is the last path segment of a role ARN (the name IAM commands
// take); the ARN itself when it has none.
func roleName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// mergeStatements adds statements to doc the way mergePy does at run time:
// a statement whose Sid, Principal and Condition match an existing one
// widens its actions; any other gets a Sid no statement has yet.
func mergeStatements(doc iampolicy.Document, add []iampolicy.Statement) iampolicy.Document {
	doc.Statement = append([]iampolicy.Statement(nil), doc.Statement...)
	if doc.Version == "" {
		doc.Version = iampolicy.Version
	}
	for _, st := range add {
		if i := slices.IndexFunc(doc.Statement, func(o iampolicy.Statement) bool { return sameSlot(o, st) }); i >= 0 {
			acts := append(append(iampolicy.Strings(nil), doc.Statement[i].Action...), st.Action...)
			slices.Sort(acts)
			doc.Statement[i].Action = slices.Compact(acts)
			continue
		}
		st.Sid = freeSid(doc, st.Sid)
		doc.Statement = append(doc.Statement, st)
	}
	return doc
}

// sameSlot: o is the statement an earlier plan added for the same role,
// service and kind of action.
func sameSlot(o, st iampolicy.Statement) bool {
	return o.Sid == st.Sid && o.Effect == st.Effect && sortedJSON(o.Principal) == sortedJSON(st.Principal) &&
		sortedJSON(o.Condition) == sortedJSON(st.Condition) && sortedJSON(o.Resource) == sortedJSON(st.Resource)
}

func freeSid(doc iampolicy.Document, sid string) string {
	taken := func(s string) bool {
		return slices.ContainsFunc(doc.Statement, func(o iampolicy.Statement) bool { return o.Sid == s })
	}
	out := sid
	for n := 2; taken(out); n++ {
		out = sid + strconv.Itoa(n)
	}
	return out
}

// mergePy merges the statements in argv[2] into the policy in argv[1]
// (missing or empty: a new policy) and writes argv[3], exactly as
// mergeStatements does, so the policy applied is the live one plus the
// statements even if it changed since the scan.
const mergePy = `import json, sys
def listed(v):
    return [v] if isinstance(v, (str, dict)) else list(v or [])
def canon(v):
    return json.dumps(v, sort_keys=True)
try:
    with open(sys.argv[1]) as f:
        doc = json.load(f) or {}
except (OSError, ValueError):
    doc = {}
doc.setdefault("Version", "2012-10-17")
sts = listed(doc.get("Statement"))
with open(sys.argv[2]) as f:
    add = json.load(f)
for st in add:
    key = [canon(st.get(k)) for k in ("Principal", "Condition", "Resource")]
    same = [o for o in sts if o.get("Sid") == st["Sid"] and o.get("Effect") == st["Effect"]
            and [canon(o.get(k)) for k in ("Principal", "Condition", "Resource")] == key]
    if same:
        same[0]["Action"] = sorted(set(listed(same[0].get("Action"))) | set(listed(st["Action"])))
        continue
    sid, n = st["Sid"], 2
    while any(o.get("Sid") == st["Sid"] for o in sts):
        st["Sid"], n = sid + str(n), n + 1
    sts.append(st)
doc["Statement"] = sts
with open(sys.argv[3], "w") as f:
    json.dump(doc, f, indent=2)
`

// actionReasons maps each action a pair names in its Reason to the reason
// the evaluator gave ("kms:Decrypt, kms:Encrypt: <reason>; kms:X: <reason>",
// as rules.judgePair writes it). A reason may itself hold "; ", so a part
// that does not start with an action list continues the previous reason.
func actionReasons(a finding.Access) map[string]string {
	out := map[string]string{}
	var last []string
	for _, part := range strings.Split(a.Reason, "; ") {
		m := reasonPart.FindStringSubmatch(part)
		if m == nil {
			for _, act := range last {
				out[act] += "; " + part
			}
			continue
		}
		last = strings.Split(m[1], ", ")
		for _, act := range last {
			out[act] = m[2]
		}
	}
	return out
}

var reasonPart = regexp.MustCompile(`^(kms:[A-Za-z0-9*]+(?:, kms:[A-Za-z0-9*]+)*): (.*)$`)

// blocker is why an Allow would not help: an explicit Deny, a permissions
// boundary, a role that does not exist. "" when adding an Allow fixes it.
func blocker(reason string) string {
	switch {
	case strings.HasPrefix(reason, "explicit Deny in "):
		return "deny"
	case strings.HasPrefix(reason, "the permissions boundary "):
		return "boundary"
	case reason == "role does not exist":
		return "missing-role"
	}
	return ""
}
