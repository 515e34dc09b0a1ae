package cloudformation

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// readTemplate reads one template written to t.dir/t.yaml.
func readTemplate(t *testing.T, body string, params map[string]string) (*model.Config, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "t.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Read(context.Background(), []string{p}, Options{Parameters: params})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, p
}

const intrinsics = `AWSTemplateFormatVersion: "2010-09-09"
Transform: [AWS::Serverless-2016-10-31, MyMacro]
Parameters:
  Name: {Type: String, Default: key1}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  FromSSM: {Type: "AWS::SSM::Parameter::Value<String>", Default: /ml/key}
Mappings:
  M: {a: {b: alias/mapped}}
Resources:
  Fn::ForEach::Loop: [X, [a, b], {}]
  D:
    Type: AWS::SageMaker::Domain
    Properties:
      Literal: !Sub "${!Literal}-${Name}"
      Base: !Base64 abc
      AZ: !Select [0, !GetAZs ""]
      Out: !Select [5, [a, b]]
      Eq: !Equals [x, x]
      NotOr: !Not [!Or [!Equals [a, b], !Equals [!Ref AWS::Region, us-east-1]]]
      Map: !FindInMap [M, a, b]
      NoValue: !Ref AWS::NoValue
      Import: !ImportValue {"Fn::Sub": "${AWS::StackName}-key"}
      Subnets: !Ref Subnets
      SSM: !Ref FromSSM
      Missing: !Ref Nope
      Att: !GetAtt [Nope, Arn]
      Unsupported: !Cidr [10.0.0.0/16, 2, 8]
      Anchored: &anchor {KmsKeyId: alias/anchored}
      Aliased: *anchor
    Metadata:
      sagekey:
        ignore:
          - not-a-mapping
          - {check: d.cmk, reason: r, expires: "2027-01-31", by: me}
          - {reason: no check}
  E:
    Type: AWS::SageMaker::Domain
    Metadata: {sagekey: {ignore: d.cmk}}
`

func TestIntrinsics(t *testing.T) {
	cfg, path := readTemplate(t, intrinsics, map[string]string{"Subnets": "subnet-1,subnet-2"})
	d := find(t, cfg, "t/D")
	str := func(attr, want string) {
		t.Helper()
		if v := one(t, d, attr); v.Kind != model.String || v.Str != want {
			t.Errorf("%s = %+v, want %q", attr, v, want)
		}
	}
	str("Literal", "${Literal}-key1")
	str("Base", "YWJj")
	str("Map", "alias/mapped")
	if v := one(t, d, "Eq"); v.Kind != model.Bool || v.Str != "true" {
		t.Errorf("Eq = %+v", v)
	}
	for _, attr := range []string{"AZ", "Out", "NotOr", "SSM", "Missing", "Att", "Unsupported"} {
		if v := one(t, d, attr); v.Kind != model.Unknown {
			t.Errorf("%s = %+v, want unknown", attr, v)
		}
	}
	if v := one(t, d, "NoValue"); v.Kind != model.Null {
		t.Errorf("NoValue = %+v", v)
	}
	wantRef(t, one(t, d, "Import"), model.RefImport, "(computed)", "")
	wantRef(t, one(t, d, "SSM"), model.RefParameter, "FromSSM", "")
	if v := d.Attrs["Subnets"]; v.Kind != model.List || len(v.List) != 2 || v.List[1].Str != "subnet-2" {
		t.Errorf("list parameter override = %+v", v)
	}
	if v := one(t, d, "Aliased", "KmsKeyId"); v.Str != "alias/anchored" {
		t.Errorf("YAML alias = %+v", v)
	}

	if len(d.Ignores) != 3 || !strings.Contains(d.Ignores[0].Problem, "must be a mapping") ||
		d.Ignores[1].Check != "d.cmk" || d.Ignores[1].Problem != "unknown key by" ||
		d.Ignores[2].Problem != "check is missing" {
		t.Errorf("ignores = %+v", d.Ignores)
	}
	if e := find(t, cfg, "t/E"); len(e.Ignores) != 1 || !strings.Contains(e.Ignores[0].Problem, "must be a list") {
		t.Errorf("ignore not a list = %+v", e.Ignores)
	}

	wantGap(t, cfg, path, 2, "Transform MyMacro may change the template")
	wantGap(t, cfg, path, 10, "Fn::ForEach is not expanded")
	wantGap(t, cfg, path, 17, "index 5 is outside the list")
	wantGap(t, cfg, path, 25, "Ref Nope: no parameter or resource")
	wantGap(t, cfg, path, 26, "Fn::GetAtt Nope.Arn: no resource Nope")
}

func TestNestedParameters(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("parent.yaml", `Parameters:
  Key: {Type: String}
Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child.yaml
      Parameters: {Passed: !Ref Key}
  Missing:
    Type: AWS::SageMaker::ModelCard
    Properties:
      KmsKeyId: !GetAtt Child.Outputs.Nope
`)
	write("child.yaml", `Parameters:
  Passed: {Type: String}
  Unbound: {Type: String}
Resources:
  Card:
    Type: AWS::SageMaker::ModelCard
    Properties:
      A: !Ref Passed
      B: !Ref Unbound
Outputs: {}
`)
	cfg, err := Read(context.Background(), []string{dir}, Options{Parameters: map[string]string{"Key": "alias/k", "Unbound": "ignored"}})
	if err != nil {
		t.Fatal(err)
	}
	card := find(t, cfg, "parent/Child/Card")
	if v := one(t, card, "A"); v.Str != "alias/k" || v.Range.File != filepath.Join(dir, "child.yaml") {
		t.Errorf("bound parameter = %+v", v)
	}
	// --parameter binds root stacks only; a nested stack's comes from its parent.
	wantRef(t, one(t, card, "B"), model.RefParameter, "parent/Child/Unbound", "")
	wantGap(t, cfg, filepath.Join(dir, "parent.yaml"), 12, "the nested stack has no output Nope")
	if len(cfg.Resources) != 2 {
		t.Errorf("child read again as a root: %+v", cfg.Resources)
	}
}
