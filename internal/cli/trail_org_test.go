package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/trail/trailgen"
)

// --org reads the partitions of the organization's active accounts in an
// organization trail's bucket, and only those: a folder of an account that
// left the organization is not read.
func TestTrailOrganization(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	cfg := mototest.Config(t, srv, "us-east-1")
	ctx := context.Background()
	org := organizations.NewFromConfig(cfg)
	o, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatal(err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("ml"), Email: aws.String("ml@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	accounts, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts.Accounts {
		members = append(members, aws.ToString(a.Id))
	}
	if len(members) < 2 || !slices.Contains(members, aws.ToString(created.CreateAccountStatus.AccountId)) {
		t.Fatalf("organization accounts %v", members)
	}
	const outsider = "999999999999"
	s3c := s3.NewFromConfig(cfg, func(so *s3.Options) { so.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("org-trail")}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	orgID := aws.ToString(o.Organization.Id)
	sum, err := trailgen.Generate(trailgen.Options{Events: 3000, Start: time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC), Days: 3,
		Regions: []string{"us-east-1"}, Accounts: append(slices.Clone(members), outsider), OrgID: orgID, Seed: 3},
		func(key string, body []byte) error {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("org-trail"), Key: aws.String(key), Body: bytes.NewReader(body)})
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runAt(t, now, "trail", "--s3-uri", "s3://org-trail", "--org", "--endpoint-url", srv.URL(),
		"--db", filepath.Join(t.TempDir(), "h.db"), "--from", "2026-11-17", "--to", "2026-11-18T23:59:59Z", "--format", "json",
		"--max-attempts", "2")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Read struct {
			Read   int   `json:"units_read"`
			Events int64 `json:"events"`
		} `json:"read"`
		Coverage struct {
			Accounts []string `json:"accounts"`
			Cells    int      `json:"cells"`
		} `json:"coverage"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	slices.Sort(members)
	if !slices.Equal(doc.Coverage.Accounts, members) || doc.Coverage.Cells != 2*len(members) {
		t.Errorf("covered accounts %v in %d cells, want %v × 2 days", doc.Coverage.Accounts, doc.Coverage.Cells, members)
	}
	// Two of the three days, and the third's folder for late events, of
	// each member: every member's file of those days, none of the outsider's.
	perAccountDay := sum.Files / (len(members) + 1) / 3
	if doc.Read.Read != 3*perAccountDay*len(members) {
		t.Errorf("read %d files, want %d", doc.Read.Read, 3*perAccountDay*len(members))
	}
}
