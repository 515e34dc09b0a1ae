package catalog

import (
	"slices"
	"strings"
	"testing"
)

// TestActionsCarryTheirSlotsKeys checks the kinds against the SAR table: every
// create action carries every condition key of the kind's slots, every key
// update action carries the keys of the slots marked UpdateCarriesKey, and no
// action listed on a kind is one SAR says carries no KMS key.
func TestActionsCarryTheirSlotsKeys(t *testing.T) {
	t.Parallel()
	noKey := ActionsWithoutKMSConditionKey()
	for _, k := range Kinds() {
		for _, a := range append(append([]string(nil), k.CreateActions...), k.KeyUpdateActions...) {
			if slices.Contains(noKey, a) {
				t.Errorf("%s: %s carries no KMS condition key and must not be listed", k.ID, a)
			}
			if !strings.HasPrefix(a, "sagemaker:") {
				t.Errorf("%s: action %q lacks the sagemaker: prefix", k.ID, a)
			}
		}
		for _, s := range k.Slots {
			if len(s.ConditionKeys) > 0 && len(s.ConditionKeys) != 2 {
				t.Errorf("%s/%s: want the current and the legacy key, got %v", k.ID, s.ID, s.ConditionKeys)
			}
			if len(s.ConditionKeys) > 0 && !strings.HasSuffix(s.ConditionKeys[0], "Arn") {
				t.Errorf("%s/%s: the current (…Arn) key must come first: %v", k.ID, s.ID, s.ConditionKeys)
			}
			for _, key := range s.ConditionKeys {
				for _, a := range k.CreateActions {
					if !ActionSupportsConditionKey(a, key) {
						t.Errorf("%s/%s: SAR does not list %s on %s", k.ID, s.ID, key, a)
					}
				}
				for _, a := range k.KeyUpdateActions {
					if s.UpdateCarriesKey && !ActionSupportsConditionKey(a, key) {
						t.Errorf("%s/%s: SAR does not list %s on %s", k.ID, s.ID, key, a)
					}
				}
			}
			if s.UpdateCarriesKey && len(k.KeyUpdateActions) == 0 {
				t.Errorf("%s/%s: UpdateCarriesKey without KeyUpdateActions", k.ID, s.ID)
			}
			if s.OptionalAtCreate != "" && len(s.ConditionKeys) == 0 {
				t.Errorf("%s/%s: OptionalAtCreate on a slot without condition keys", k.ID, s.ID)
			}
		}
	}
}

// TestSARTable pins facts of reference §2a that guardrails rely on.
func TestSARTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action, key string
		want        bool
	}{
		{"sagemaker:CreateNotebookInstance", "sagemaker:VolumeKmsKeyArn", true},
		{"sagemaker:CreateNotebookInstance", "sagemaker:VolumeKmsKey", true},
		{"sagemaker:UpdateNotebookInstance", "sagemaker:VolumeKmsKeyArn", false},
		{"sagemaker:CreateEndpoint", "sagemaker:VolumeKmsKeyArn", false},
		{"sagemaker:CreateCluster", "sagemaker:VolumeKmsKeyArn", false},
		{"sagemaker:CreateEndpointConfig", "sagemaker:OutputKmsKeyArn", false},
		{"sagemaker:CreateJob", "sagemaker:OutputKmsKeyArn", true},
		{"sagemaker:UpdateDomain", "sagemaker:VolumeKmsKeyArn", false},
		{"sagemaker:UpdateDomain", "sagemaker:DomainSharingOutputKmsKeyArn", true},
		{"sagemaker:CreateAutoMLJob", "sagemaker:InstanceTypes", false},
		{"sagemaker:CreateTransformJob", "sagemaker:InstanceTypes", true},
		{"sagemaker:CreateEndpoint", "aws:PrincipalARN", true},
	}
	for _, tt := range tests {
		if got := ActionSupportsConditionKey(tt.action, tt.key); got != tt.want {
			t.Errorf("ActionSupportsConditionKey(%s, %s) = %v, want %v", tt.action, tt.key, got, tt.want)
		}
	}
}

func TestConfigRulesNameRealSlots(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		for _, r := range k.ConfigRules {
			if r.Identifier == "" || r.Name == "" || (r.Trigger != TriggerPeriodic && r.Trigger != TriggerChange) {
				t.Errorf("%s: incomplete Config rule %+v", k.ID, r)
			}
			for _, s := range r.Slots {
				if _, ok := k.Slot(s); !ok {
					t.Errorf("%s: Config rule %s names unknown slot %q", k.ID, r.Name, s)
				}
			}
		}
	}
}
