package mapping

import (
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/iac/model"
)

// End to end through engine.Evaluate with every rule: declared
// configurations get the verdicts a live scan of what they create would.
func TestVerdicts(t *testing.T) {
	const extARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	keyRef := ptr(ref(model.RefResource, "aws_kms_key.main", "arn", 23))
	cases := []struct {
		name     string
		opts     Options
		res      []model.Resource
		check    string // finding to look at
		subject  string // part of its resource ARN
		want     finding.Status
		contains string
	}{
		{"declared key", Options{}, []model.Resource{key("main", rotating()), notebook(keyRef, "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Pass, "Enabled customer-managed key"},
		{"declared key through an alias", Options{}, []model.Resource{key("main", rotating()),
			tf("aws_kms_alias", "main", 10, map[string]model.Value{"name": str("alias/ml", 11),
				"target_key_id": ref(model.RefResource, "aws_kms_key.main", "key_id", 12)}),
			notebook(ptr(ref(model.RefResource, "aws_kms_alias.main", "arn", 23)), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Pass, ""},
		{"disabled key fails the slot", Options{}, []model.Resource{
			key("main", map[string]model.Value{"is_enabled": boolean(false, 2), "enable_key_rotation": boolean(true, 3)}),
			notebook(keyRef, "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Fail, "is Disabled, not Enabled"},
		{"disabled key fails kms-key.state", Options{}, []model.Resource{
			key("main", map[string]model.Value{"is_enabled": boolean(false, 2)}), notebook(keyRef, "ml.t3.medium")},
			"kms-key.state", "key/terraform/aws_kms_key.main", finding.Fail, ""},
		{"rotation off (the provider default)", Options{}, []model.Resource{key("main", nil), notebook(keyRef, "ml.t3.medium")},
			"kms-key.rotation", "aws_kms_key.main", finding.Fail, "disabled"},
		{"rotation on", Options{}, []model.Resource{key("main", rotating()), notebook(keyRef, "ml.t3.medium")},
			"kms-key.rotation", "aws_kms_key.main", finding.Pass, ""},
		{"no policy declared: the KMS default policy", Options{}, []model.Resource{key("main", rotating()),
			notebook(keyRef, "ml.t3.medium")}, "kms-key.policy", "aws_kms_key.main", finding.Pass, ""},
		{"policy open to everyone", Options{}, []model.Resource{key("main", map[string]model.Value{"policy": str(
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`, 4)}),
			notebook(keyRef, "ml.t3.medium")}, "kms-key.policy", "aws_kms_key.main", finding.Fail, ""},
		{"AWS-managed alias written out", Options{}, []model.Resource{notebook(ptr(str("alias/aws/sagemaker", 23)), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Fail, "AWS-managed"},
		{"AWS-managed alias through a data source", Options{}, []model.Resource{
			data("aws_kms_alias", "sm", map[string]model.Value{"name": str("alias/aws/sagemaker", 91)}),
			notebook(ptr(ref(model.RefData, "data.aws_kms_alias.sm", "target_key_arn", 23)), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Fail, "AWS-managed"},
		{"no key", Options{}, []model.Resource{notebook(nil, "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Fail, "system-managed key"},
		{"no key on NVMe: a notebook volume is EBS all the same", Options{}, []model.Resource{notebook(nil, "ml.g4dn.xlarge")},
			"notebook-instance.cmk", nbARN, finding.Fail, ""},
		{"no key on an EBS hosting instance", Options{}, []model.Resource{endpointConfig("ml.t3.medium", nil)},
			"endpoint-config.cmk", "endpoint_configuration.ec", finding.Fail, "transient key"},
		{"no key on an NVMe hosting instance", Options{}, []model.Resource{endpointConfig("ml.g4dn.xlarge", nil)},
			"endpoint-config.cmk", "endpoint_configuration.ec", finding.NotApplicable, "local NVMe"},
		{"serverless variant", Options{}, []model.Resource{endpointConfig("", nil)},
			"endpoint-config.cmk", "endpoint_configuration.ec", finding.NotApplicable, "serverless"},
		{"external key", Options{}, []model.Resource{notebook(ptr(str(extARN, 23)), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Error, outsideConfig},
		{"external key approved", Options{ApprovedKeys: []string{extARN}}, []model.Resource{notebook(ptr(str(extARN, 23)), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Pass, ""},
		{"external key approved by ARN, written as its ID", Options{ApprovedKeys: []string{extARN}},
			[]model.Resource{notebook(ptr(str("1234abcd-12ab-34cd-56ef-1234567890ab", 23)), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Pass, ""},
		{"variable without a value", Options{}, []model.Resource{notebook(ptr(ref(model.RefVariable, "var.key_arn", "", 23)), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Error, outsideConfig},
		{"declared key not on the approved list", Options{ApprovedKeys: []string{extARN}}, []model.Resource{key("main", rotating()),
			notebook(keyRef, "ml.t3.medium")}, "notebook-instance.cmk", nbARN, finding.Fail, "approved key list"},
		{"condition: the worse arm, named", Options{}, []model.Resource{key("main", rotating()), notebook(ptr(model.Value{
			Kind: model.Unknown, Range: rng("main.tf", 23), Branches: []model.Branch{
				{Condition: "var.encrypt ? ... (true)", Value: ref(model.RefResource, "aws_kms_key.main", "arn", 23)},
				{Condition: "var.encrypt ? ... (false)", Value: str("alias/aws/sagemaker", 23)}}}), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Fail, "(when var.encrypt ? ... (false))"},
		{"condition: every arm a healthy key", Options{}, []model.Resource{key("main", rotating()), notebook(ptr(model.Value{
			Kind: model.Unknown, Range: rng("main.tf", 23), Branches: []model.Branch{
				{Condition: "UseCMK (true)", Value: ref(model.RefResource, "aws_kms_key.main", "arn", 23)},
				{Condition: "UseCMK (false)", Value: ref(model.RefResource, "aws_kms_key.main", "arn", 23)}}}), "ml.t3.medium")},
			"notebook-instance.cmk", nbARN, finding.Pass, ""},
		{"endpoint judged through its declared configuration", Options{}, []model.Resource{endpointConfig("ml.t3.medium", nil),
			tf("aws_sagemaker_endpoint", "ep", 60, map[string]model.Value{
				"endpoint_config_name": ref(model.RefResource, "aws_sagemaker_endpoint_configuration.ec", "name", 61)})},
			"endpoint.cmk", "aws_sagemaker_endpoint.ep", finding.Fail, "transient key"},
		{"endpoint of an undeclared configuration", Options{}, []model.Resource{tf("aws_sagemaker_endpoint", "ep", 60,
			map[string]model.Value{"endpoint_config_name": str("prod-config", 61)})},
			"endpoint.cmk", "aws_sagemaker_endpoint.ep", finding.Error, "prod-config"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fs := evaluate(t, c.opts, c.res...)
			f := findingOf(t, fs, c.check, c.subject)
			if f.Status != c.want || !strings.Contains(f.Message, c.contains) {
				t.Errorf("%s = %s %q, want %s containing %q", c.check, f.Status, f.Message, c.want, c.contains)
			}
		})
	}
}

// endpointConfig is an endpoint configuration with one variant: of the
// instance type, or serverless when it is "".
func endpointConfig(instanceType string, kmsKey *model.Value) model.Resource {
	variant := map[string]model.Value{"variant_name": str("v1", 42)}
	if instanceType != "" {
		variant["instance_type"] = str(instanceType, 43)
	} else {
		variant["serverless_config"] = list(obj(map[string]model.Value{"memory_size_in_mb": str("2048", 44)}))
	}
	attrs := map[string]model.Value{"name": str("ec", 41), "production_variants": list(obj(variant))}
	if kmsKey != nil {
		attrs["kms_key_arn"] = *kmsKey
	}
	return tf("aws_sagemaker_endpoint_configuration", "ec", 40, attrs)
}

// CloudFormation: Fn::If arms, aliases named literally, and key policies
// judged against the account when it is given.
func TestVerdictsCloudFormation(t *testing.T) {
	keyRes := func(props map[string]model.Value) model.Resource {
		props["EnableKeyRotation"] = model.Value{Kind: model.Bool, Str: "true"}
		return cfn("AWS::KMS::Key", "Key", 3, props)
	}
	getAtt := model.Value{Kind: model.Unknown, Why: "Fn::GetAtt Key.Arn is known after deploy", Range: rng("template.yaml", 24),
		Refs: []model.Ref{{Kind: model.RefResource, Address: "Key", Attr: "Arn"}}}
	nb := func(v model.Value) model.Resource {
		return cfn("AWS::SageMaker::NotebookInstance", "Notebook", 20, map[string]model.Value{"InstanceType": str("ml.t3.medium", 23), "KmsKeyId": v})
	}
	policy := obj(map[string]model.Value{"Statement": list(obj(map[string]model.Value{
		"Effect": str("Allow", 5), "Principal": obj(map[string]model.Value{"AWS": str("arn:aws:iam::111122223333:root", 5)}),
		"Action": str("kms:*", 5), "Resource": str("*", 5)}))})
	cases := []struct {
		name     string
		opts     Options
		res      []model.Resource
		check    string
		want     finding.Status
		contains string
	}{
		{"Fn::If with AWS::NoValue", Options{}, []model.Resource{keyRes(map[string]model.Value{}), nb(model.Value{Kind: model.Unknown,
			Range: rng("template.yaml", 24), Branches: []model.Branch{{Condition: "UseCMK (true)", Value: getAtt},
				{Condition: "UseCMK (false)", Value: model.Value{Kind: model.Null, Range: rng("template.yaml", 24)}}}})},
			"notebook-instance.cmk", finding.Fail, "(when UseCMK (false)): no key"},
		{"alias named literally", Options{}, []model.Resource{keyRes(map[string]model.Value{}),
			cfn("AWS::KMS::Alias", "Alias", 10, map[string]model.Value{"AliasName": str("alias/ml", 11),
				"TargetKeyId": {Kind: model.Unknown, Refs: []model.Ref{{Kind: model.RefResource, Address: "Key", Attr: "Ref"}}}}),
			nb(str("alias/ml", 24))}, "notebook-instance.cmk", finding.Pass, ""},
		{"policy naming accounts, account unknown", Options{}, []model.Resource{keyRes(map[string]model.Value{"KeyPolicy": policy}), nb(getAtt)},
			"kms-key.policy", finding.Error, "was not given"},
		{"policy naming its own account", Options{Account: "111122223333", Region: "us-east-1"},
			[]model.Resource{keyRes(map[string]model.Value{"KeyPolicy": policy}), nb(getAtt)}, "kms-key.policy", finding.Pass, ""},
		{"parameter without a value", Options{}, []model.Resource{nb(model.Value{Kind: model.Unknown, Why: "parameter KeyArn has no value",
			Refs: []model.Ref{{Kind: model.RefParameter, Address: "KeyArn"}}})}, "notebook-instance.cmk", finding.Error, outsideConfig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fs := evaluate(t, c.opts, c.res...)
			subject := "Notebook"
			if strings.HasPrefix(c.check, "kms-key.") {
				subject = "key/cloudformation/Key"
			}
			f := findingOf(t, fs, c.check, subject)
			if f.Status != c.want || !strings.Contains(f.Message, c.contains) {
				t.Errorf("%s = %s %q, want %s containing %q", c.check, f.Status, f.Message, c.want, c.contains)
			}
		})
	}
}

// An endpoint configuration's variants, core dumps and data capture are
// judged slot by slot.
func TestVerdictEndpointConfig(t *testing.T) {
	ec := endpointConfig("ml.m5.large", ptr(ref(model.RefResource, "aws_kms_key.main", "arn", 48)))
	pv := ec.Attrs["production_variants"].List[0].Object
	pv["core_dump_config"] = list(obj(map[string]model.Value{"destination_s3_uri": str("s3://dumps/", 45),
		"kms_key_id": ref(model.RefResource, "aws_kms_key.main", "arn", 46)}))
	ec.Attrs["data_capture_config"] = list(obj(map[string]model.Value{"destination_s3_uri": str("s3://capture/", 50),
		"enable_capture": boolean(true, 51), "kms_key_id": str("alias/aws/s3", 52)}))
	m, fs := evaluate(t, Options{}, key("main", rotating()), ec)
	f := findingOf(t, fs, "endpoint-config.cmk", "endpoint_configuration.ec")
	if f.Status != finding.Fail || !strings.Contains(f.Message, "1 of 3 key slots") || !strings.Contains(f.Message, "AWS-managed key alias/aws/s3") {
		t.Errorf("endpoint-config.cmk = %s %q", f.Status, f.Message)
	}
	loc := m.Locations["iac:terraform:aws_sagemaker_endpoint_configuration.ec"]
	if loc.Slots["data-capture"].StartLine != 52 || loc.Slots["core-dump:v1"].StartLine != 46 || loc.Slots["volume"].StartLine != 48 {
		t.Errorf("slot locations = %+v", loc.Slots)
	}
}
