package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/store"
)

// The key-access scenario: two notebooks on one key, one running as a role
// the key policy names, one as a role it omits. Both roles live under
// /service-role/, as IAM, the key policy and CloudTrail name them; SageMaker
// recorded them without the path, so the pairs match the trail's denials
// only through rules.DenialKey.
const (
	kaAccount = "111122223333"
	kaRegion  = "us-east-1"
	kaKey     = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	kaNamed   = "arn:aws:iam::111122223333:role/NamedRole"
	kaOmitted = "arn:aws:iam::111122223333:role/OmittedRole"
	kaCheck   = "notebook-instance.key-access"
)

// The proof that key-access findings and the trail meet: a stored scan
// (saved to the store directly, so the test does not depend on the scan's
// IAM collection) and a trail of KMS denials read with sagekey trail. The
// trail report explains the omitted role's denials by the key-access FAIL
// and flags the named role's as denied although the policy allows them;
// sagekey report carries the count in the FAIL message and in
// access[].denials of both pairs.
func TestKeyAccessMeetsTrail(t *testing.T) {
	chdir(t, t.TempDir()) // no stray ./sagekey.yaml
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	db := filepath.Join(t.TempDir(), "history.db")
	storeKeyAccessScan(t, db, now.Add(-time.Hour))
	dir := t.TempDir()
	var records []string
	for i := range 3 {
		records = append(records, kmsDenial(fmt.Sprintf("omitted-%d", i), "service-role/OmittedRole", now.AddDate(0, 0, -2-i)))
	}
	for i := range 2 {
		records = append(records, kmsDenial(fmt.Sprintf("named-%d", i), "service-role/NamedRole", now.AddDate(0, 0, -3)))
	}
	if err := os.WriteFile(filepath.Join(dir, "trail.json"), []byte(`{"Records":[`+strings.Join(records, ",")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}

	out, stderr, code := runAt(t, now, "trail", "--from-dir", dir, "--db", db, "--from", "30d", "--format", "json")
	if code != cli.ExitOK {
		t.Fatalf("trail exit %d: %s", code, stderr)
	}
	var doc struct {
		Denials struct {
			Groups []struct {
				Principal string `json:"principal"`
				Operation string `json:"operation"`
				Count     int64  `json:"count"`
				KeyAccess *struct {
					Verdict  string   `json:"verdict"`
					CheckIDs []string `json:"check_ids"`
					Missing  []string `json:"missing"`
					Note     string   `json:"note"`
				} `json:"key_access"`
			} `json:"groups"`
		} `json:"kms_access_denials"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("trail output is not JSON: %v\n%s", err, out)
	}
	verdicts := map[string]string{}
	counts := map[string]int64{}
	for _, g := range doc.Denials.Groups {
		role := g.Principal[strings.LastIndex(g.Principal, "/")+1:]
		counts[role] += g.Count
		if g.KeyAccess == nil {
			t.Errorf("%s %s has no key-access verdict", g.Principal, g.Operation)
			continue
		}
		verdicts[role] = g.KeyAccess.Verdict + ": " + g.KeyAccess.Note
		if strings.Join(g.KeyAccess.CheckIDs, ",") != kaCheck {
			t.Errorf("%s judged by %v, want %s", role, g.KeyAccess.CheckIDs, kaCheck)
		}
	}
	wantVerdicts := map[string]string{
		"OmittedRole": "missing: explained by " + kaCheck + " FAIL: the role may not kms:CreateGrant, kms:DescribeKey",
		"NamedRole":   "allowed: denied although the policy seems to allow it: check SCPs and VPC endpoint policies",
	}
	for role, want := range wantVerdicts {
		if verdicts[role] != want {
			t.Errorf("%s: verdict %q, want %q", role, verdicts[role], want)
		}
	}
	if counts["OmittedRole"] != 3 || counts["NamedRole"] != 2 {
		t.Errorf("denials per role %v, want OmittedRole 3 and NamedRole 2", counts)
	}

	t.Run("table", func(t *testing.T) {
		out, stderr, code := runAt(t, now, "trail", "--from-dir", dir, "--db", db, "--from", "30d")
		if code != cli.ExitOK {
			t.Fatalf("trail exit %d: %s", code, stderr)
		}
		for _, want := range []string{"KEY ACCESS", wantVerdicts["OmittedRole"][len("missing: "):], wantVerdicts["NamedRole"][len("allowed: "):]} {
			if !strings.Contains(out, want) {
				t.Errorf("the table lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("report", func(t *testing.T) {
		out, stderr, code := runAt(t, now, "report", "--db", db, "--format", "json")
		if code != cli.ExitOK {
			t.Fatalf("report exit %d: %s", code, stderr)
		}
		var rep struct {
			Findings []struct {
				CheckID  string `json:"check_id"`
				Status   string `json:"status"`
				Message  string `json:"message"`
				Resource struct{ Name string }
				Access   []struct {
					Role    string `json:"role"`
					KeyARN  string `json:"key_arn"`
					Status  string `json:"status"`
					Denials int    `json:"denials"`
				} `json:"access"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("report output is not JSON: %v\n%s", err, out)
		}
		want := map[string]struct {
			status, role string
			denials      int
		}{"broken": {"FAIL", kaOmitted, 3}, "fine": {"PASS", kaNamed, 2}}
		seen := 0
		for _, f := range rep.Findings {
			w, ok := want[f.Resource.Name]
			if f.CheckID != kaCheck || !ok {
				continue
			}
			seen++
			if f.Status != w.status || len(f.Access) != 1 || f.Access[0].Role != w.role || f.Access[0].Denials != w.denials {
				t.Errorf("%s: %s with access %+v, want %s for %s with %d denials", f.Resource.Name, f.Status, f.Access, w.status, w.role, w.denials)
			}
			if w.status == "FAIL" && !strings.Contains(f.Message, "[CloudTrail: 3 KMS access denials of this role on this key in the last 30 days]") {
				t.Errorf("the FAIL message does not quote the trail: %s", f.Message)
			}
		}
		if seen != len(want) {
			t.Errorf("%d %s findings of the two notebooks, want %d:\n%s", seen, kaCheck, len(want), out)
		}
	})
}

