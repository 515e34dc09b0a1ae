package checkdoc

import (
	"slices"
	"strings"
	"testing"
)

// TestKeyAccessPermissions: the reads only the key-access checks make are
// listed, read off their interfaces, and say when they are needed.
func TestKeyAccessPermissions(t *testing.T) {
	t.Parallel()
	p := Permissions()
	if got := p["iam"]; !slices.Equal(got, []string{"iam:GetAccountAuthorizationDetails"}) {
		t.Errorf("iam actions %v, want only iam:GetAccountAuthorizationDetails", got)
	}
	if !slices.Contains(p["kms"], "kms:ListGrants") {
		t.Errorf("kms actions %v lack kms:ListGrants", p["kms"])
	}
	table := PermissionsTable()
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "| IAM |") || strings.HasPrefix(line, "| KMS |") {
			if !strings.Contains(line, "`<kind>.key-access`") || !strings.Contains(line, "`kms-key.least-privilege`") {
				t.Errorf("%q does not say which checks need it", line)
			}
		}
	}
	if !strings.Contains(table, "| IAM | `iam:GetAccountAuthorizationDetails`") {
		t.Errorf("no IAM row:\n%s", table)
	}
}
