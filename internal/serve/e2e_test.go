package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/trail"
)

const (
	testAccount = "123456789012"
	testToken   = "e2e-token-0123456789abcdef"
	hookSecret  = "e2e-hook-secret"
)

// estate is what the end-to-end tests seed in moto and change.
type estate struct {
	t  *testing.T
	sm *sagemaker.Client
	km *kms.Client
}

func newEstate(t *testing.T, cfg aws.Config) *estate {
	return &estate{t: t, sm: sagemaker.NewFromConfig(cfg), km: kms.NewFromConfig(cfg)}
}

// key creates an enabled customer-managed key with rotation on and the
// required tags, so it raises no key finding of its own.
func (e *estate) key() string {
	e.t.Helper()
	ctx := context.Background()
	k, err := e.km.CreateKey(ctx, &kms.CreateKeyInput{Tags: nil})
	if err != nil {
		e.t.Fatal(err)
	}
	id := aws.ToString(k.KeyMetadata.KeyId)
	if _, err := e.km.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)}); err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(k.KeyMetadata.Arn)
}

func (e *estate) notebook(name, key string) string {
	e.t.Helper()
	in := &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String(name), InstanceType: smtypes.InstanceTypeMlT3Medium,
		RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/sagemaker"),
		Tags:    []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String("ml-platform")}, {Key: aws.String("cost-center"), Value: aws.String("cc-42")}}}
	if key != "" {
		in.KmsKeyId = aws.String(key)
	}
	out, err := e.sm.CreateNotebookInstance(context.Background(), in)
	if err != nil {
		e.t.Fatalf("create notebook %s: %v", name, err)
	}
	return aws.ToString(out.NotebookInstanceArn)
}

func (e *estate) scheduleDeletion(keyARN string) {
	e.t.Helper()
	// moto finds the key by its id only.
	_, id, _ := strings.Cut(keyARN, ":key/")
	if _, err := e.km.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}); err != nil {
		e.t.Fatal(err)
	}
}

// serveConfig writes a sagekey.yaml whose serve section sends every alert
// to the webhook and, when topic is set, the SNS topic.
func serveConfig(t *testing.T, topic string, extra string) string {
	t.Helper()
	dir := t.TempDir()
	secret := filepath.Join(dir, "hook-secret")
	if err := os.WriteFile(secret, []byte(hookSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`required_tags: [owner]
serve:
  regions: [us-east-1]
  alert-severity: high
  alert-retry-min: 1s
  alert-retry-max: 2s
%s  sinks:
    - {name: hook, type: webhook, url_env: SAGEKEY_E2E_HOOK_URL, secret_file: %q}
`, extra, secret)
	if topic != "" {
		body += fmt.Sprintf("    - {name: topic, type: sns, topic_arn: %q}\n", topic)
	}
	path := filepath.Join(dir, "sagekey.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// storedScans is how many scans the process reports stored.
func storedScans(p *process) int {
	return int(counter(p.metrics(), "sagekey_scans_total", map[string]string{"result": "ok"}) +
		counter(p.metrics(), "sagekey_scans_total", map[string]string{"result": "incomplete"}))
}

// scanNow triggers a scan and waits until it is stored.
func scanNow(t *testing.T, p *process) {
	t.Helper()
	before := storedScans(p)
	resp, body := p.request(http.MethodPost, "/api/scan")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/scan: %s %s", resp.Status, body)
	}
	p.waitFor("the requested scan", 120*time.Second, func() bool { return storedScans(p) > before })
}

// alertsAbout returns the alerts in got that are not in before.
func newAlerts(before, got map[string]alert.Alert) []alert.Alert {
	var out []alert.Alert
	for id, a := range got {
		if _, ok := before[id]; !ok {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b alert.Alert) int { return strings.Compare(string(a.Kind)+a.ID, string(b.Kind)+b.ID) })
	return out
}

func describe(as []alert.Alert) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "\n  %s %s %s", a.Kind, a.Severity, a.Title)
	}
	return b.String()
}

