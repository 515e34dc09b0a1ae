package remediate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/keys"
)

// keyPolicyActions is what the execution role needs on the target key for
// r's failing slots, as the catalog says (the <kind>.key-access check
// verifies it after the fix); CreateGrant lets SageMaker hand the key to
// the resources it launches on the role's behalf, and only to those.
func keyPolicyActions(r res) string {
	var acts []string
	for _, s := range r.slots {
		spec, _ := r.kind.Slot(s.Type)
		for _, a := range spec.Access.Actions {
			if !slices.Contains(acts, a) {
				acts = append(acts, a)
			}
		}
	}
	if len(acts) == 0 {
		return "the KMS actions its workload needs (see docs/key-access.md)"
	}
	slices.Sort(acts)
	for i, a := range acts {
		if a == createGrant {
			acts[i] = a + " (with the condition kms:GrantIsForAWSResource = true)"
		}
	}
	if len(acts) == 1 {
		return acts[0]
	}
	return strings.Join(acts[:len(acts)-1], ", ") + " and " + acts[len(acts)-1]
}

// targetPreconditions states what the target key must be for r's region,
// warns when the key given for it is known not to be, and returns the shell
// reference to the key variable.
func (b *builder) targetPreconditions(it *Item, r res) string {
	region := r.f.Resource.Region
	ref := b.targetKey(region)
	name := strings.TrimPrefix(ref, "$")
	it.Preconditions = append(it.Preconditions,
		fmt.Sprintf("The target key (%s) is customer-managed (KeyManager CUSTOMER), Enabled, and in %s, "+
			"the resource's own region: SageMaker cannot use a key from another region.", name, region))
	role := "the resource's execution role"
	if rn := r.role(); rn != "" {
		role = "the execution role " + rn
	}
	it.Preconditions = append(it.Preconditions, fmt.Sprintf("The target key's policy allows %s %s; without "+
		"them the create or update fails (for jobs, asynchronously).", role, keyPolicyActions(r)))
	given := b.o.TargetKeys[region]
	if given == "" {
		it.Warnings = append(it.Warnings, fmt.Sprintf("No target key was given for %s: set %s before running the "+
			"commands (sagekey remediate --key arn:aws:kms:%s:<account>:key/<id>).", region, name, region))
		return ref
	}
	if kr := keys.ParseRef(given, r.f.Resource.Account, region); kr.Region != region {
		it.Warnings = append(it.Warnings, fmt.Sprintf("The key given for %s (%s) is in %s: SageMaker will reject it.",
			region, given, kr.Region))
	}
	if k, ok := b.keys[given]; ok {
		if k.Manager != keys.ManagerCustomer {
			it.Warnings = append(it.Warnings, fmt.Sprintf("The target key %s is managed by %q, not CUSTOMER: the "+
				"finding would stay FAIL.", given, k.Manager))
		}
		if k.State != keys.StateEnabled {
			it.Warnings = append(it.Warnings, fmt.Sprintf("The target key %s is %s, not Enabled: SageMaker cannot "+
				"use it.", given, cmp.Or(k.State, "in an unknown state")))
		}
	}
	return ref
}

// checkKeyStep fails the run early when the target key is not a
// customer-managed, Enabled key of region: better than a half-done
// recreate.
func checkKeyStep(region, ref string) Step {
	text := fmt.Sprintf(`read -r key_manager key_state key_arn < <(aws kms describe-key --region %[1]s --key-id "%[2]s" \
  --query 'KeyMetadata.[KeyManager,KeyState,Arn]' --output text)
if [[ "$key_manager" != CUSTOMER || "$key_state" != Enabled || "$key_arn" != arn:*:kms:%[1]s:* ]]; then
  echo "target key %[2]s is $key_manager/$key_state ($key_arn): need a CUSTOMER key, Enabled, in "%[1]s >&2
  exit 1
fi`, q(region), ref)
	return Step{
		Title:    "Check the target key",
		Why:      "A key that is AWS-managed, not Enabled or in another region would make the new resource fail or stay non-compliant.",
		Commands: []Command{sh(text)},
	}
}

// verifyScanCommand re-scans one check in region and stops unless the
// resource named name now PASSes. The scan's own exit status is ignored
// because other resources of the region may still fail.
func verifyScanCommand(region, check, kind, name string) Command {
	return sh(fmt.Sprintf(`sagekey scan --regions %s --checks %s --format json --output sagekey-verify.json || true
python3 - sagekey-verify.json %s %s <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kind, name = sys.argv[2:4]
st = [f["status"] for f in doc["findings"] if f["resource"]["kind"] == kind and f["resource"]["name"] == name]
if st != ["PASS"]:
    sys.exit("%%s %%s is %%s, not PASS: stop here and investigate" %% (kind, name, st or "missing"))
print(kind, name, "PASS")
PY`, q(region), q(check), q(kind), q(name)))
}

// reencryptStep rewrites objects written before the fix under the target
// key, or (manually) deletes them.
func reencryptStep(region, ref string, uris []string, what string) Step {
	st := Step{
		Title: "Re-encrypt or delete the old " + what,
		Why: "Objects already written keep the encryption they were written with; the new key only covers new " +
			"objects. Copying them onto themselves with SSE-KMS re-encrypts them in place. If the bucket is " +
			"versioned, the previous versions stay under the old encryption until they are deleted too.",
	}
	for _, u := range uris {
		if u == "" {
			continue
		}
		st.Commands = append(st.Commands,
			Command{Lang: LangShell, Confirm: true, Prompt: "Re-encrypt every object under " + u + " in place with the target key?",
				Text: fmt.Sprintf(`aws s3 cp --recursive --region %s %s %s --sse aws:kms --sse-kms-key-id "%s"`, q(region), q(u), q(u), ref)},
			Command{Lang: LangShell, Manual: true,
				Text: fmt.Sprintf("# or, if the data is no longer needed:\naws s3 rm --recursive --region %s %s", q(region), q(u))})
	}
	if len(st.Commands) == 0 {
		st.Commands = append(st.Commands, Command{Lang: LangShell, Manual: true,
			Text: fmt.Sprintf(`aws s3 cp --recursive --region %s s3://<bucket>/<prefix>/ s3://<bucket>/<prefix>/ --sse aws:kms --sse-kms-key-id "%s"`, q(region), ref)})
	}
	return st
}

func sh(text string) Command { return Command{Lang: LangShell, Text: text} }

// newName derives the name of a replacement resource: the old name with a
// "-cmk" suffix, cut to the kind's name limit. Written as shell so it also
// works on a name read at run time.
func newName(oldVar string, limit int) string {
	return fmt.Sprintf(`"${%s:0:%d}-cmk"`, oldVar, limit-4)
}

// replacementName is newName computed here, for titles and verification.
func replacementName(old string, limit int) string {
	if len(old) > limit-4 {
		old = old[:limit-4]
	}
	return old + "-cmk"
}
