package keyaccess

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/keys"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	const (
		roleA = "arn:aws:iam::111122223333:role/train"
		roleB = "arn:aws:iam::111122223333:role/infer"
		roleC = "arn:aws:iam::111122223333:role/notebook"
		admin = "arn:aws:iam::111122223333:role/KeyAdmin"
		ops   = "arn:aws:iam::111122223333:role/ops"
		slr   = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
	)
	policy := kp(
		enableIAM,
		// Administrators: AWS's usual admin actions, whose kms:Create*
		// covers kms:CreateGrant, so an admin is a user too.
		`{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"`+admin+`"},"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"}`,
		// Three workload roles, through SageMaker only.
		`{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["`+roleA+`","`+roleB+`","`+roleC+`"]},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"sagemaker.us-east-1.amazonaws.com","kms:CallerAccount":"111122223333"}}}`,
		`{"Sid":"Grants","Effect":"Allow","Principal":{"AWS":["`+roleA+`","`+roleB+`","`+roleC+`"]},"Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}`,
		// An operator who both administers and uses the key.
		`{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"`+ops+`"},"Action":["kms:Decrypt","kms:DisableKey"],"Resource":"*"}`,
		`{"Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":["kms:Encrypt*","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Resource":"*"}`,
		// A Resource naming another key reaches no one here.
		`{"Sid":"Elsewhere","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/stray"},"Action":"kms:Decrypt","Resource":"`+otherKey+`"}`,
		// Deny statements are not subtracted.
		`{"Sid":"NoDelete","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}`,
	)
	grants := []keys.Grant{
		{ID: "g1", Grantee: roleA, Operations: []string{"Decrypt", "Encrypt", "RetireGrant"}},
		{ID: "g2", Grantee: "sagemaker.amazonaws.com", Operations: []string{"Decrypt", "GenerateDataKey"}},
		{ID: "g3", Grantee: slr, Operations: []string{"Decrypt", "CreateGrant"}},
		{ID: "g4", Grantee: "arn:aws:iam::444455556666:role/partner", Operations: []string{"Decrypt"}, Constrained: true},
		{ID: "g5", Grantee: roleC, Operations: []string{"DescribeKey"}}, // no usage action
	}
	got, err := Users(policy, grants, keyARN)
	if err != nil {
		t.Fatal(err)
	}
	useVia := "key policy statement Use (if kms:CallerAccount, kms:ViaService)"
	grantVia := "key policy statement Grants (if kms:GrantIsForAWSResource)"
	want := []KeyUser{
		{Principal: admin, Actions: []string{"kms:CreateGrant"}, Sources: []string{"key policy statement Admins"}, Admin: true},
		{Principal: "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
			Actions: []string{"kms:CreateGrant", "kms:Decrypt"}, Sources: []string{"grant g3"}, Service: true},
		{Principal: "arn:aws:iam::111122223333:role/infer", Actions: []string{"kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey",
			"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext"}, Sources: []string{grantVia, useVia}},
		{Principal: "arn:aws:iam::111122223333:role/notebook", Actions: []string{"kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey",
			"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext"}, Sources: []string{grantVia, useVia}},
		{Principal: "arn:aws:iam::111122223333:role/ops", Actions: []string{"kms:Decrypt"}, Sources: []string{"key policy statement Ops"}, Admin: true},
		{Principal: "arn:aws:iam::111122223333:role/train", Actions: []string{"kms:CreateGrant", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
			"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext"}, Sources: []string{"grant g1", grantVia, useVia}},
		{Principal: rootARN, Actions: UsageActions(), Sources: []string{"key policy statement EnableIAM"}, Root: true, Admin: true},
		{Principal: "arn:aws:iam::444455556666:role/partner", Actions: []string{"kms:Decrypt"}, Sources: []string{"grant g4 (encryption-context constraint)"}},
		{Principal: "logs.us-east-1.amazonaws.com", Actions: []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair",
			"kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
			Sources: []string{"key policy statement #6"}, Service: true},
		{Principal: "sagemaker.amazonaws.com", Actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Sources: []string{"grant g2"}, Service: true},
	}
	// UsageActions is not sorted; the root's list is.
	want[6].Actions = sortedCopy(UsageActions())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Users =\n%s\nwant\n%s", dump(got), dump(want))
	}
}

func TestUsersPrincipalForms(t *testing.T) {
	t.Parallel()
	policy := kp(
		`{"Sid":"Acct","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"Foreign","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*"}`,
		`{"Sid":"Any","Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}`,
		`{"Sid":"NotP","Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/x"},"Action":"kms:Decrypt","Resource":"*"}`,
		`{"Sid":"NotAct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/y"},"NotAction":"kms:Decrypt","Resource":"*"}`,
	)
	got, err := Users(policy, nil, keyARN)
	if err != nil {
		t.Fatal(err)
	}
	byP := map[string]KeyUser{}
	for _, u := range got {
		byP[u.Principal] = u
	}
	if u := byP["111122223333"]; !u.Root || !u.Admin || len(u.Actions) != len(UsageActions()) {
		t.Errorf("account ID: %+v", u)
	}
	if u := byP["arn:aws:iam::444455556666:root"]; u.Root || u.Admin || !reflect.DeepEqual(u.Actions, []string{"kms:Decrypt"}) {
		t.Errorf("another account's root is not the key's root: %+v", u)
	}
	if u := byP["*"]; !reflect.DeepEqual(u.Actions, []string{"kms:Decrypt", "kms:Encrypt"}) ||
		!reflect.DeepEqual(u.Sources, []string{"key policy statement Any", "key policy statement NotP (NotPrincipal)"}) {
		t.Errorf("everyone: %+v", u)
	}
	if u := byP["arn:aws:iam::111122223333:role/y"]; containsFold(u.Actions, "kms:Decrypt") || !u.Admin || len(u.Actions) != len(UsageActions())-1 {
		t.Errorf("NotAction: %+v", u)
	}
	if _, err := Users("not json", nil, keyARN); err == nil {
		t.Error("Users accepted an unparsable policy")
	}
	if got, err := Users(kp(serviceOnly), nil, ""); err != nil || len(got) != 1 || !got[0].Service {
		t.Errorf("without a key ARN: %+v, %v", got, err)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func dump(us []KeyUser) string {
	var b strings.Builder
	for _, u := range us {
		b.WriteString("  " + u.Principal + " " + strings.Join(u.Actions, ",") + " [" + strings.Join(u.Sources, "; ") + "]")
		if u.Service {
			b.WriteString(" service")
		}
		if u.Root {
			b.WriteString(" root")
		}
		if u.Admin {
			b.WriteString(" admin")
		}
		b.WriteString("\n")
	}
	return b.String()
}
