package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/checkdoc"
)

func TestGuardrailsEventsCommand(t *testing.T) {
	t.Parallel()
	out, code := runGuardrailsCmd(t, "--events")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Patterns []struct{ Name string } `json:"event_patterns"`
		Serve    struct {
			ScanPolicies []struct {
				Document struct{ Statement []struct{ Action any } }
			} `json:"scan_policies"`
		} `json:"serve_role"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Patterns) == 0 || len(doc.Serve.ScanPolicies) == 0 {
		t.Fatalf("incomplete events document: %.500s", out)
	}
	// The serve role can call everything the README's permission table lists.
	for _, list := range checkdoc.Permissions() {
		for _, a := range list {
			if !strings.Contains(out, `"`+a+`"`) {
				t.Errorf("serve role lacks %s", a)
			}
		}
	}
	for _, format := range []string{"terraform", "cloudformation"} {
		if out, code := runGuardrailsCmd(t, "--events", "--format", format); code != ExitOK || !strings.Contains(out, "sagekey-events") {
			t.Errorf("--format %s: exit %d: %.200s", format, code, out)
		}
	}
	dir := t.TempDir()
	if _, code := runGuardrailsCmd(t, "--events", "--format", "terraform", "--out", dir); code != ExitOK {
		t.Fatalf("--out: exit %d", code)
	}
	for _, name := range []string{"events.tf", "event-pattern-sagemaker-1.json", "event-pattern-kms-1.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	if _, code := runGuardrailsCmd(t, "--events", "--key-admin", "arn:aws:iam::123456789012:role/KeyAdmin"); code != ExitUsage {
		t.Errorf("--events with --key-admin: exit %d, want usage", code)
	}
}
