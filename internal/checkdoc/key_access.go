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
	return b.String()
}

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
