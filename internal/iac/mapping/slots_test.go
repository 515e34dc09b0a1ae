package mapping

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
	"github.com/sagekey/sagekey/internal/inventory"
)

// slotFacts is what a test states about a slot.
type slotFacts struct {
	KeyRef, OutputURI, Unsupported string
	InstanceTypes                  []string
	Serverless, Unknown            bool
}

func factsOf(s inventory.Slot) slotFacts {
	return slotFacts{KeyRef: s.KeyRef, OutputURI: s.OutputURI, Unsupported: s.Unsupported, InstanceTypes: s.InstanceTypes,
		Serverless: s.Serverless, Unknown: s.Unknown != ""}
}

func cfn(typ, id string, line int, props map[string]model.Value) model.Resource {
	return model.Resource{Source: model.CloudFormation, Mode: model.Managed, Type: typ, Name: id, Address: id, Attrs: props,
		Range: model.Range{File: "template.yaml", Start: model.Pos{Line: line, Column: 3}, End: model.Pos{Line: line + 9, Column: 1}}}
}

// Slots are filled as the live collectors fill them.
func TestSlots(t *testing.T) {
	variant := func(name, instanceType string, coreDump bool) model.Value {
		v := map[string]model.Value{"variant_name": str(name, 42), "instance_type": str(instanceType, 43)}
		if coreDump {
			v["core_dump_config"] = list(obj(map[string]model.Value{"destination_s3_uri": str("s3://dumps/"+name, 44),
				"kms_key_id": str("alias/aws/s3", 45)}))
		}
		return obj(v)
	}
	capture := func(enable *bool, dest string) model.Value {
		c := map[string]model.Value{"destination_s3_uri": str(dest, 46)}
		if enable != nil {
			c["enable_capture"] = boolean(*enable, 47)
		}
		return list(obj(c))
	}
	yes := true
	group := func(name, instanceType string, storage ...model.Value) model.Value {
		return obj(map[string]model.Value{"InstanceGroupName": str(name, 5), "InstanceType": str(instanceType, 6),
			"InstanceStorageConfigs": list(storage...)})
	}
	ebs := func(root bool, key string) model.Value {
		c := map[string]model.Value{"VolumeKmsKeyId": str(key, 8)}
		if root {
			c["RootVolume"] = boolean(true, 9)
		}
		return obj(map[string]model.Value{"EbsVolumeConfig": obj(c)})
	}
	cases := []struct {
		name string
		res  model.Resource
		want map[string]slotFacts // by slot name
	}{
		{"endpoint config: variants, shadow, data capture enabled", tf("aws_sagemaker_endpoint_configuration", "ec", 40,
			map[string]model.Value{"production_variants": list(variant("a", "ml.m5.large", true), variant("b", "ml.g5.xlarge", false)),
				"shadow_production_variants": list(variant("s", "ml.m5.large", true)),
				"data_capture_config":        capture(&yes, "s3://capture/x")}),
			map[string]slotFacts{
				"volume":       {InstanceTypes: []string{"ml.m5.large", "ml.g5.xlarge"}},
				"data-capture": {OutputURI: "s3://capture/x"},
				"core-dump:a":  {KeyRef: "alias/aws/s3", OutputURI: "s3://dumps/a"},
				"core-dump:s":  {KeyRef: "alias/aws/s3", OutputURI: "s3://dumps/s"},
			}},
		{"endpoint config: the provider's enable_capture defaults to false", tf("aws_sagemaker_endpoint_configuration", "ec", 40,
			map[string]model.Value{"production_variants": list(variant("a", "ml.m5.large", false)),
				"data_capture_config": capture(nil, "s3://capture/x")}),
			map[string]slotFacts{"volume": {InstanceTypes: []string{"ml.m5.large"}}}},
		{"CloudFormation endpoint config: EnableCapture defaults to true; S3 Express output", cfn("AWS::SageMaker::EndpointConfig", "EC", 3,
			map[string]model.Value{"ProductionVariants": list(obj(map[string]model.Value{"InstanceType": str("ml.m5.large", 5)})),
				"DataCaptureConfig": obj(map[string]model.Value{"DestinationS3Uri": str("s3://cap--use1-az4--x-s3/d", 6)})}),
			map[string]slotFacts{"volume": {InstanceTypes: []string{"ml.m5.large"}}, "data-capture": {OutputURI: "s3://cap--use1-az4--x-s3/d"}}},
		{"HyperPod: root and secondary volumes per group, restricted groups unsupported", cfn("AWS::SageMaker::Cluster", "HP", 3,
			map[string]model.Value{
				"InstanceGroups":           list(group("workers", "ml.p5.48xlarge", ebs(true, "alias/root"), ebs(false, "")), group("ctl", "ml.m5.large")),
				"RestrictedInstanceGroups": list(group("r", "ml.p5.48xlarge"))}),
			map[string]slotFacts{
				"root-volume:workers": {KeyRef: "alias/root", InstanceTypes: []string{"ml.p5.48xlarge"}},
				"ebs-volume:workers":  {InstanceTypes: []string{"ml.p5.48xlarge"}},
				"root-volume:ctl":     {InstanceTypes: []string{"ml.m5.large"}},
				"root-volume:r":       {InstanceTypes: []string{"ml.p5.48xlarge"}, Unsupported: "restricted instance groups do not support customer-managed keys"},
			}},
		{"feature group: InMemory online store, offline store", tf("aws_sagemaker_feature_group", "fg", 70, map[string]model.Value{
			"online_store_config": list(obj(map[string]model.Value{"enable_online_store": boolean(true, 71),
				"storage_type": str("InMemory", 72)})),
			"offline_store_config": list(obj(map[string]model.Value{"s3_storage_config": list(obj(map[string]model.Value{
				"s3_uri": str("s3://offline/fg", 74)}))}))}),
			map[string]slotFacts{"online-store": {Unsupported: "InMemory online stores are not covered by a customer-managed key"}, "offline-store": {OutputURI: "s3://offline/fg"}}},
		{"feature group: disabled online store has no slot", tf("aws_sagemaker_feature_group", "fg", 70, map[string]model.Value{
			"online_store_config": list(obj(map[string]model.Value{"enable_online_store": boolean(false, 71)}))}),
			map[string]slotFacts{}},
		{"instance type known only at apply", tf("aws_sagemaker_endpoint_configuration", "ec", 40, map[string]model.Value{
			"production_variants": list(obj(map[string]model.Value{"instance_type": ref(model.RefVariable, "var.type", "", 43)}))}),
			map[string]slotFacts{"volume": {Unknown: true}}},
		{"tuning job with one definition: plain slot names", tf("aws_sagemaker_hyper_parameter_tuning_job", "hpo", 80, map[string]model.Value{
			"training_job_definition": list(obj(map[string]model.Value{
				"resource_config":    list(obj(map[string]model.Value{"instance_type": str("ml.p4d.24xlarge", 82)})),
				"output_data_config": list(obj(map[string]model.Value{"s3_output_path": str("s3://out/", 83)}))}))}),
			map[string]slotFacts{"volume": {InstanceTypes: []string{"ml.p4d.24xlarge"}}, "output": {OutputURI: "s3://out/"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := Map([]*model.Config{{Resources: []model.Resource{c.res}}}, Options{})
			if len(m.Inventory.Resources) != 1 {
				t.Fatalf("resources = %d", len(m.Inventory.Resources))
			}
			got := map[string]slotFacts{}
			for _, s := range m.Inventory.Resources[0].Slots {
				got[s.Name] = factsOf(s)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("slots =\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

// Findings point at the key attribute, or at the block that lacks it.
func TestLocationsAndFix(t *testing.T) {
	nb := notebook(nil, "ml.t3.medium")
	nb.Module, nb.Address = "", "aws_sagemaker_notebook_instance.nb"
	m := Map([]*model.Config{{Resources: []model.Resource{key("main", rotating()), nb,
		tf("aws_sagemaker_model_card", "card", 50, map[string]model.Value{"model_card_name": str("card", 51),
			"security_config": list(obj(map[string]model.Value{"kms_key_id": ref(model.RefResource, "aws_kms_key.main", "arn", 53)}))})}}}, Options{})
	loc := m.Locations[nbARN]
	if loc.Slots["volume"] != loc.Block || loc.Block.StartLine != 20 || loc.Block.Address != nb.Address {
		t.Errorf("missing key located at %+v, block %+v", loc.Slots["volume"], loc.Block)
	}
	if f := loc.Fix; f == nil || f.Line != 21 || f.Text != "  kms_key_id = aws_kms_key.main.arn\n" {
		t.Errorf("fix = %+v", f)
	}
	card := m.Locations["iac:terraform:aws_sagemaker_model_card.card"]
	if l := card.Slots["content"]; l.StartLine != 53 || l.File != "main.tf" || card.Fix != nil {
		t.Errorf("key attribute located at %+v (fix %+v)", l, card.Fix)
	}

	// CloudFormation: under Properties, two columns deeper than the logical ID's Properties.
	cnb := cfn("AWS::SageMaker::NotebookInstance", "Notebook", 12, map[string]model.Value{
		"InstanceType": {Kind: model.String, Str: "ml.t3.medium", Range: model.Range{File: "template.yaml", Start: model.Pos{Line: 15, Column: 21}}}})
	m = Map([]*model.Config{{Resources: []model.Resource{cfn("AWS::KMS::Key", "Key", 3, map[string]model.Value{
		"EnableKeyRotation": {Kind: model.Bool, Str: "true"}}), cnb}}}, Options{})
	if f := m.Locations["iac:cloudformation:Notebook"].Fix; f == nil || f.Line != 15 || f.Text != "      KmsKeyId: !GetAtt Key.Arn\n" {
		t.Errorf("CloudFormation fix = %+v", f)
	}
}

func TestIgnores(t *testing.T) {
	ignored := func(ig model.Ignore) model.Resource {
		nb := notebook(ptr(str("alias/aws/sagemaker", 23)), "ml.t3.medium")
		ig.Range = rng("main.tf", 19)
		nb.Ignores = []model.Ignore{ig}
		return nb
	}
	cases := []struct {
		name   string
		ig     model.Ignore
		want   string // status of notebook-instance.cmk
		gapHas string
	}{
		{"reason and expiry", model.Ignore{Check: "notebook-instance.cmk", Reason: "migrating", Expires: "2027-01-31"}, "MUTED", ""},
		{"expired", model.Ignore{Check: "notebook-instance.cmk", Reason: "migrating", Expires: "2026-01-31"}, "FAIL", ""},
		{"no expiry", model.Ignore{Check: "notebook-instance.cmk", Reason: "migrating"}, "FAIL", "no expiry"},
		{"no reason", model.Ignore{Check: "notebook-instance.cmk", Expires: "2027-01-31"}, "FAIL", "no reason"},
		{"bad date", model.Ignore{Check: "notebook-instance.cmk", Reason: "r", Expires: "31/01/2027"}, "FAIL", "not a YYYY-MM-DD"},
		{"reader problem", model.Ignore{Check: "notebook-instance.cmk", Problem: "unterminated quote"}, "FAIL", "unterminated quote"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, fs := evaluate(t, Options{}, ignored(c.ig))
			if f := findingOf(t, fs, "notebook-instance.cmk", nbARN); string(f.Status) != c.want {
				t.Errorf("status = %s, want %s", f.Status, c.want)
			}
			var gaps []string
			for _, g := range m.Gaps {
				gaps = append(gaps, g.Service+" "+g.Reason)
			}
			if joined := strings.Join(gaps, "\n"); (c.gapHas == "") != (len(gaps) == 0) || !strings.Contains(joined, c.gapHas) {
				t.Errorf("gaps = %q, want one containing %q", gaps, c.gapHas)
			}
			if c.gapHas != "" && !strings.HasPrefix(gaps[0], "iac:main.tf:19 ") {
				t.Errorf("gap service = %q", gaps[0])
			}
		})
	}
}

func TestExternalAndKeys(t *testing.T) {
	m := Map([]*model.Config{{Resources: []model.Resource{
		key("main", rotating()),
		notebook(ptr(ref(model.RefVariable, "var.key_arn", "", 23)), "ml.t3.medium"),
		tf("aws_sagemaker_model_card", "card", 50, map[string]model.Value{
			"security_config": list(obj(map[string]model.Value{"kms_key_id": ref(model.RefResource, "aws_kms_key.main", "arn", 53)}))}),
	}, Gaps: []model.Gap{{File: "broken.tf", Reason: "syntax error"}}}}, Options{})
	if len(m.External) != 1 || m.External[0].Ref != "var.key_arn" || !reflect.DeepEqual(m.External[0].Resources, []string{nbARN}) {
		t.Errorf("external = %+v", m.External)
	}
	const keyARN = "arn:aws:kms:iac:000000000000:key/terraform/aws_kms_key.main"
	if got := m.KeyRefs[keyARN]; got != keyARN {
		t.Errorf("key refs = %v", m.KeyRefs)
	}
	// Sorted by ARN: the external key's canonical ARN has no region or account.
	if len(m.Keys) != 2 || m.Keys[1].ARN != keyARN || !m.Keys[1].Rotation.Enabled || m.Keys[0].Error != outsideConfig {
		t.Errorf("keys = %+v", m.Keys)
	}
	if len(m.Gaps) != 1 || m.Gaps[0].Service != "iac:broken.tf" || m.Gaps[0].Account != "" {
		t.Errorf("gaps = %+v", m.Gaps)
	}
}
