package dashboard

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/history"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/store"
)

// The seeded estate: one account, two regions, notebooks and endpoint
// configs on two keys, one of them pending deletion, three scans a few days
// apart. One notebook's owner tag is hostile markup.
const (
	acct    = "123456789012"
	hostile = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`
	// pwn changes the page if it ever runs: the browser test looks for
	// its marks.
	pwn      = `<script>document.title='pwned'</script><img src=x onerror="document.body.dataset.pwned='img'">`
	goodKey  = "arn:aws:kms:us-east-1:" + acct + ":key/1111aaaa-good"
	doomKey  = "arn:aws:kms:us-east-1:" + acct + ":key/dead0000-doom"
	ownerTag = "owner"
)

var t0 = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)

// now is the dashboard's clock in tests: after the last seeded scan.
func now() time.Time { return t0.Add(10 * 24 * time.Hour) }

func nbARN(name, region string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:notebook-instance/%s", region, acct, name)
}

// notebookFinding is a notebook-instance.cmk verdict on a volume slot.
func notebookFinding(name, region, owner string, st finding.Status, key string) finding.Finding {
	slot := finding.Slot{Name: "volume", KeyRef: key, KeyARN: key, KeyManager: "CUSTOMER", KeyState: "Enabled", Status: st}
	msg := "volume: encrypted with a customer-managed key"
	if st == finding.Fail {
		slot = finding.Slot{Name: "volume", Status: st, Reason: "no KmsKeyId: AWS-owned key"}
		msg = "volume: no customer-managed key"
	}
	if key == doomKey {
		slot.KeyState = "PendingDeletion"
	}
	return finding.Finding{CheckID: "notebook-instance.cmk", Status: st, Severity: finding.High, Message: msg,
		Resource: finding.Resource{ARN: nbARN(name, region), Kind: "notebook-instance", Name: name, Account: acct, Region: region,
			Tags: map[string]string{ownerTag: owner, "cost-center": "cc-7"}},
		Slots: []finding.Slot{slot}, Remediation: "Recreate the notebook instance with KmsKeyId set to a customer-managed key."}
}

func endpointConfigFinding(name string, st finding.Status) finding.Finding {
	arn := fmt.Sprintf("arn:aws:sagemaker:us-east-1:%s:endpoint-config/%s", acct, name)
	return finding.Finding{CheckID: "endpoint-config.cmk", Status: st, Severity: finding.Critical, Message: "storage volume: " + string(st),
		Resource: finding.Resource{ARN: arn, Kind: "endpoint-config", Name: name, Account: acct, Region: "us-east-1",
			Tags: map[string]string{ownerTag: "fraud"}},
		Slots: []finding.Slot{{Name: "storage volume", KeyRef: doomKey, KeyARN: doomKey, KeyManager: "CUSTOMER", KeyState: "PendingDeletion", Status: st}}}
}

func keyFinding(check string, st finding.Status, msg string, protects ...string) finding.Finding {
	f := finding.Finding{CheckID: check, Status: st, Severity: finding.High, Message: msg,
		Resource: finding.Resource{ARN: doomKey, Kind: "kms-key", Name: "dead0000-doom", Account: acct, Region: "us-east-1",
			Tags: map[string]string{ownerTag: "platform"}}}
	for _, arn := range protects {
		f.Protects = append(f.Protects, finding.Resource{ARN: arn, Kind: "endpoint-config", Account: acct, Region: "us-east-1"})
	}
	return f
}

// scanFindings is the estate at scan i (0, 1, 2): nb-02 is fixed at scan 1
// and regresses at scan 2; the endpoint config fails throughout.
func scanFindings(i int) []finding.Finding {
	nb01 := notebookFinding("nb-01", "us-east-1", hostile, finding.Fail, "")
	nb01.Resource.Tags["note"] = pwn
	fs := []finding.Finding{
		nb01,
		notebookFinding("nb-03", "us-east-1", "risk", finding.Pass, goodKey),
		notebookFinding("nb-04", "eu-west-1", "", finding.Pass, goodKey),
		endpointConfigFinding("fraud-v1", finding.Fail),
		keyFinding("kms-key.state", finding.Fail, "key is PendingDeletion", "arn:aws:sagemaker:us-east-1:"+acct+":endpoint-config/fraud-v1"),
		keyFinding("kms-key.rotation", finding.Pass, "automatic rotation is enabled"),
	}
	st := finding.Fail
	if i == 1 {
		st = finding.Pass
	}
	fs = append(fs, notebookFinding("nb-02", "us-east-1", "risk", st, goodKey))
	return fs
}

func scanScope() history.Scope {
	sc := history.Scope{Accounts: []string{acct}, Regions: []string{"eu-west-1", "us-east-1"},
		Checks: []string{"notebook-instance.cmk", "endpoint-config.cmk", "kms-key.state", "kms-key.rotation"}}
	for _, r := range sc.Regions {
		sc.Complete = append(sc.Complete, history.Coverage{Account: acct, Region: r, Kinds: []string{"notebook-instance", "endpoint-config"}})
	}
	return sc
}

// runRecord is what scan.RecordOwned stores for findings fs started at.
func runRecord(at time.Time, sc history.Scope, fs []finding.Finding, gaps []inventory.Gap) store.RunRecord {
	obs := history.Observe(fs, nil)
	counts := map[finding.Status]int{}
	for i := range obs {
		obs[i].Owner = obs[i].Tags[ownerTag]
		counts[obs[i].Status]++
	}
	return store.RunRecord{
		Run: store.Run{Started: at, Finished: at.Add(95 * time.Second), Principal: "arn:aws:sts::" + acct + ":assumed-role/auditor/ci",
			User: "ci", ToolVersion: "test", Scope: sc, Counts: counts, Gaps: len(gaps)},
		Observations: obs,
		Snapshot: store.Snapshot{SchemaVersion: inventory.SchemaVersion,
			Inventory: inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Resources: []inventory.Resource{}, Gaps: gaps}},
	}
}

// seeded opens a fresh SQLite store holding three scans and one dead
// letter.
func seeded(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := range 3 {
		var gaps []inventory.Gap
		if i == 2 {
			gaps = []inventory.Gap{{Account: acct, Region: "eu-west-1", Service: "sagemaker:ListClusters", Reason: "AccessDenied <b>denied</b>"}}
		}
		if _, err := s.SaveRun(ctx, runRecord(t0.Add(time.Duration(i)*72*time.Hour), scanScope(), scanFindings(i), gaps)); err != nil {
			t.Fatal(err)
		}
	}
	item := store.OutboxItem{ID: "alert-1", Sink: "slack-sec", Created: t0,
		Payload: []byte(`{"kind":"violation.opened","title":"notebook nb-01 ` + jsonEscape(hostile) + `","severity":"high","details":{"token":"never shown"}}`)}
	if err := s.EnqueueAlerts(ctx, []store.OutboxItem{item}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, item.ID, item.Sink, "HTTP 500 <html>", t0, true); err != nil {
		t.Fatal(err)
	}
	return s
}

func jsonEscape(s string) string {
	b := []byte{}
	for _, r := range s {
		switch r {
		case '"':
			b = append(b, '\\', '"')
		default:
			b = append(b, string(r)...)
		}
	}
	return string(b)
}
