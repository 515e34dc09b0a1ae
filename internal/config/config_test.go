package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sagekey.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadExample(t *testing.T) {
	t.Parallel()
	// The documented example must load: it is what users copy.
	f, err := Load(filepath.Join("..", "..", "sagekey.example.yaml"), true)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Suppressions) == 0 || len(s.RequiredTags) == 0 || len(s.SeverityOverrides) == 0 || len(s.ApprovedKeys) == 0 {
		t.Errorf("example does not show every setting: %+v", s)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	p := write(t, `
required_tags: [team]
owner_tag: team
severity_overrides: {kms-key.tags: medium}
suppressions:
  - check: notebook-instance.cmk
    resource: "arn:aws:sagemaker:*:*:notebook-instance/legacy-*"
    reason: migration ticket ML-42
    expires: 2027-01-31
`)
	f, err := Load(p, true)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.Settings()
	if s.OwnerTag != "team" || s.RequiredTags[0] != "team" || s.SeverityOverrides["kms-key.tags"] != finding.Medium {
		t.Errorf("settings = %+v", s)
	}
	if got := s.Suppressions[0].Expires; !got.Equal(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expires = %v", got)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"unknown key":           "required_tag: [x]\n",
		"bad severity":          "severity_overrides: {x.cmk: urgent}\n",
		"suppression no scope":  "suppressions: [{check: x.cmk, reason: r}]\n",
		"suppression no reason": "suppressions: [{check: x.cmk, resource: a}]\n",
		"bad date":              "suppressions: [{check: x.cmk, resource: a, reason: r, expires: soon}]\n",
		"approved not arn":      "approved_keys: [alias/x]\n",
	}
	for name, body := range tests {
		if _, err := Load(write(t, body), true); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "none.yaml")
	if f, err := Load(missing, false); err != nil || f.OwnerTag != "owner" {
		t.Errorf("optional missing file: %v %+v", err, f)
	}
	if _, err := Load(missing, true); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Errorf("required missing file: %v", err)
	}
	if f, err := Load(write(t, ""), true); err != nil || len(f.RequiredTags) != 2 {
		t.Errorf("empty file must mean defaults: %v %+v", err, f)
	}
}

func TestServeSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sagekey.yaml")
	body := `
serve:
  every: 6h
  regions: [us-east-1, eu-west-1]
  alert-severity: high
  sinks:
    - {name: secops, type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET}
  routes:
    - {min_severity: high, sinks: [secops]}
  default: [secops]
`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"every": "6h", "regions": "us-east-1,eu-west-1", "alert-severity": "high"}
	if !reflect.DeepEqual(f.Serve.Flags, want) {
		t.Errorf("flags = %v, want %v", f.Serve.Flags, want)
	}
	if len(f.Serve.Alerts.Sinks) != 1 || f.Serve.Alerts.Sinks[0].URLEnv != "HOOK_URL" || len(f.Serve.Alerts.Routes) != 1 ||
		f.Serve.Alerts.Routes[0].MinSeverity != "high" || !reflect.DeepEqual(f.Serve.Alerts.Default, []string{"secops"}) {
		t.Errorf("alerts = %+v", f.Serve.Alerts)
	}

	for name, bad := range map[string]string{
		"misspelt sink key": "serve:\n  sinks:\n    - {name: a, type: webhook, url_enc: X}\n",
		"nested flag value": "serve:\n  every: {a: b}\n",
	} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path, true); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}
