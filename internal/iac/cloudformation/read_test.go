package cloudformation

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

const monitorKey = "arn:aws:kms:us-east-1:111122223333:key/monitor"

func readRepo(t *testing.T) *model.Config {
	t.Helper()
	cfg, err := Read(context.Background(), []string{"testdata/repo"},
		Options{Parameters: map[string]string{"MonitorKeyArn": monitorKey}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestReadRepoGolden(t *testing.T) {
	got, err := json.MarshalIndent(readRepo(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "repo.golden.json", append(got, '\n'))
}

// find returns the resource with the address, failing the test without it.
func find(t *testing.T, cfg *model.Config, addr string) model.Resource {
	t.Helper()
	r, ok := cfg.Find(addr)
	if !ok {
		t.Fatalf("no resource %s", addr)
	}
	return r
}

// one is the single value at a dotted path.
func one(t *testing.T, r model.Resource, path ...string) model.Value {
	t.Helper()
	vs := r.Lookup(path)
	if len(vs) != 1 {
		t.Fatalf("%s %v: %d values, want 1", r.Address, path, len(vs))
	}
	return vs[0]
}

func wantRef(t *testing.T, v model.Value, kind model.RefKind, addr, attr string) {
	t.Helper()
	for _, r := range v.Refs {
		if r.Kind == kind && r.Address == addr && r.Attr == attr {
			return
		}
	}
	t.Errorf("value %+v has no ref %s %s %s", v, kind, addr, attr)
}

func TestReadRepoKeys(t *testing.T) {
	cfg := readRepo(t)

	nb := find(t, cfg, "ml/Notebook")
	kms := one(t, nb, "KmsKeyId")
	if kms.Kind != model.Unknown || kms.Range.String() != "testdata/repo/ml.yaml:64:17" {
		t.Errorf("notebook key = %+v", kms)
	}
	wantRef(t, kms, model.RefResource, "ml/Key", "Ref")
	if got := one(t, nb, "InstanceType").Str; got != "ml.g4dn.xlarge" {
		t.Errorf("instance type %q", got)
	}
	if len(nb.Ignores) != 2 || nb.Ignores[0].Check != "notebook-instance.cmk" || nb.Ignores[0].Problem != "" ||
		nb.Ignores[0].Expires != "2027-01-31" || nb.Ignores[1].Problem == "" {
		t.Errorf("ignores = %+v", nb.Ignores)
	}
	if nb.Range.Start.Line != 51 || nb.Range.End.Line != 64 {
		t.Errorf("notebook range = %+v", nb.Range)
	}

	ec := find(t, cfg, "ml/EndpointConfig")
	wantRef(t, one(t, ec, "KmsKeyId"), model.RefResource, "ml/Key", "Arn")
	alias := one(t, ec, "DataCaptureConfig", "KmsKeyId")
	if alias.Kind != model.String || alias.Str != "alias/ml-key" {
		t.Errorf("alias ref = %+v", alias)
	}
	wantRef(t, alias, model.RefResource, "ml/KeyAlias", "Ref")
	if v := one(t, ec, "AsyncInferenceConfig", "OutputConfig", "KmsKeyId"); v.Str != "alias/aws/sagemaker" {
		t.Errorf("literal alias = %+v", v)
	}

	key := find(t, cfg, "ml/Key")
	if v := one(t, key, "Enabled"); v.Kind != model.Bool || v.Str != "false" {
		t.Errorf("Enabled = %+v", v)
	}
	if v := one(t, key, "EnableKeyRotation"); v.Kind != model.Bool || v.Str != "false" {
		t.Errorf("EnableKeyRotation = %+v", v)
	}

	dom := find(t, cfg, "ml/Domain")
	br := one(t, dom, "KmsKeyId")
	if len(br.Branches) != 2 || br.Branches[0].Condition != "UseCMK (true)" || br.Branches[1].Condition != "UseCMK (false)" ||
		br.Branches[1].Value.Kind != model.Null {
		t.Errorf("Fn::If = %+v", br)
	}
	if v := one(t, dom, "DefaultUserSettings", "SharingSettings", "S3KmsKeyId"); v.Kind != model.String ||
		v.Str != "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" {
		t.Errorf("parameter default = %+v", v)
	}
	up := one(t, find(t, cfg, "ml/UserProfile"), "UserSettings", "SharingSettings", "S3KmsKeyId")
	if up.Kind != model.Unknown {
		t.Errorf("parameter without default = %+v", up)
	}
	wantRef(t, up, model.RefParameter, "ExternalKeyArn", "")

	fg := find(t, cfg, "ml/FeatureGroup")
	if v := one(t, fg, "OfflineStoreConfig", "S3StorageConfig", "KmsKeyId"); len(v.Branches) != 2 ||
		v.Branches[1].Value.Str != "alias/aws/sagemaker" {
		t.Errorf("FindInMap by region = %+v", v)
	}

	pj := find(t, cfg, "ml/ProcessingJob")
	if v := one(t, pj, "ProcessingOutputConfig", "KmsKeyId"); v.Str != "arn:aws:kms:us-east-1:111122223333:key/cccc" {
		t.Errorf("Join/Select/Split = %+v", v)
	}
	if v := one(t, pj, "ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"); v.Kind != model.Unknown || v.Why == "" {
		t.Errorf("Sub of pseudo parameters = %+v", v)
	}
	inputs := pj.Lookup([]string{"ProcessingInputs", "DatasetDefinition"})
	if len(inputs) != 2 {
		t.Fatalf("inputs = %+v", inputs)
	}
	wantRef(t, inputs[0].Object["AthenaDatasetDefinition"].Object["KmsKeyId"], model.RefImport, "shared-key-arn", "")
	wantRef(t, inputs[1].Object["RedshiftDatasetDefinition"].Object["KmsKeyId"], model.RefResource, "ml/Key", "Arn")

	if v := one(t, find(t, cfg, "monitoring/DataQuality"), "DataQualityJobOutputConfig", "KmsKeyId"); v.Str != monitorKey {
		t.Errorf("--parameter override = %+v", v)
	}

	fleet := find(t, cfg, "parent/Child/Fleet")
	if fleet.Module != "parent/Child" || fleet.Range.File != "testdata/repo/nested/child.yaml" {
		t.Errorf("nested resource = %+v", fleet)
	}
	wantRef(t, one(t, fleet, "OutputConfig", "KmsKeyId"), model.RefResource, "parent/ParentKey", "Arn")
	wantRef(t, one(t, find(t, cfg, "parent/CardFromChild"), "SecurityConfig", "KmsKeyId"), model.RefResource, "parent/ParentKey", "Arn")

	pkg := find(t, cfg, "Stack/PackageE5F6A7B8")
	wantRef(t, one(t, pkg, "SecurityConfig", "KmsKeyId"), model.RefResource, "Stack/ModelKeyA1B2C3D4", "Arn")
	if pkg.Range.String() != "testdata/repo/cdk.out/Stack.template.json:19:3" {
		t.Errorf("JSON range = %s", pkg.Range)
	}
	find(t, cfg, "template/Cluster")

	for _, r := range cfg.Resources {
		if r.Address == "nested/child/Fleet" || r.Address == "child/Fleet" {
			t.Errorf("nested template also read as a root: %s", r.Address)
		}
	}
	wantGap(t, cfg, "testdata/repo/parent.yaml", 29, "remote template not read")
	if cfg.Files != 6 {
		t.Errorf("Files = %d, want 6", cfg.Files)
	}
}
