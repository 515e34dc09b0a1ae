package remediate

import (
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// allText joins every command of an item, for substring assertions.
func allText(it Item) string {
	var b strings.Builder
	for _, s := range it.Steps {
		for _, c := range s.Commands {
			b.WriteString(c.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// itemFor plans the fixture and returns the item of check on name.
func itemFor(t *testing.T, p Plan, check, name string) Item {
	t.Helper()
	for _, it := range p.Items {
		if it.Finding.CheckID == check && it.Finding.Resource.Name == name {
			return it
		}
	}
	t.Fatalf("no item for %s on %s", check, name)
	return Item{}
}

func TestStrategies(t *testing.T) {
	t.Parallel()
	p := Build(fixture(), fixtureOptions())
	cases := []struct {
		check, name, strategy string
		automatable           bool
		want, notWant         []string // substrings of the commands
		warn                  string   // substring of some warning
	}{
		{"endpoint.cmk", "fraud-ep", "endpoint-blue-green", true,
			[]string{"--key volume KmsKeyId", "--key data-capture DataCaptureConfig.KmsKeyId",
				"--key async-output AsyncInferenceConfig.OutputConfig.KmsKeyId", "CreateEndpointConfig",
				"update-endpoint", "wait endpoint-in-service", "--checks endpoint.cmk", "delete-endpoint-config",
				"if [ \"$old_config\" != fraud-config ]", "s3://capture-bucket/fraud/"},
			nil, "auto scaling"},
		{"endpoint-config.cmk", "fraud-config", "endpoint-config-replace", false,
			[]string{"delete-endpoint-config --region us-east-1 --endpoint-config-name fraud-config", "grep -cxF -- fraud-config"},
			[]string{"create-endpoint-config"}, ""},
		{"notebook-instance.cmk", hostile, "notebook-replace", false,
			[]string{"aws s3 sync /home/ec2-user/SageMaker", "create_notebook_instance", "KmsKeyId", "stop-notebook-instance",
				"delete-notebook-instance", "notebook-instance-in-service", "--checks notebook-instance.cmk"},
			nil, "new name"},
		{"training-job.cmk", "train-g4dn", "job-clone", false,
			[]string{"--key output OutputDataConfig.KmsKeyId", "create-training-job", "s3://models-bucket/out/train-g4dn/"},
			[]string{"VolumeKmsKeyId"}, "ml.g4dn.xlarge has local NVMe storage"},
		{"training-job.cmk", "train-ebs", "job-clone", false,
			[]string{"--key volume ResourceConfig.VolumeKmsKeyId", "--key output OutputDataConfig.KmsKeyId",
				"describe-training-job", "list-tags", "--set TrainingJobName \"$new_job\"", "--sse-kms-key-id"},
			nil, "cannot delete a job record"},
		{"processing-job.cmk", "prep-data", "job-clone", false,
			[]string{"--key volume ProcessingResources.ClusterConfig.VolumeKmsKeyId", "--key output ProcessingOutputConfig.KmsKeyId",
				"create-processing-job --region eu-west-1", `"$KMS_KEY_ARN_EU_WEST_1"`},
			nil, "No target key was given for eu-west-1"},
		{"cluster.cmk", "hp-cluster", "hyperpod-new-instance-group", false,
			[]string{"NodeProvisioningMode", "update-cluster --region us-east-1 --cli-input-json", "RootVolume",
				"--instance-groups-to-delete workers", `"$KMS_KEY_ARN_US_EAST_1" workers <<'PY'`},
			[]string{"--instance-groups-to-delete controller"}, "quota"},
		{"kms-key.state", "22222222-2222-2222-2222-222222222222", "key-enable", false,
			[]string{"aws kms enable-key", "aws cloudtrail lookup-events", "AttributeKey=ResourceName", "DisableKey"},
			[]string{"cancel-key-deletion"}, "deliberately"},
		{"kms-key.state", "33333333-3333-3333-3333-333333333333", "key-cancel-deletion", false,
			[]string{"aws kms cancel-key-deletion", "aws kms enable-key"}, nil, "notebook-instance " + hostile},
		{"kms-key.rotation", "44444444-4444-4444-4444-444444444444", "key-rotation", false,
			[]string{"aws kms enable-key-rotation"}, nil, "imported key material"},
		{"kms-key.policy", "55555555-5555-5555-5555-555555555555", "key-policy-least-privilege", false,
			[]string{"aws kms put-key-policy", "kms:GrantIsForAWSResource", "role/SageMakerExec"},
			[]string{"999988887777"}, "999988887777"},
		{"training-job.key-access", "train-access", "key-access-grant", false,
			[]string{"aws kms put-key-policy", "aws iam put-role-policy --role-name TrainRole", "SagekeyAllowTrainRoleGrantsViaSagemaker",
				`"kms:GrantIsForAWSResource": "true"`, "arn:aws:iam::111122223333:role/ml/TrainRole", "--checks training-job.key-access"},
			[]string{`"kms:GenerateDataKey"`}, "DenyWritesOutsideEtl"},
		{"kms-key.least-privilege", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", "key-least-privilege", false,
			[]string{"aws kms revoke-grant", "--grant-id " + etlGrant, "aws kms put-key-policy", "role/SageMakerExec"},
			[]string{"role/analytics", "role/reporting", "5a5a"}, "ViaS3InAccount"},
	}
	for _, tc := range cases {
		t.Run(tc.check+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			it := itemFor(t, p, tc.check, tc.name)
			if it.Strategy != tc.strategy || it.Automatable != tc.automatable {
				t.Errorf("strategy %q automatable %v, want %q %v", it.Strategy, it.Automatable, tc.strategy, tc.automatable)
			}
			text := allText(it)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("commands lack %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("commands must not contain %q", w)
				}
			}
			if tc.warn != "" && !strings.Contains(strings.Join(it.Warnings, "\n"), tc.warn) {
				t.Errorf("warnings %q lack %q", it.Warnings, tc.warn)
			}
			if len(it.Steps) == 0 || it.Summary == "" {
				t.Errorf("item has no steps or summary: %+v", it)
			}
			for _, s := range it.Steps {
				if s.Title == "" || s.Why == "" {
					t.Errorf("step without title or why: %+v", s)
				}
			}
		})
	}
}

func TestDestructiveCommandsAskFirst(t *testing.T) {
	t.Parallel()
	p := Build(fixture(), fixtureOptions())
	for _, it := range p.Items {
		for _, s := range it.Steps {
			for _, c := range s.Commands {
				destructive := strings.Contains(c.Text, "delete-endpoint-config") || strings.Contains(c.Text, "delete-notebook-instance") ||
					strings.Contains(c.Text, "stop-notebook-instance") || strings.Contains(c.Text, "--instance-groups-to-delete") ||
					strings.Contains(c.Text, "put-key-policy") || strings.Contains(c.Text, "aws kms enable-key ") ||
					strings.Contains(c.Text, "put-role-policy") || strings.Contains(c.Text, "revoke-grant")
				if destructive && !c.Confirm && !c.Manual {
					t.Errorf("item %d step %q runs a destructive command without confirmation:\n%s", it.Number, s.Title, c.Text)
				}
				if c.Confirm && c.Prompt == "" {
					t.Errorf("item %d: confirmation without a prompt", it.Number)
				}
			}
		}
	}
}

func TestOtherKinds(t *testing.T) {
	t.Parallel()
	mk := func(kind, name string, slots ...inventory.Slot) Input {
		r, f := resAndFinding(kind, name, east, slots, nil)
		return Input{Findings: []finding.Finding{f}, Inventory: inventory.Inventory{Resources: []inventory.Resource{r}}}
	}
	cases := []struct {
		name     string
		in       Input
		strategy string
		want     string
	}{
		{"user profile in place", mk("user-profile", "alice", inventory.Slot{Type: "sharing-output", Name: "sharing-output"}),
			"in-place-update", "UpdateUserProfile"},
		{"device fleet in place", mk("device-fleet", "fleet", inventory.Slot{Type: "output", Name: "output"}),
			"in-place-update", "update-device-fleet --region us-east-1 --cli-input-json"},
		{"monitoring schedule in place", mk("monitoring-schedule", "sched", inventory.Slot{Type: "volume", Name: "volume"}),
			"in-place-update", "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.VolumeKmsKeyId"},
		{"domain storage recreated", mk("domain", "studio", inventory.Slot{Type: "storage", Name: "storage"},
			inventory.Slot{Type: "canvas-output", Name: "canvas-output"}), "in-place-update+recreate", "KmsKeyId"},
		{"model card recreated", mk("model-card", "card", inventory.Slot{Type: "content", Name: "content"}),
			"recreate", "SecurityConfig.KmsKeyId"},
		{"tuning job cloned", mk("hyper-parameter-tuning-job", "tune", inventory.Slot{Type: "volume", Name: "volume",
			InstanceTypes: []string{"ml.m5.xlarge"}}), "job-clone", "HyperParameterTuningResourceConfig.VolumeKmsKeyId"},
		{"transform job cloned", mk("transform-job", "batch", inventory.Slot{Type: "output", Name: "output"}),
			"job-clone", "--key output TransformOutput.KmsKeyId"},
		{"generic job clone", mk("model-customization-job", "cust", inventory.Slot{Type: "output", Name: "output"}),
			"job-clone", "JobConfigDocument"},
		{"unused endpoint config", mk("endpoint-config", "old-config", inventory.Slot{Type: "volume", Name: "volume"}),
			"endpoint-config-recreate-or-delete", "delete-endpoint-config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := Build(tc.in, Options{})
			if len(p.Items) != 1 {
				t.Fatalf("items = %d, want 1", len(p.Items))
			}
			it := p.Items[0]
			if it.Strategy != tc.strategy {
				t.Errorf("strategy = %q, want %q", it.Strategy, tc.strategy)
			}
			if !strings.Contains(allText(it), tc.want) {
				t.Errorf("commands lack %q:\n%s", tc.want, allText(it))
			}
		})
	}
}

func TestOrderAndFiltering(t *testing.T) {
	t.Parallel()
	in := fixture()
	p := Build(in, fixtureOptions())
	if got := p.Items[0].Finding.Resource.Name; got != "33333333-3333-3333-3333-333333333333" || p.Items[0].Priority != finding.Critical {
		t.Errorf("first item is %s (%s), want the key pending deletion at critical priority", got, p.Items[0].Priority)
	}
	for i, it := range p.Items {
		if it.Number != i+1 {
			t.Errorf("item %d numbered %d", i, it.Number)
		}
		if it.Finding.Status != finding.Fail {
			t.Errorf("item for a %s finding", it.Finding.Status)
		}
		if i > 0 && p.Items[i-1].Priority < it.Priority {
			t.Errorf("item %d (priority %s) after a lower priority", it.Number, it.Priority)
		}
	}
	if len(p.VerifyFirst) != 1 || !strings.Contains(p.VerifyFirst[0].Reason, "ghost-config") {
		t.Errorf("verify first = %+v, want the ERROR endpoint", p.VerifyFirst)
	}
	// Deterministic whatever the input order.
	rev := in
	rev.Findings = append([]finding.Finding(nil), in.Findings...)
	for i, j := 0, len(rev.Findings)-1; i < j; i, j = i+1, j-1 {
		rev.Findings[i], rev.Findings[j] = rev.Findings[j], rev.Findings[i]
	}
	p2 := Build(rev, fixtureOptions())
	for i := range p.Items {
		if p.Items[i].Finding.Resource.ARN != p2.Items[i].Finding.Resource.ARN || p.Items[i].Finding.CheckID != p2.Items[i].Finding.CheckID {
			t.Fatalf("order depends on input order at %d", i)
		}
	}
}

func TestTargetKeyWarnings(t *testing.T) {
	t.Parallel()
	in := fixture()
	bad := "arn:aws:kms:us-east-1:111122223333:key/99999999-9999-9999-9999-999999999999"
	in.Keys = append(in.Keys, keys.Key{ARN: bad, Region: east, Manager: keys.ManagerAWS, State: "Disabled"})
	p := Build(in, Options{TargetKeys: map[string]string{east: bad, west: "arn:aws:kms:us-west-2:111122223333:key/x"}})
	warn := strings.Join(itemFor(t, p, "training-job.cmk", "train-ebs").Warnings, "\n")
	for _, w := range []string{"not CUSTOMER", "Disabled, not Enabled"} {
		if !strings.Contains(warn, w) {
			t.Errorf("warnings lack %q: %s", w, warn)
		}
	}
	if w := strings.Join(itemFor(t, p, "processing-job.cmk", "prep-data").Warnings, "\n"); !strings.Contains(w, "is in us-west-2") {
		t.Errorf("cross-region key not warned: %s", w)
	}
}

func TestParseTargetKeys(t *testing.T) {
	t.Parallel()
	got, err := ParseTargetKeys([]string{targetKey, "arn:aws:kms:eu-west-1:111122223333:key/abc"})
	if err != nil || got[east] != targetKey || got[west] == "" {
		t.Fatalf("ParseTargetKeys = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"alias/foo"}, {"1234abcd-12ab-34cd-56ef-1234567890ab"}, {targetKey, keyARN("other")}} {
		if _, err := ParseTargetKeys(bad); err == nil {
			t.Errorf("ParseTargetKeys(%q) accepted", bad)
		}
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"markdown", "json", "shell"} {
		if _, err := Lookup(f); err != nil {
			t.Errorf("Lookup(%q): %v", f, err)
		}
	}
	if _, err := Lookup("table"); err == nil {
		t.Error("Lookup(table) accepted")
	}
}
