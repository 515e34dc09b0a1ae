package iam_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagekey/sagekey/internal/collect/iam"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// motoAccount is the account moto reports for its default credentials.
const motoAccount = "123456789012"

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// A document with characters URL encoding changes (spaces, "+", "/", ":").
const inlineDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"Use key","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],` +
	`"Resource":"arn:aws:kms:us-east-1:123456789012:key/1234","Condition":{"StringEquals":{"aws:PrincipalTag/team":"a+b c"}}}]}`

const managedDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

const boundaryDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:*","s3:*"],"Resource":"*"}]}`

// TestReadAgainstMoto creates roles, inline and managed policies and a
// permissions boundary in moto through the SDK, then reads them back: the
// request serialization, moto's response shape and the URL decoding are
// exercised together.
func TestReadAgainstMoto(t *testing.T) {
	t.Parallel()
	srv := mototest.ForTest(t)
	ctx := context.Background()
	api := awsiam.NewFromConfig(mototest.Config(t, srv, "us-east-1"))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	policy := func(name, doc string) string {
		t.Helper()
		out, err := api.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
		must("CreatePolicy "+name, err)
		return aws.ToString(out.Policy.Arn)
	}
	boundaryARN := policy("ml-boundary", boundaryDoc)
	managedARN := policy("ml-read", managedDoc)
	policy("unrelated", managedDoc)

	exec, err := api.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName: aws.String("ml-exec"), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(trust),
		PermissionsBoundary: aws.String(boundaryARN),
		Tags:                []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	})
	must("CreateRole ml-exec", err)
	_, err = api.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("ml-exec"), PolicyName: aws.String("kms-use"), PolicyDocument: aws.String(inlineDoc)})
	must("PutRolePolicy", err)
	_, err = api.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("ml-exec"), PolicyArn: aws.String(managedARN)})
	must("AttachRolePolicy", err)

	plain, err := api.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: aws.String(trust)})
	must("CreateRole plain", err)
	_, err = api.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("not-asked"), AssumeRolePolicyDocument: aws.String(trust)})
	must("CreateRole not-asked", err)

	execARN := aws.ToString(exec.Role.Arn)
	if execARN != "arn:aws:iam::"+motoAccount+":role/service-role/ml-exec" {
		t.Fatalf("moto role ARN %s", execARN)
	}
	got := iam.Read(ctx, api, motoAccount, []string{
		// ml-exec named without its path, as an ARN built from the name is.
		"arn:aws:iam::" + motoAccount + ":role/ml-exec",
		aws.ToString(plain.Role.Arn),
		"arn:aws:iam::" + motoAccount + ":role/missing",
		"arn:aws:iam::999999999999:role/plain", // another account: ignored
	})
	if got.Account != motoAccount || got.Unknown != "" {
		t.Fatalf("got %+v", got)
	}
	if len(got.Roles) != 2 || got.Roles[0].ARN != aws.ToString(plain.Role.Arn) || got.Roles[1].ARN != execARN {
		t.Fatalf("roles %+v, want plain and ml-exec (by ARN), with their real ARNs", got.Roles)
	}
	if r := got.Roles[0]; r.Name != "plain" || len(r.Policies) != 0 || r.Boundary != nil || r.Tags != nil {
		t.Errorf("plain: %+v", r)
	}
	r := got.Roles[1]
	if r.Name != "ml-exec" || r.Tags["team"] != "ml" || len(r.Tags) != 1 {
		t.Errorf("ml-exec: %+v", r)
	}
	if len(r.Policies) != 2 {
		t.Fatalf("ml-exec policies %+v, want the inline one then the attached one", r.Policies)
	}
	sameJSON(t, "inline", r.Policies[0].Document, inlineDoc)
	if r.Policies[0].Name != "kms-use" || r.Policies[0].ARN != "" || r.Policies[0].Unknown != "" {
		t.Errorf("inline %+v", r.Policies[0])
	}
	sameJSON(t, "attached", r.Policies[1].Document, managedDoc)
	if r.Policies[1].Name != "ml-read" || r.Policies[1].ARN != managedARN || r.Policies[1].Unknown != "" {
		t.Errorf("attached %+v", r.Policies[1])
	}
	if r.Boundary == nil {
		t.Fatal("ml-exec: no permissions boundary")
	}
	sameJSON(t, "boundary", r.Boundary.Document, boundaryDoc)
	if r.Boundary.ARN != boundaryARN || r.Boundary.Name != "ml-boundary" || r.Boundary.Unknown != "" {
		t.Errorf("boundary %+v", r.Boundary)
	}
	if _, ok := got.Role(execARN); !ok {
		t.Error("AccountIAM.Role does not find ml-exec by its ARN")
	}
}

// sameJSON compares policy documents as JSON values: a service may
// reformat what it stores.
func sameJSON(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("%s: document is not JSON: %v\n%s", what, err, got)
		return
	}
	_ = json.Unmarshal([]byte(want), &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("%s document\n got %s\nwant %s", what, gb, wb)
	}
	if strings.Contains(got, "%22") {
		t.Errorf("%s document still URL-encoded: %s", what, got)
	}
}
