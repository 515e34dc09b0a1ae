package catalog

import (
	"slices"
	"strings"
	"testing"
)

// workloadKMSActions are the KMS actions a workload's role can need on a
// key: the cryptographic operations, DescribeKey and the grant operations.
// Key administration (PutKeyPolicy, ScheduleKeyDeletion, ...) is never a
// workload's need, and actions whose resource is not a key (ListAliases,
// ListKeys) cannot be allowed by a key policy or grant, so an access profile
// listing them could never be met.
var workloadKMSActions = []string{
	"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
	"kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:GetPublicKey", "kms:ListGrants",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant", "kms:Sign", "kms:Verify",
	"kms:VerifyMac",
}

// TestKeyAccessIsComplete: every slot of a kind that runs as a role says
// what the role needs, through which service, and where AWS says so; a kind
// without a role states no access at all.
func TestKeyAccessIsComplete(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		if k.RoleFromModels && !strings.HasSuffix(k.RoleField, " → DescribeModel.ExecutionRoleArn") {
			t.Errorf("%s: RoleFromModels, but RoleField %q does not lead to DescribeModel.ExecutionRoleArn", k.ID, k.RoleField)
		}
		for _, s := range k.Slots {
			a := s.Access
			if k.RoleField == "" {
				if len(a.Actions) > 0 || a.ViaService != "" || a.Source != "" || a.Unconfirmed != "" {
					t.Errorf("%s/%s: access stated on a kind that runs as no role: %+v", k.ID, s.ID, a)
				}
				continue
			}
			if len(a.Actions) == 0 {
				t.Errorf("%s/%s: no KMS actions for the role", k.ID, s.ID)
			}
			if !slices.IsSorted(a.Actions) || len(slices.Compact(slices.Clone(a.Actions))) != len(a.Actions) {
				t.Errorf("%s/%s: actions must be sorted and distinct: %v", k.ID, s.ID, a.Actions)
			}
			for _, action := range a.Actions {
				if !slices.Contains(workloadKMSActions, action) {
					t.Errorf("%s/%s: %q is not a KMS action a workload's role can be allowed on a key", k.ID, s.ID, action)
				}
			}
			if a.ViaService != viaSageMaker && a.ViaService != viaS3 {
				t.Errorf("%s/%s: ViaService %q, want %q or %q", k.ID, s.ID, a.ViaService, viaSageMaker, viaS3)
			}
			if !strings.HasPrefix(a.Source, "https://docs.aws.amazon.com/") {
				t.Errorf("%s/%s: Source %q is not an AWS documentation page", k.ID, s.ID, a.Source)
			}
			if a.Unconfirmed != "" && (!strings.HasSuffix(a.Unconfirmed, ".") || strings.Contains(a.Unconfirmed, "\n")) {
				t.Errorf("%s/%s: Unconfirmed must be one sentence: %q", k.ID, s.ID, a.Unconfirmed)
			}
			if s.S3Output && a.ViaService != viaS3 {
				t.Errorf("%s/%s: an S3 output is reached through S3, not %q", k.ID, s.ID, a.ViaService)
			}
		}
	}
}

// TestKeyAccessFacts pins the rows that rest on AWS's word, so a later edit
// that changes them has to change this table too.
func TestKeyAccessFacts(t *testing.T) {
	t.Parallel()
	// Volumes: SageMaker lists kms:CreateGrant; the other two are EBS's calls,
	// so every volume row is marked unconfirmed.
	ebsVolume := []string{"kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"}
	tests := []struct {
		kind, slot string
		actions    []string
		via        string
		confirmed  bool
	}{
		{"training-job", "volume", ebsVolume, "sagemaker", false},
		{"training-job", "output", []string{"kms:Decrypt", "kms:GenerateDataKey"}, "s3", true},
		{"processing-job", "volume", ebsVolume, "sagemaker", false},
		{"hyper-parameter-tuning-job", "volume", ebsVolume, "sagemaker", false},
		{"auto-ml-job", "volume", ebsVolume, "sagemaker", false},
		{"labeling-job", "volume", ebsVolume, "sagemaker", false},
		{"cluster", "root-volume", []string{"kms:CreateGrant", "kms:DescribeKey"}, "sagemaker", true},
		{"cluster", "ebs-volume", []string{"kms:CreateGrant", "kms:DescribeKey"}, "sagemaker", true},
		{"domain", "storage", []string{"kms:CreateGrant", "kms:DescribeKey"}, "sagemaker", true},
		{"feature-group", "offline-store", []string{"kms:GenerateDataKey"}, "s3", true},
		{"inference-recommendations-job", "volume", ebsVolume, "sagemaker", false},
		{"inference-recommendations-job", "output", []string{"kms:GenerateDataKey"}, "s3", true},
		{"transform-job", "output", []string{"kms:Decrypt", "kms:GenerateDataKey"}, "s3", true},
		// AWS documents these for another principal or a related kind only.
		{"notebook-instance", "volume", []string{"kms:CreateGrant", "kms:DescribeKey"}, "sagemaker", false},
		{"endpoint-config", "volume", ebsVolume, "sagemaker", false},
		{"endpoint", "data-capture", []string{"kms:Decrypt", "kms:GenerateDataKey"}, "s3", false},
		{"feature-group", "online-store", []string{"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
			"kms:GenerateDataKey", "kms:ListGrants", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant",
			"kms:RevokeGrant"}, "sagemaker", false},
		{"data-quality-job-definition", "volume", ebsVolume, "sagemaker", false},
		{"processing-job", "redshift-staging", []string{"kms:Decrypt"}, "s3", false},
	}
	for _, tt := range tests {
		s, ok := MustLookup(tt.kind).Slot(tt.slot)
		if !ok {
			t.Errorf("%s has no slot %s", tt.kind, tt.slot)
			continue
		}
		if !slices.Equal(s.Access.Actions, tt.actions) || s.Access.ViaService != tt.via {
			t.Errorf("%s/%s: got %v via %q, want %v via %q", tt.kind, tt.slot, s.Access.Actions, s.Access.ViaService,
				tt.actions, tt.via)
		}
		if confirmed := s.Access.Unconfirmed == ""; confirmed != tt.confirmed {
			t.Errorf("%s/%s: confirmed = %v, want %v (Unconfirmed %q)", tt.kind, tt.slot, confirmed, tt.confirmed,
				s.Access.Unconfirmed)
		}
	}
}

// TestRolelessKinds lists the kinds that run as no role of the customer's,
// so one gaining a role (or losing one) is a decision, not an accident.
func TestRolelessKinds(t *testing.T) {
	t.Parallel()
	var got []string
	for _, k := range Kinds() {
		if k.RoleField == "" {
			got = append(got, k.ID)
		}
	}
	if want := []string{"model-card", "model-package"}; !slices.Equal(got, want) {
		t.Errorf("kinds without RoleField = %v, want %v", got, want)
	}
	for _, id := range []string{"endpoint", "endpoint-config", "transform-job"} {
		if !MustLookup(id).RoleFromModels {
			t.Errorf("%s: runs as its models' roles, want RoleFromModels", id)
		}
	}
}