// TestServeEndToEnd runs a real `sagekey serve` against moto: the first
// scheduled scan, then one alert per change to a signed webhook and to SNS
// (read back through SQS), delivery after the receiver comes back, and
// /metrics through the Prometheus text parser.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs sagekey serve")
	}
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	est := newEstate(t, cfg)
	healthyKey, doomedKey := est.key(), est.key()
	est.notebook("nb-healthy", healthyKey)
	doomedNotebook := est.notebook("nb-doomed-key", doomedKey)
	topic := newTopicQueue(t, cfg)
	hook := newReceiver(t, hookSecret)

	db := filepath.Join(t.TempDir(), "history.db")
	trailDir := cloudTrail(t, healthyKey, "DisableKeyRotation", time.Now().Add(-time.Hour))
	p := startServe(t, []string{"SAGEKEY_E2E_HOOK_URL=" + hook.url()}, testToken,
		"--config", serveConfig(t, topic.topic, ""), "--db", db, "--endpoint-url", srv.URL(), "--every", "1h",
		"--from-dir", trailDir)

	// 1. The first scheduled scan runs at start, then CloudTrail is read:
	// the key event in it is alerted.
	p.waitFor("the first scan", 120*time.Second, func() bool { return storedScans(p) >= 1 })
	p.waitFor("the CloudTrail key event alert", 30*time.Second, func() bool {
		all, _, _ := hook.snapshot()
		for _, a := range all {
			if a.Kind == alert.KeyLifecycleEvent && a.Key != nil && a.Key.ARN == healthyKey {
				return true
			}
		}
		return false
	})
	time.Sleep(2 * time.Second) // let the first scan's alerts (the estate as first found) be delivered
	firstHook, _, _ := hook.snapshot()
	firstTopic := maps(topic.drain(t))

	// 2. A non-compliant notebook and a key scheduled for deletion.
	plain := est.notebook("nb-no-key", "")
	est.scheduleDeletion(doomedKey)

	// 3. The next scan: exactly one alert per change, on both sinks.
	scanNow(t, p)
	var got []alert.Alert
	p.waitFor("two alerts at the webhook", 30*time.Second, func() bool {
		all, _, _ := hook.snapshot()
		got = newAlerts(firstHook, all)
		return len(got) >= 2
	})
	time.Sleep(time.Second) // nothing more may follow
	all, counts, bad := hook.snapshot()
	got = newAlerts(firstHook, all)
	if len(bad) > 0 {
		t.Fatalf("webhook deliveries refused: %v", bad)
	}
	if len(got) != 2 {
		t.Fatalf("want exactly 2 alerts for 2 changes, got %d:%s", len(got), describe(got))
	}
	var opened, keyDown *alert.Alert
	for i := range got {
		switch got[i].Kind {
		case alert.ViolationOpened:
			opened = &got[i]
		case alert.KeyStateChanged:
			keyDown = &got[i]
		}
	}
	if opened == nil || opened.Resource == nil || opened.Resource.ARN != plain {
		t.Errorf("want violation_opened for %s, got:%s", plain, describe(got))
	}
	if keyDown == nil || keyDown.Key == nil || keyDown.Key.ARN != doomedKey || keyDown.Key.State != "PendingDeletion" {
		t.Errorf("want key_state_changed for %s to PendingDeletion, got:%s", doomedKey, describe(got))
	} else if br := keyDown.Key.BlastRadius; br.Count != 1 || br.Resources[0].ARN != doomedNotebook {
		t.Errorf("blast radius = %+v, want the notebook %s", br, doomedNotebook)
	}
	for _, a := range got {
		if counts[a.ID] != 1 {
			t.Errorf("alert %s delivered %d times to the webhook", a.ID, counts[a.ID])
		}
	}
	var viaSNS []alert.Alert
	p.waitFor("the same alerts through SNS", 30*time.Second, func() bool {
		viaSNS = newAlerts(firstTopic, topic.drain(t))
		return len(viaSNS) >= 2
	})
	if describe(viaSNS) != describe(got) {
		t.Errorf("SNS alerts differ from the webhook's:\nSNS:%s\nwebhook:%s", describe(viaSNS), describe(got))
	}
	if attrs := topic.attrs[keyDown.ID]; attrs[alert.AttrKind] != string(alert.KeyStateChanged) || attrs[alert.AttrSeverity] == "" {
		t.Errorf("SNS message attributes = %v", attrs)
	}

	// 4. The receiver goes away; a change is alerted while it is down and
	// delivered once it is back.
	hook.stop()
	before, _, _ := hook.snapshot()
	late := est.notebook("nb-while-down", "")
	scanNow(t, p)
	time.Sleep(3 * time.Second) // several failed attempts
	failedBefore := counter(p.metrics(), "sagekey_alerts_failed_total", map[string]string{"sink": "hook"})
	if failedBefore == 0 {
		t.Error("no failed delivery counted while the receiver was down")
	}
	hook.start()
	var delivered []alert.Alert
	p.waitFor("the alert held while the receiver was down", 60*time.Second, func() bool {
		all, _, _ := hook.snapshot()
		delivered = newAlerts(before, all)
		return len(delivered) >= 1
	})
	if len(delivered) != 1 || delivered[0].Resource == nil || delivered[0].Resource.ARN != late {
		t.Errorf("after the receiver came back, want the alert for %s, got:%s", late, describe(delivered))
	}

	// 5. /metrics parses and tells the story.
	fams := p.metrics()
	for _, name := range []string{"sagekey_compliance_ratio", "sagekey_open_violations", "sagekey_kms_keys",
		"sagekey_scan_duration_seconds", "sagekey_last_successful_scan_timestamp_seconds", "sagekey_aws_api_calls_total"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if n := counter(fams, "sagekey_kms_keys", map[string]string{"state": "PendingDeletion"}); n != 1 {
		t.Errorf("keys pending deletion = %v, want 1", n)
	}
	if n := counter(fams, "sagekey_alerts_sent_total", map[string]string{"sink": "topic"}); n < 3 {
		t.Errorf("alerts sent to SNS = %v, want at least 3", n)
	}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.HasPrefix(l.GetValue(), "arn:") {
					t.Errorf("%s has an ARN label %s=%s: unbounded cardinality", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}

	// SIGTERM: a clean exit.
	if err := p.stop(); err != nil {
		t.Errorf("after SIGTERM: %v", err)
	}
}

// cloudTrail writes a CloudTrail log file with one KMS key event, for
// serve's --from-dir trail source.
func cloudTrail(t *testing.T, keyARN, action string, at time.Time) string {
	t.Helper()
	role := "arn:aws:iam::" + testAccount + ":role/security"
	ev := trail.Event{EventVersion: "1.11", EventID: "00000000-e2e0-4000-8000-000000000001", EventTime: at.UTC().Truncate(time.Second),
		EventSource: trail.SourceKMS, EventName: action, AWSRegion: "us-east-1", SourceIPAddress: "203.0.113.10",
		UserAgent: "aws-cli/2.15.0", RecipientAccountID: testAccount,
		UserIdentity: trail.UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::" + testAccount + ":assumed-role/security/bob",
			AccountID: testAccount, SessionContext: trail.SessionContext{SessionIssuer: trail.SessionIssuer{Type: "Role", ARN: role}}},
		RequestParameters: json.RawMessage(fmt.Sprintf(`{"keyId":%q}`, keyARN)),
		Resources:         []trail.EventResource{{ARN: keyARN, AccountID: testAccount, Type: "AWS::KMS::Key"}}}
	body, err := json.Marshal(map[string][]trail.Event{"Records": {ev}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cloudtrail.json"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func maps(m map[string]alert.Alert) map[string]alert.Alert {
	out := make(map[string]alert.Alert, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
