package iampolicy

import (
	"reflect"
	"strings"
	"testing"
)

func sample() Document {
	c := Conditions{}
	c.Add("Null", "sagemaker:VolumeKmsKeyArn", "true")
	c.Add("ForAllValues:StringNotLike", "sagemaker:InstanceTypes", "ml.g5.*", "ml.p4d.*")
	return Document{Version: Version, Statement: []Statement{{
		Sid: "RequireVolumeKey", Effect: Deny, Action: Strings{"sagemaker:CreateTrainingJob"},
		Resource: Strings{"*"}, Condition: c,
	}}}
}

func TestMinifyIsDeterministicAndCompact(t *testing.T) {
	t.Parallel()
	got, err := Minify(sample())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"RequireVolumeKey","Effect":"Deny",` +
		`"Action":"sagemaker:CreateTrainingJob","Resource":"*","Condition":{"ForAllValues:StringNotLike":` +
		`{"sagemaker:InstanceTypes":["ml.g5.*","ml.p4d.*"]},"Null":{"sagemaker:VolumeKmsKeyArn":"true"}}}]}`
	if string(got) != want {
		t.Errorf("Minify =\n%s\nwant\n%s", got, want)
	}
	pretty, err := JSON(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pretty), "\n  \"Statement\": [") || !strings.HasSuffix(string(pretty), "}\n") {
		t.Errorf("JSON is not indented:\n%s", pretty)
	}
}

func TestParseRoundTripsAndTolerates(t *testing.T) {
	t.Parallel()
	b, _ := Minify(sample())
	d, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, sample()) {
		t.Errorf("round trip changed the document:\n%+v\n%+v", d, sample())
	}

	// A KMS default key policy as AWS writes it: one statement object,
	// string principal values, a boolean condition value.
	src := `{"Version":"2012-10-17","Id":"key-default-1","Statement":{"Sid":"Enable IAM User Permissions",
		"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*",
		"Condition":{"Bool":{"kms:GrantIsForAWSResource":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}}`
	d, err = Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st := d.Statement[0]
	if d.ID != "key-default-1" || st.Principal["AWS"][0] != "arn:aws:iam::111122223333:root" ||
		st.Condition["Bool"]["kms:GrantIsForAWSResource"][0] != "true" ||
		st.Condition["NumericLessThan"]["aws:MultiFactorAuthAge"][0] != "3600" {
		t.Errorf("Parse = %+v", d)
	}
	if err := Validate(d, Resource); err != nil {
		t.Errorf("AWS's default key policy should validate as a resource policy: %v", err)
	}

	d, err = Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["kms:Decrypt"],"Resource":"*"}]}`))
	if err != nil || !reflect.DeepEqual(d.Statement[0].Principal, AnyPrincipal()) {
		t.Errorf("Parse(\"*\" principal) = %+v, %v", d, err)
	}
	if b, _ := Minify(d); !strings.Contains(string(b), `"Principal":"*"`) {
		t.Errorf("\"*\" principal not written back as \"*\": %s", b)
	}
	for _, bad := range []string{`{"Statement":[{"Principal":"someone"}]}`, `not json`, `{"Statement":[{"Action":{"a":1}}]}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s) succeeded", bad)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	if err := Validate(sample(), ServiceControl); err != nil {
		t.Fatalf("valid SCP rejected: %v", err)
	}
	mutate := map[string]func(d *Document){
		"version":            func(d *Document) { d.Version = "2008-10-17" },
		"no statements":      func(d *Document) { d.Statement = nil },
		"sid characters":     func(d *Document) { d.Statement[0].Sid = "Require-Key" },
		"duplicate sid":      func(d *Document) { d.Statement = append(d.Statement, d.Statement[0]) },
		"effect":             func(d *Document) { d.Statement[0].Effect = "deny" },
		"action form":        func(d *Document) { d.Statement[0].Action = Strings{"CreateTrainingJob"} },
		"no action":          func(d *Document) { d.Statement[0].Action = nil },
		"no resource":        func(d *Document) { d.Statement[0].Resource = nil },
		"unknown operator":   func(d *Document) { d.Statement[0].Condition.Add("ArnNotMatch", "k", "v") },
		"null ifexists":      func(d *Document) { d.Statement[0].Condition.Add("NullIfExists", "k", "true") },
		"empty value":        func(d *Document) { d.Statement[0].Condition.Add("StringEquals", "k", "") },
		"no values":          func(d *Document) { d.Statement[0].Condition.Add("StringEquals", "k") },
		"principal":          func(d *Document) { d.Statement[0].Principal = Principal{"AWS": {"arn:aws:iam::1:root"}} },
		"action and not":     func(d *Document) { d.Statement[0].NotAction = Strings{"s3:*"} },
		"empty action value": func(d *Document) { d.Statement[0].Action = Strings{""} },
	}
	for name, m := range mutate {
		d := sample()
		m(&d)
		if err := Validate(d, ServiceControl); err == nil {
			t.Errorf("%s: Validate accepted an invalid document", name)
		}
	}
	d := sample()
	if err := Validate(d, Resource); err == nil || !strings.Contains(err.Error(), "needs a Principal") {
		t.Errorf("resource policy without Principal: %v", err)
	}
	for _, op := range []string{"ArnNotLikeIfExists", "ForAllValues:StringNotLike", "ForAnyValue:StringLikeIfExists", "Null", "Bool"} {
		if !KnownOperator(op) {
			t.Errorf("KnownOperator(%q) = false", op)
		}
	}
}

func TestPrincipalHelpers(t *testing.T) {
	t.Parallel()
	p := Principal{"Service": {"sagemaker.amazonaws.com"}, "AWS": {"arn:aws:iam::222222222222:role/r", "111111111111"}}
	if got := p.AWSValues(); !reflect.DeepEqual(got, []string{"111111111111", "arn:aws:iam::222222222222:role/r"}) {
		t.Errorf("AWSValues = %v", got)
	}
	if got := AnyPrincipal().AWSValues(); !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("AnyPrincipal().AWSValues() = %v", got)
	}
	for in, want := range map[string]string{"111111111111": "111111111111", "arn:aws:iam::222222222222:root": "222222222222",
		"sagemaker.amazonaws.com": "", "*": "", "12345": ""} {
		if got := PrincipalAccount(in); got != want {
			t.Errorf("PrincipalAccount(%q) = %q, want %q", in, got, want)
		}
	}
}
