package catalog

import (
	"strings"
	"testing"
)

// fullPath is a slot's key path from the resource: list, storage entries,
// key.
func fullPath(s IaCSlot) string {
	var parts []string
	if len(s.Each) > 0 {
		parts = append(parts, IaCPath(s.Each[0].Path)...)
	}
	if s.Storage != nil {
		parts = append(parts, IaCPath(s.Storage.Entries)...)
	}
	return strings.Join(append(parts, IaCPath(s.Key[0])...), ".")
}

// formsOf returns the forms whose paths a kind's SlotSpecs name: its own,
// or for a kind judged through another (an endpoint), that kind's.
func formsOf(k Kind) []IaCForm {
	forms := iacKind(k).Forms
	for _, f := range forms {
		if f.ViaKind != "" && len(f.Slots) == 0 {
			return iacKind(MustLookup(f.ViaKind)).Forms
		}
	}
	return forms
}

func TestIaCPathsMatchSlotSpecs(t *testing.T) {
	for _, k := range Kinds() {
		forms := formsOf(k)
		for _, spec := range k.Slots {
			for _, c := range []struct{ path, sep string }{{spec.Terraform, "."}, {spec.CloudFormation, "/"}} {
				if c.path == "" {
					continue
				}
				typ, rest, _ := strings.Cut(c.path, c.sep)
				var form *IaCForm
				for i := range forms {
					if forms[i].Type == typ {
						form = &forms[i]
					}
				}
				if form == nil {
					t.Errorf("%s/%s: %s names type %s, which is none of the kind's IaC forms", k.ID, spec.ID, c.path, typ)
					continue
				}
				want := strings.Join(IaCPath(rest), ".")
				found := false
				for _, s := range form.Slots {
					found = found || (s.Slot == spec.ID && fullPath(s) == want)
				}
				if !found {
					t.Errorf("%s/%s: form %s has no slot at %s", k.ID, spec.ID, typ, want)
				}
			}
		}
	}
}

func TestIaCFormsAreConsistent(t *testing.T) {
	claimed := map[string]string{}
	for _, ik := range IaCKinds() {
		k := MustLookup(ik.Kind)
		if len(ik.Forms) == 0 && ik.NotMapped == "" {
			t.Errorf("%s: no form and no reason", k.ID)
		}
		for _, f := range ik.Forms {
			if other, ok := claimed[f.Type]; ok {
				t.Errorf("%s claimed by %s and %s", f.Type, other, k.ID)
			}
			claimed[f.Type] = k.ID
			switch {
			case strings.HasPrefix(f.Type, "AWS::"):
				if f.Type != k.ResourceType {
					t.Errorf("%s: CloudFormation form %s is not the kind's ResourceType %s", k.ID, f.Type, k.ResourceType)
				}
			case !strings.HasPrefix(f.Type, "aws_sagemaker_") && !strings.HasPrefix(f.Type, "awscc_sagemaker_"):
				t.Errorf("%s: unexpected type %s", k.ID, f.Type)
			}
			if f.Name == "" || len(f.Tags) == 0 {
				t.Errorf("%s: %s has no name or tags attribute", k.ID, f.Type)
			}
			if f.ViaKind != "" && f.Via == "" {
				t.Errorf("%s: ViaKind without Via", f.Type)
			}
			for _, s := range f.Slots {
				spec, ok := k.Slot(s.Slot)
				switch {
				case !ok:
					t.Errorf("%s: %s maps unknown slot %s", k.ID, f.Type, s.Slot)
				case len(s.Key) == 0:
					t.Errorf("%s: %s slot %s has no key path", k.ID, f.Type, s.Slot)
				case spec.LocalStorage != TableNone && len(s.InstanceTypes) == 0:
					t.Errorf("%s: %s slot %s has local storage but no instance-type path", k.ID, f.Type, s.Slot)
				case spec.ServerlessExempt && len(s.Serverless) == 0:
					t.Errorf("%s: %s slot %s is serverless-exempt but has no serverless path", k.ID, f.Type, s.Slot)
				case spec.S3Output && len(s.OutputURI) == 0:
					t.Errorf("%s: %s slot %s writes to S3 but has no output URI path", k.ID, f.Type, s.Slot)
				}
			}
		}
	}
}

func TestKindForType(t *testing.T) {
	for _, c := range []struct{ typ, kind string }{
		{"aws_sagemaker_notebook_instance", "notebook-instance"},
		{"awscc_sagemaker_notebook_instance", "notebook-instance"},
		{"AWS::SageMaker::EndpointConfig", "endpoint-config"},
		{"awscc_sagemaker_endpoint_config", "endpoint-config"},
		{"aws_sagemaker_endpoint", "endpoint"},
		{"awscc_sagemaker_cluster", "cluster"},
		{"awscc_sagemaker_data_quality_job_definition", "data-quality-job-definition"},
		{"aws_kms_key", ""},
		{"aws_sagemaker_cluster", ""}, // not registered in the provider
	} {
		k, _, ok := KindForType(c.typ)
		if ok != (c.kind != "") || k.ID != c.kind {
			t.Errorf("KindForType(%s) = %q, %v; want %q", c.typ, k.ID, ok, c.kind)
		}
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"DestinationS3Uri": "destination_s3_uri", "S3KmsKeyId": "s3_kms_key_id", "KmsKey": "kms_key",
		"InstanceGroups/*/InstanceStorageConfigs/*/EbsVolumeConfig/VolumeKmsKeyId": "instance_groups.instance_storage_configs.ebs_volume_config.volume_kms_key_id",
	} {
		if got := snakePath(in); got != want {
			t.Errorf("snakePath(%s) = %s, want %s", in, got, want)
		}
	}
}
