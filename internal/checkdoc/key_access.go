package checkdoc

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
)

// KeyAccessFile is the generated page of docs/ that KeyAccessPage renders.
const KeyAccessFile = "key-access.md"

// KeyAccessPage is docs/key-access.md: what each execution role must be
// allowed to do with each slot's key, from the catalog, so the page and the
// <kind>.key-access checks read the same facts.
func KeyAccessPage() string {
	var b strings.Builder
	b.WriteString(banner)
	b.WriteString("# Key access: what each execution role needs\n\n" +
		"A resource can name a healthy customer-managed key and still fail at its next start, job or scale-out, " +
		"because the IAM role it runs as may not use the key. For every kind that runs as a role of yours, this " +
		"table lists the KMS actions the role needs on each slot's key, and the service that calls KMS with the " +
		"role's credentials: key policy statements conditioned on `kms:ViaService` must allow that service, and " +
		"`kms:CreateGrant` requests from it carry `kms:GrantIsForAWSResource = true`.\n\n" +
		"A row with a note is sagekey's reading, not AWS's word: the note says what AWS documentation leaves " +
		"open.\n\n")
	b.WriteString(KeyAccessTable())
	var roleless []string
	for _, k := range catalog.Kinds() {
		if k.RoleField == "" {
			roleless = append(roleless, "`"+k.ID+"`")
		}
	}
	if len(roleless) > 0 {
		fmt.Fprintf(&b, "\nKinds without a role field, and so without a key-access check: %s.\n", strings.Join(roleless, ", "))
	}
	b.WriteString(keyAccessSemantics)
	return b.String()
}

// keyAccessSemantics says how the checks decide, for the reader of a
// verdict; internal/keyaccess is the code it describes.
const keyAccessSemantics = `
## How sagekey decides

For each (execution role, key, service) of a resource, ` + "`internal/keyaccess`" + ` evaluates every needed action
from what the scan recorded, without calling AWS:

1. **The key policy.** An explicit ` + "`Deny`" + ` that matches (action, principal, conditions) wins over everything.
   An ` + "`Allow`" + ` naming the role's ARN (or ` + "`\"*\"`" + `) allows it directly; one naming the account
   (` + "`arn:aws:iam::<account>:root`" + `) delegates to IAM. ` + "`NotPrincipal`" + ` and ` + "`NotAction`" + ` are honoured.
   A role in another account than the key always needs both the key policy and its own IAM policies.
2. **The key's grants** (` + "`kms:ListGrants`" + `): a grant to the role with the operation allows it; a grant
   with an encryption-context or source constraint makes the answer unknown.
3. **The role's IAM policies and permissions boundary** (` + "`iam:GetAccountAuthorizationDetails`" + `, read once per
   account), when the key policy delegates to IAM: an identity-policy ` + "`Allow`" + ` on the key, within the boundary.

Conditions are evaluated when their value is known at the time of the request: ` + "`kms:ViaService`" + ` (the
"Via" column), ` + "`kms:CallerAccount`" + `, ` + "`aws:PrincipalArn`" + `, ` + "`aws:PrincipalAccount`" + `,
` + "`kms:GrantIsForAWSResource`" + ` (true on ` + "`kms:CreateGrant`" + ` through a service), ` + "`aws:PrincipalTag/*`" + `
(the role's tags). Any other condition key makes the verdict **ERROR, depends on <key>**: sagekey never guesses
that an action is allowed. A policy, grant list or account that could not be read is ERROR with the reason and a
gap in the report. Service control policies, resource control policies, session policies and VPC endpoint
policies are not read.

A FAIL names the role, the key, the missing actions and why ("not in the key policy and no IAM delegation",
"the key policy delegates to IAM but the role's policies do not allow it", "explicit Deny in key policy statement
<Sid>"). When ` + "`sagekey trail`" + ` data is stored, the message adds how many KMS access denials CloudTrail
recorded for that role on that key in the last 30 days, and the trail report marks a denial whose pair the latest
scan judged allowed: "denied although the policy seems to allow it: check SCPs and VPC endpoint policies".
` + "`sagekey remediate`" + ` proposes the minimal statement, in the key policy or (when the key delegates to IAM)
in the role's policy, as a diff.

` + "`kms-key.least-privilege`" + ` lists the principals that the key policy or grants let use the key
(encrypt, decrypt, generate data keys, create grants) that are not execution roles of the resources it protects,
the account root, the key's administrators or service principals.
`

// KeyAccessTable is the kind × slot table of the execution roles' KMS needs.
func KeyAccessTable() string {
	var b strings.Builder
	b.WriteString("| Kind | Slot | Role field | KMS actions | Via | Source | Note |\n|---|---|---|---|---|---|---|\n")
	for _, k := range catalog.Kinds() {
		if k.RoleField == "" {
			continue
		}
		for _, s := range k.Slots {
			a := s.Access
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | %s | %s |\n", k.ID, s.ID, code(k.RoleField),
				code(strings.Join(a.Actions, "`, `")), via(a.ViaService), sourceLink(a.Source), dash(cell(a.Unconfirmed)))
		}
	}
	return b.String()
}

// via names the endpoint the service's KMS requests come from.
func via(service string) string {
	if service == "" {
		return "—"
	}
	return "`" + service + ".<region>.amazonaws.com`"
}

// sourceLink shows a documentation URL by its page name
// (sagemaker-roles, smcluster-cmk), which says more than "docs" and less
// than the URL.
func sourceLink(raw string) string {
	if raw == "" {
		return "—"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return cell(raw)
	}
	return fmt.Sprintf("[%s](%s)", strings.TrimSuffix(path.Base(u.Path), ".html"), raw)
}

// cell keeps free text inside its table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
}
