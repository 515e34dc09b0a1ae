package iampolicy

import "testing"

func testContext() *Context {
	ctx := NewContext()
	ctx.Set("kms:ViaService", "sagemaker.us-east-1.amazonaws.com")
	ctx.Set("kms:CallerAccount", "111122223333")
	ctx.Set("aws:PrincipalArn", "arn:aws:iam::111122223333:role/service-role/sm-exec")
	ctx.Set("kms:GrantIsForAWSResource", "true")
	ctx.Set("aws:SourceIp", "10.1.2.3")
	ctx.Set("aws:MultiFactorAuthAge", "300")
	ctx.Set("aws:CurrentTime", "2025-06-01T12:00:00Z")
	ctx.Set("kms:GrantOperations", "Decrypt", "GenerateDataKey")
	ctx.Set("aws:username") // known absent
	ctx.KnowPrefix("aws:PrincipalTag/")
	ctx.Set("aws:PrincipalTag/team", "ml")
	return ctx
}

func TestEvalCondition(t *testing.T) {
	t.Parallel()
	ctx := testContext()
	for _, c := range []struct {
		op, key string
		values  []string
		want    Truth
		dep     string
	}{
		// Strings.
		{"StringEquals", "kms:ViaService", []string{"sagemaker.us-east-1.amazonaws.com"}, True, ""},
		{"StringEquals", "KMS:VIASERVICE", []string{"sagemaker.us-east-1.amazonaws.com"}, True, ""}, // keys are case-insensitive
		{"StringEquals", "kms:ViaService", []string{"sagemaker.eu-west-1.amazonaws.com"}, False, ""},
		{"StringEquals", "kms:ViaService", []string{"s3.us-east-1.amazonaws.com", "sagemaker.us-east-1.amazonaws.com"}, True, ""}, // values ORed
		{"StringEquals", "kms:ViaService", []string{"SageMaker.us-east-1.amazonaws.com"}, False, ""},
		{"StringEqualsIgnoreCase", "kms:ViaService", []string{"SageMaker.US-EAST-1.amazonaws.com"}, True, ""},
		{"StringNotEquals", "kms:ViaService", []string{"s3.us-east-1.amazonaws.com"}, True, ""},
		{"StringNotEquals", "kms:ViaService", []string{"s3.us-east-1.amazonaws.com", "sagemaker.us-east-1.amazonaws.com"}, False, ""},
		{"StringNotEqualsIgnoreCase", "kms:ViaService", []string{"SAGEMAKER.us-east-1.amazonaws.com"}, False, ""},
		{"StringLike", "kms:ViaService", []string{"sagemaker.*.amazonaws.com"}, True, ""},
		{"StringLike", "kms:ViaService", []string{"s3.*"}, False, ""},
		{"StringNotLike", "kms:ViaService", []string{"s3.*"}, True, ""},
		{"StringLike", "aws:PrincipalTag/Team", []string{"m?"}, True, ""}, // tag keys too
		// Absent keys: positive false, negated true, IfExists true.
		{"StringEquals", "aws:username", []string{"bob"}, False, ""},
		{"StringNotEquals", "aws:username", []string{"bob"}, True, ""},
		{"StringNotLike", "aws:username", []string{"b*"}, True, ""},
		{"ArnNotLike", "aws:username", []string{"arn:*"}, True, ""},
		{"StringEqualsIfExists", "aws:username", []string{"bob"}, True, ""},
		{"StringEqualsIfExists", "kms:ViaService", []string{"s3.us-east-1.amazonaws.com"}, False, ""},
		{"StringEquals", "aws:PrincipalTag/cost-center", []string{"1"}, False, ""}, // a known prefix: absent
		{"Bool", "aws:username", []string{"true"}, False, ""},
		// ARNs.
		{"ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/service-role/*"}, True, ""},
		{"ArnEquals", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/service-role/sm-exec"}, True, ""},
		{"ArnNotEquals", "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/service-role/sm-exec"}, False, ""},
		{"ArnNotLike", "aws:PrincipalArn", []string{"arn:aws:iam::444455556666:*"}, True, ""},
		{"ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/SERVICE-ROLE/*"}, False, ""},
		// Bool and Null.
		{"Bool", "kms:GrantIsForAWSResource", []string{"true"}, True, ""},
		{"Bool", "kms:GrantIsForAWSResource", []string{"false"}, False, ""},
		{"Null", "aws:username", []string{"true"}, True, ""},
		{"Null", "aws:username", []string{"false"}, False, ""},
		{"Null", "kms:ViaService", []string{"false"}, True, ""},
		{"Null", "kms:EncryptionContextKeys", []string{"true"}, Unknown, "kms:EncryptionContextKeys"},
		// Set operators over a multivalued key.
		{"ForAnyValue:StringEquals", "kms:GrantOperations", []string{"Decrypt"}, True, ""},
		{"ForAllValues:StringEquals", "kms:GrantOperations", []string{"Decrypt"}, False, ""},
		{"ForAllValues:StringEquals", "kms:GrantOperations", []string{"Decrypt", "GenerateDataKey", "Encrypt"}, True, ""},
		{"ForAnyValue:StringNotEquals", "kms:GrantOperations", []string{"Decrypt"}, True, ""},
		{"ForAllValues:StringNotLike", "kms:GrantOperations", []string{"Generate*"}, False, ""},
		{"ForAnyValue:StringEquals", "aws:username", []string{"x"}, False, ""}, // empty set
		{"ForAllValues:StringEquals", "aws:username", []string{"x"}, True, ""}, // vacuously
		{"ForAnyValue:StringEqualsIfExists", "aws:username", []string{"x"}, True, ""},
		{"StringNotEquals", "kms:GrantOperations", []string{"Encrypt"}, True, ""},
		{"StringNotEquals", "kms:GrantOperations", []string{"Decrypt"}, False, ""},
		// Numbers, dates, addresses on known keys.
		{"NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600"}, True, ""},
		{"NumericGreaterThanEquals", "aws:MultiFactorAuthAge", []string{"3600"}, False, ""},
		{"NumericNotEquals", "aws:MultiFactorAuthAge", []string{"300"}, False, ""},
		{"NumericEquals", "aws:MultiFactorAuthAge", []string{"ten"}, Unknown, "aws:MultiFactorAuthAge"},
		{"DateLessThan", "aws:CurrentTime", []string{"2026-01-01"}, True, ""},
		{"DateGreaterThan", "aws:CurrentTime", []string{"1767225600"}, False, ""},
		{"IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, True, ""},
		{"NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, False, ""},
		// Policy variables.
		{"StringEquals", "kms:CallerAccount", []string{"${aws:PrincipalTag/account, '111122223333'}"}, True, ""},
		{"ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::${kms:CallerAccount}:role/*"}, True, ""},
		{"StringEquals", "kms:CallerAccount", []string{"${aws:PrincipalOrgID}"}, Unknown, "${aws:PrincipalOrgID}"},
		{"StringLike", "aws:PrincipalTag/team", []string{"${*}"}, False, ""}, // a literal asterisk
		{"StringEquals", "kms:CallerAccount", []string{"${aws:username}"}, False, ""},
		// What sagekey cannot know.
		{"StringEquals", "kms:EncryptionContext:aws:s3:arn", []string{"arn:aws:s3:::b"}, Unknown, "kms:EncryptionContext:aws:s3:arn"},
		{"StringNotEquals", "aws:PrincipalOrgID", []string{"o-1"}, Unknown, "aws:PrincipalOrgID"},
		{"StringEqualsIfExists", "aws:SourceVpce", []string{"vpce-1"}, Unknown, "aws:SourceVpce"},
		{"ArnMatches", "aws:PrincipalArn", []string{"x"}, Unknown, "condition operator ArnMatches"},
		{"ForSomeValues:StringEquals", "kms:ViaService", []string{"x"}, Unknown, "condition operator ForSomeValues:StringEquals"},
		{"NullIfExists", "kms:ViaService", []string{"true"}, Unknown, "condition operator NullIfExists"},
	} {
		got := EvalCondition(c.op, c.key, c.values, ctx)
		if got.Truth != c.want || got.DependsOn != c.dep {
			t.Errorf("%s %s %v = %+v, want %v depending on %q", c.op, c.key, c.values, got, c.want, c.dep)
		}
	}
}

