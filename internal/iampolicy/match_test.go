package iampolicy

import "testing"

func TestMatchAction(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pattern, action string
		want            bool
	}{
		{"kms:Decrypt", "kms:Decrypt", true},
		{"KMS:decrypt", "kms:Decrypt", true}, // actions are case-insensitive
		{"kms:Generate*", "kms:GenerateDataKeyWithoutPlaintext", true},
		{"kms:Generate*", "kms:Decrypt", false},
		{"kms:*", "kms:CreateGrant", true},
		{"*", "kms:Decrypt", true},
		{"kms:ReEncrypt*", "kms:ReEncryptFrom", true},
		{"kms:?ecrypt", "kms:Decrypt", true},
		{"kms:?ecrypt", "kms:Encrypt", false},
		{"s3:*", "kms:Decrypt", false},
		{"kms:Decrypt", "kms:DecryptX", false},
		{"kms:*Key*", "kms:GenerateDataKeyPair", true},
	} {
		if got := MatchAction(c.pattern, c.action); got != c.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", c.pattern, c.action, got, c.want)
		}
	}
}

func TestMatchResourceAndARN(t *testing.T) {
	t.Parallel()
	key := "arn:aws:kms:us-east-1:111122223333:key/1234abcd"
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{"*", true},
		{key, true},
		{"arn:aws:kms:*:111122223333:key/*", true},
		{"arn:aws:kms:us-east-1:111122223333:key/1234ABCD", false}, // ARNs are case-sensitive
		{"arn:aws:kms:eu-west-1:111122223333:key/*", false},
		{"arn:aws:kms:*", true}, // a wildcard crosses segments in Resource
		{"arn:aws:kms:us-east-1:111122223333:alias/*", false},
	} {
		if got := MatchResource(c.pattern, key); got != c.want {
			t.Errorf("MatchResource(%q) = %v, want %v", c.pattern, got, c.want)
		}
	}
	role := "arn:aws:iam::111122223333:role/service-role/sm-exec"
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{"arn:aws:iam::111122223333:role/*", true},
		{"arn:aws:iam::*:role/service-role/sm-*", true},
		{"arn:aws:iam::111122223333:*", true},
		{"arn:aws:iam:*:role/*", false}, // a wildcard stays in its component
		{"arn:aws:iam::111122223333:role/Service-Role/*", false},
		{"*", true},
	} {
		if got := MatchARN(c.pattern, role); got != c.want {
			t.Errorf("MatchARN(%q) = %v, want %v", c.pattern, got, c.want)
		}
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"*a", "banana", true},
		{"?", "é", true}, // one character, not one byte
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\\b`, `a\b`, true},
	} {
		if got := glob(c.pattern, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestStatementApplies(t *testing.T) {
	t.Parallel()
	key := "arn:aws:kms:us-east-1:111122223333:key/k1"
	ctx := NewContext()
	ctx.Set("aws:PrincipalAccount", "111122223333")
	ctx.Set("kms:ViaService", "sagemaker.us-east-1.amazonaws.com")
	viaS3 := Conditions{}
	viaS3.Add("StringEquals", "kms:ViaService", "s3.us-east-1.amazonaws.com")
	viaSM := Conditions{}
	viaSM.Add("StringLike", "kms:ViaService", "sagemaker.*.amazonaws.com")
	ec := Conditions{}
	ec.Add("StringEquals", "kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::b")
	for _, c := range []struct {
		name   string
		st     Statement
		action string
		want   Truth
		dep    string
	}{
		{"action", Statement{Action: Strings{"kms:Decrypt"}, Resource: Strings{"*"}}, "kms:Decrypt", True, ""},
		{"other action", Statement{Action: Strings{"kms:Encrypt"}, Resource: Strings{"*"}}, "kms:Decrypt", False, ""},
		{"not action", Statement{NotAction: Strings{"kms:Encrypt"}, Resource: Strings{"*"}}, "kms:Decrypt", True, ""},
		{"not action excludes", Statement{NotAction: Strings{"kms:Decrypt"}, Resource: Strings{"*"}}, "kms:Decrypt", False, ""},
		{"no action element", Statement{Resource: Strings{"*"}}, "kms:Decrypt", False, ""},
		{"resource", Statement{Action: Strings{"kms:*"}, Resource: Strings{"arn:aws:kms:*:111122223333:key/*"}}, "kms:Decrypt", True, ""},
		{"other resource", Statement{Action: Strings{"kms:*"}, Resource: Strings{"arn:aws:kms:*:444455556666:key/*"}}, "kms:Decrypt", False, ""},
		{"not resource", Statement{Action: Strings{"kms:*"}, NotResource: Strings{key}}, "kms:Decrypt", False, ""},
		{"resource variable", Statement{Action: Strings{"kms:*"}, Resource: Strings{"arn:aws:kms:*:${aws:PrincipalAccount}:key/*"}}, "kms:Decrypt", True, ""},
		{"resource unknown variable", Statement{Action: Strings{"kms:*"}, Resource: Strings{"arn:aws:kms:*:${aws:username}:key/*"}}, "kms:Decrypt", Unknown, "${aws:username}"},
		{"condition false", Statement{Action: Strings{"kms:*"}, Resource: Strings{"*"}, Condition: viaS3}, "kms:Decrypt", False, ""},
		{"condition true", Statement{Action: Strings{"kms:*"}, Resource: Strings{"*"}, Condition: viaSM}, "kms:Decrypt", True, ""},
		{"condition unknown", Statement{Action: Strings{"kms:*"}, Resource: Strings{"*"}, Condition: ec}, "kms:Decrypt", Unknown, "kms:EncryptionContext:aws:s3:arn"},
		{"unknown but other action", Statement{Action: Strings{"kms:Encrypt"}, Resource: Strings{"*"}, Condition: ec}, "kms:Decrypt", False, ""},
	} {
		got := c.st.Applies(c.action, key, ctx)
		if got.Truth != c.want || got.DependsOn != c.dep {
			t.Errorf("%s: Applies = %+v, want %v depending on %q", c.name, got, c.want, c.dep)
		}
	}
	both := Statement{Condition: Conditions{}}
	both.Condition.Add("StringEquals", "b", "1")
	both.Condition.Add("Bool", "a", "true")
	if got := both.ConditionKeys(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("ConditionKeys = %v", got)
	}
}