// storeKeyAccessScan stores a scan finished at `finished` of the two
// notebooks, the key (whose policy names NamedRole and an administrator)
// and both roles' IAM facts, with the roles as SageMaker records them.
func storeKeyAccessScan(t *testing.T, db string, finished time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	notebook := func(name, role string) inventory.Resource {
		return inventory.Resource{Kind: "notebook-instance", Name: name, Account: kaAccount, Region: kaRegion,
			ARN: "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/" + name, Source: "DescribeNotebookInstance",
			ExecutionRoles: []string{role},
			Slots:          []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: kaKey}}}
	}
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"` + withPath(kaNamed) + `"},"Action":["kms:CreateGrant","kms:DescribeKey"],"Resource":"*"}]}`
	snap := store.Snapshot{
		SchemaVersion: inventory.SchemaVersion,
		Inventory: inventory.Inventory{
			SchemaVersion: inventory.SchemaVersion,
			Resources:     []inventory.Resource{notebook("broken", kaOmitted), notebook("fine", kaNamed)},
			IAM: []inventory.AccountIAM{{Account: kaAccount, Roles: []inventory.Role{
				{ARN: withPath(kaNamed), Name: "NamedRole"}, {ARN: withPath(kaOmitted), Name: "OmittedRole"}}}},
		},
		Keys: []keys.Key{{ARN: kaKey, Ref: kaKey, Account: kaAccount, Region: kaRegion, Manager: keys.ManagerCustomer,
			State: keys.StateEnabled, Rotation: keys.Rotation{Enabled: true}, Policy: policy, GrantsRead: true}},
		KeyRefs: map[string]string{keys.ParseRef(kaKey, kaAccount, kaRegion).Canonical(): kaKey},
	}
	run := store.Run{Started: finished.Add(-time.Minute), Finished: finished, Principal: "arn:aws:iam::111122223333:user/test",
		Scope: history.Scope{Accounts: []string{kaAccount}, Regions: []string{kaRegion}, Checks: []string{kaCheck}}}
	if _, err := st.SaveRun(ctx, store.RunRecord{Run: run, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
}

// withPath puts a role of the scenario under /service-role/.
func withPath(role string) string { return strings.Replace(role, ":role/", ":role/service-role/", 1) }

// kmsDenial is a CloudTrail record of SageMaker's kms:CreateGrant with the
// role's session (forward access), refused.
func kmsDenial(id, rolePath string, at time.Time) string {
	role := "arn:aws:iam::111122223333:role/" + rolePath
	name := rolePath[strings.LastIndex(rolePath, "/")+1:]
	return `{"eventVersion":"1.11","eventID":"` + id + `","eventTime":"` + at.Format(time.RFC3339) + `",` +
		`"eventSource":"kms.amazonaws.com","eventName":"CreateGrant","awsRegion":"us-east-1","recipientAccountId":"111122223333",` +
		`"sourceIPAddress":"sagemaker.amazonaws.com","userAgent":"sagemaker.amazonaws.com",` +
		`"errorCode":"AccessDenied","errorMessage":"User is not authorized to perform kms:CreateGrant",` +
		`"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/` + name + `/SageMaker",` +
		`"accountId":"111122223333","invokedBy":"sagemaker.amazonaws.com",` +
		`"sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + role + `","accountId":"111122223333","userName":"` + name + `"}}},` +
		`"resources":[{"ARN":"` + kaKey + `","accountId":"111122223333","type":"AWS::KMS::Key"}]}`
}