func TestEvalConditions(t *testing.T) {
	t.Parallel()
	ctx := testContext()
	c := Conditions{}
	c.Add("StringEquals", "kms:CallerAccount", "111122223333")
	c.Add("StringLike", "kms:ViaService", "sagemaker.*")
	if got := EvalConditions(c, ctx); got.Truth != True {
		t.Errorf("all true = %+v", got)
	}
	if got := EvalConditions(nil, ctx); got.Truth != True {
		t.Errorf("no conditions = %+v", got)
	}
	c.Add("StringEquals", "kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::b")
	if got := EvalConditions(c, ctx); got.Truth != Unknown || got.DependsOn != "kms:EncryptionContext:aws:s3:arn" {
		t.Errorf("one unknown = %+v", got)
	}
	// A false condition decides the AND whatever the unknown one would say.
	c.Add("Bool", "kms:GrantIsForAWSResource", "false")
	if got := EvalConditions(c, ctx); got.Truth != False {
		t.Errorf("unknown and false = %+v", got)
	}
}

func TestAnd(t *testing.T) {
	t.Parallel()
	u1, u2 := unknownOn("a"), unknownOn("b")
	if got := And(yes, u1, u2); got != u1 {
		t.Errorf("And(true, a?, b?) = %+v", got)
	}
	if got := And(u1, no); got != no {
		t.Errorf("And(a?, false) = %+v", got)
	}
	if Unknown.String() != "unknown" || True.String() != "true" || False.String() != "false" {
		t.Error("Truth strings")
	}
	if got := And(); got != yes {
		t.Errorf("And() = %+v", got)
	}
}
