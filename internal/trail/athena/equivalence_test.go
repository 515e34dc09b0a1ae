package athena

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagekey/sagekey/internal/trail"
)

const (
	acct1, acct2 = "111111111111", "222222222222"
	key1         = "arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"
	key1ID       = "1111aaaa-0000-4000-8000-000000000001"
	alias1       = "arn:aws:kms:us-east-1:111111111111:alias/ml-data"
	key2         = "arn:aws:kms:eu-west-1:222222222222:key/2222bbbb-0000-4000-8000-000000000002"
	keyOther     = "arn:aws:kms:us-east-1:111111111111:key/9999ffff-0000-4000-8000-000000000009"
	trainRole    = "arn:aws:iam::111111111111:role/ml-train"
	scpARN       = "arn:aws:organizations::999999999999:policy/o-abcdefghij/service_control_policy/p-guard123"
)

// testContext knows key1 (by alias too, with a policy naming the training
// role and delegating to account 2) and key2 (no policy read), and that
// p-guard123 is a guardrail.
func testContext() *trail.Context {
	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/ml-train"},"Action":"kms:Decrypt","Resource":"*"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"}]}`
	return trail.NewContext([]trail.KeyFacts{
		{ARN: key1, Refs: []string{key1, alias1}, Policy: policy},
		{ARN: key2, Refs: []string{key2}},
	}, []string{"p-guard123"})
}

// record builds a CloudTrail record; opts set the rest.
func record(id, at, source, name, region, account string, opts ...func(map[string]any)) map[string]any {
	r := map[string]any{"eventVersion": "1.08", "eventID": id, "eventTime": at, "eventSource": source,
		"eventName": name, "awsRegion": region, "recipientAccountId": account, "eventType": "AwsApiCall",
		"userIdentity": map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLE", "accountId": account,
			"arn": "arn:aws:iam::" + account + ":user/alice"},
		"sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0"}
	for _, o := range opts {
		o(r)
	}
	return r
}

func asRole(role, session string) func(map[string]any) {
	return func(r map[string]any) {
		account := strings.Split(role, ":")[4]
		r["userIdentity"] = map[string]any{"type": "AssumedRole", "principalId": "AROAEXAMPLE:" + session,
			"accountId": account, "arn": "arn:aws:sts::" + account + ":assumed-role/" + role[strings.LastIndex(role, "/")+1:] + "/" + session,
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": role, "accountId": account}}}
	}
}

func invokedBySageMaker(r map[string]any) {
	r["userIdentity"].(map[string]any)["invokedBy"] = trail.SourceSageMaker
}

func set(k string, v any) func(map[string]any) { return func(r map[string]any) { r[k] = v } }

func keys(arns ...string) func(map[string]any) {
	var res []any
	for _, a := range arns {
		res = append(res, map[string]any{"ARN": a, "accountId": strings.Split(a, ":")[4], "type": "AWS::KMS::Key"})
	}
	return set("resources", res)
}

func denied(msg string) func(map[string]any) {
	return func(r map[string]any) { r["errorCode"], r["errorMessage"] = "AccessDenied", msg }
}

func encode(t testing.TB, recs ...map[string]any) [][]byte {
	t.Helper()
	var out [][]byte
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// testTrail is two days of two accounts in two regions, with a record for
// every branch of the Aggregator and the noise around it.
func testTrail(t testing.TB) []logFile {
	kms, sm := trail.SourceKMS, trail.SourceSageMaker
	d1 := "2024-05-01T"
	denyDecrypt := "User: arn:aws:sts::111111111111:assumed-role/ml-train/s1 is not authorized to perform: kms:Decrypt"
	scpDeny := func(session string) string {
		return "User: arn:aws:sts::111111111111:assumed-role/ml-train/" + session + " is not authorized to perform: " +
			"sagemaker:CreateNotebookInstance on resource: arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/nb-" + session +
			" with an explicit deny in a service control policy: " + scpARN + "."
	}
	return []logFile{{
		account: acct1, region: "us-east-1", day: "2024/05/01",
		records: encode(t,
			// Denials: one group of two sessions of a role the policy names.
			record("e01", d1+"08:00:00Z", kms, "Decrypt", "us-east-1", acct1, asRole(trainRole, "s1"), keys(key1), denied(denyDecrypt)),
			record("e02", d1+"08:05:00Z", kms, "Decrypt", "us-east-1", acct1, asRole(trainRole, "s2"), keys(key1), denied(denyDecrypt)),
			// Through SageMaker on a key sagekey does not know: kept by its reference; 4 events, 3 samples.
			record("e06", d1+"09:00:00Z", kms, "GenerateDataKey", "us-east-1", acct1, asRole(trainRole, "s1"), invokedBySageMaker,
				set("requestParameters", map[string]any{"keyId": "alias/unknown", "keySpec": "AES_256"}), denied("denied")),
			record("e04", d1+"09:01:00Z", kms, "GenerateDataKey", "us-east-1", acct1, asRole(trainRole, "s1"), invokedBySageMaker,
				set("requestParameters", map[string]any{"keyId": "alias/unknown", "keySpec": "AES_256"}), denied("denied")),
			record("e05", d1+"09:02:00Z", kms, "GenerateDataKey", "us-east-1", acct1, asRole(trainRole, "s1"), invokedBySageMaker,
				set("requestParameters", map[string]any{"keyId": "alias/unknown", "keySpec": "AES_256"}), denied("denied")),
			record("e03", d1+"09:03:00Z", kms, "GenerateDataKey", "us-east-1", acct1, asRole(trainRole, "s1"), invokedBySageMaker,
				set("requestParameters", map[string]any{"keyId": "alias/unknown", "keySpec": "AES_256"}), denied("denied")),
			// Direct, on a key that protects no SageMaker data: not kept.
			record("e07", d1+"09:10:00Z", kms, "Decrypt", "us-east-1", acct1, keys(keyOther), denied("denied")),
			// An AWS service, by alias name in the parameters.
			record("e08", d1+"09:20:00Z", kms, "Decrypt", "us-east-1", acct1, denied("denied"),
				set("userIdentity", map[string]any{"type": "AWSService", "invokedBy": ""}), set("sourceIPAddress", "glue.amazonaws.com"),
				set("userAgent", "glue.amazonaws.com"), set("requestParameters", map[string]any{"keyId": "alias/ml-data"})),
			// SageMaker's requests: by resource, by bare key ID (user agent), ReEncrypt naming two keys.
			record("e10", d1+"10:00:00Z", kms, "GenerateDataKey", "us-east-1", acct1, asRole(trainRole, "s1"), invokedBySageMaker, keys(key1)),
			record("e11", d1+"10:01:00Z", kms, "GenerateDataKey", "us-east-1", acct1, asRole(trainRole, "s2"), invokedBySageMaker, keys(key1)),
			record("e12", d1+"10:02:00Z", kms, "GenerateDataKey", "us-east-1", acct1, asRole(trainRole, "s3"), invokedBySageMaker, keys(key1)),
			record("e13", d1+"10:03:00Z", kms, "Decrypt", "us-east-1", acct1, set("userAgent", sm),
				set("requestParameters", map[string]any{"keyId": key1ID})),
			record("e14", d1+"10:04:00Z", kms, "ReEncrypt", "us-east-1", acct1, invokedBySageMaker, keys(keyOther, key1)),
			record("e17", d1+"10:07:00Z", kms, "Encrypt", "us-east-1", acct1, set("sourceIPAddress", sm), keys(key1)),
			// A service acting for no identity: the principal is invokedBy.
			record("e18", d1+"10:08:00Z", kms, "Decrypt", "us-east-1", acct1, keys(key1), denied("denied"),
				set("userIdentity", map[string]any{"type": "AWSService", "invokedBy": "sagemaker.amazonaws.com"})),
			// Not through SageMaker, and a failed one: neither counts.
			record("e15", d1+"10:05:00Z", kms, "Decrypt", "us-east-1", acct1, keys(key1)),
			record("e16", d1+"10:06:00Z", kms, "Decrypt", "us-east-1", acct1, invokedBySageMaker, keys(key1),
				set("errorCode", "ThrottlingException")),
			// Key lifecycle: window in the request, in the response only, an alias moved, another key's policy.
			record("e20", d1+"11:00:00Z", kms, "ScheduleKeyDeletion", "us-east-1", acct1, asRole(trainRole, "admin"), keys(key1),
				set("requestParameters", map[string]any{"keyId": key1, "pendingWindowInDays": 7})),
			record("e21", d1+"11:01:00Z", kms, "ScheduleKeyDeletion", "us-east-1", acct1, keys(key1),
				set("requestParameters", map[string]any{"keyId": key1ID}),
				set("responseElements", map[string]any{"keyId": key1, "pendingWindowInDays": 10})),
			record("e22", d1+"11:02:00Z", kms, "UpdateAlias", "us-east-1", acct1, set("userAgent", "Terraform/1.7.0 aws-sdk-go-v2/1.24.0"),
				set("requestParameters", map[string]any{"aliasName": "alias/ml-data", "targetKeyId": "3333cccc-0000-4000-8000-000000000003"})),
			record("e23", d1+"11:03:00Z", kms, "PutKeyPolicy", "us-east-1", acct1, keys(keyOther)),
			// Creators: a training job, a notebook created twice, a failed create.
			record("e30", d1+"12:00:00Z", sm, "CreateTrainingJob", "us-east-1", acct1, asRole(trainRole, "s1"),
				set("userAgent", "Boto3/1.34.0 md/Botocore#1.34.0 lib/AWS-SageMaker-Python-SDK#2.218.0"),
				set("responseElements", map[string]any{"trainingJobArn": "arn:aws:sagemaker:us-east-1:111111111111:training-job/tj-1"})),
			record("e31", d1+"12:01:00Z", sm, "CreateNotebookInstance", "us-east-1", acct1, set("userAgent", "console.amazonaws.com"),
				set("responseElements", map[string]any{"notebookInstanceArn": "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/nb"})),
			record("e32", d1+"15:00:00Z", sm, "CreateNotebookInstance", "us-east-1", acct1, set("userAgent", "aws-cli/2.15.0"),
				set("responseElements", map[string]any{"notebookInstanceArn": "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/nb"})),
			record("e33", d1+"12:02:00Z", sm, "CreateTrainingJob", "us-east-1", acct1, set("errorCode", "ValidationException")),
			// Blocked: one SCP group of two sessions; a permissions boundary; an old message; an implicit
			// deny and a non-blockable action, neither kept.
			record("e40", d1+"13:00:00Z", sm, "CreateNotebookInstance", "us-east-1", acct1, asRole(trainRole, "s1"), denied(scpDeny("s1"))),
			record("e41", d1+"13:01:00Z", sm, "CreateNotebookInstance", "us-east-1", acct1, asRole(trainRole, "s2"),
				denied(scpDeny("s2"))),
			record("e42", d1+"13:02:00Z", sm, "UpdateDomain", "us-east-1", acct1, asRole(trainRole, "s1"),
				set("errorCode", "AccessDeniedException"), set("errorMessage",
					"User: x is not authorized to perform: sagemaker:UpdateDomain with an explicit deny in a permissions boundary")),
			record("e43", d1+"13:03:00Z", sm, "CreateTrainingJob", "us-east-1", acct1, denied("User: x is not authorized to perform: "+
				"sagemaker:CreateTrainingJob on resource: y With An Explicit Deny")),
			record("e44", d1+"13:04:00Z", sm, "CreateDomain", "us-east-1", acct1, denied("User: x is not authorized to perform: "+
				"sagemaker:CreateDomain because no identity-based policy allows the sagemaker:CreateDomain action")),
			record("e45", d1+"13:05:00Z", sm, "DescribeNotebookInstance", "us-east-1", acct1, denied("... with an explicit deny in a "+
				"service control policy")),
			// Noise, and records sagekey cannot use.
			record("e50", d1+"14:00:00Z", "s3.amazonaws.com", "GetObject", "us-east-1", acct1),
			record("e51", d1+"14:01:00Z", "ec2.amazonaws.com", "DescribeInstances", "us-east-1", acct1),
			record("e52", d1+"14:02:00Z", kms, "Decrypt", "us-east-1", acct1, set("eventVersion", "2.0"), keys(key1), invokedBySageMaker),
			record("", d1+"14:03:00Z", sm, "CreateTrainingJob", "us-east-1", acct1),
		),
	}, {
		// Delivered after midnight: a record of May 1 in May 2's folder.
		account: acct1, region: "us-east-1", day: "2024/05/02",
		records: encode(t,
			record("e60", d1+"23:59:58Z", kms, "Decrypt", "us-east-1", acct1, asRole(trainRole, "s9"), keys(key1), denied(denyDecrypt)),
			record("e61", "2024-05-02T00:03:00Z", kms, "GenerateDataKey", "us-east-1", acct1, invokedBySageMaker, keys(key1)),
		),
	}, {
		account: acct2, region: "eu-west-1", day: "2024/05/02",
		records: encode(t,
			// A user of account 2 on key2 (no policy read), recipient missing: the identity's account.
			record("e70", "2024-05-02T08:00:00Z", kms, "Decrypt", "eu-west-1", "", keys(key2), denied("denied"),
				set("userIdentity", map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::222222222222:user/bob",
					"accountId": acct2, "principalId": "AIDABOB"})),
			record("e71", "2024-05-02T08:01:00Z", kms, "GenerateDataKey", "eu-west-1", acct2, invokedBySageMaker,
				set("requestParameters", map[string]any{"keyId": key2})),
			record("e72", "2024-05-02T08:02:00Z", sm, "CreateEndpointConfig", "eu-west-1", acct2,
				set("responseElements", map[string]any{"endpointConfigArn": "arn:aws:sagemaker:eu-west-1:222222222222:endpoint-config/ec"})),
			// A user the key policy cannot name (a bare principal ID).
			record("e73", "2024-05-02T08:03:00Z", kms, "Decrypt", "eu-west-1", acct2, keys(key2), denied("denied"),
				set("userIdentity", map[string]any{"type": "Unknown", "principalId": "someone"})),
		),
	}, {
		account: acct2, region: "us-east-1", day: "2024/05/01",
		records: encode(t, record("e80", d1+"06:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", "us-east-1", acct2),
			// Account 2 is refused key1 of account 1: the caller's copy of a
			// call delivered to both accounts; only the owner's counts.
			record("e81", d1+"07:00:00Z", kms, "Decrypt", "us-east-1", acct2, asRole(trainRole, "x1"), keys(key1), denied(denyDecrypt),
				set("sharedEventID", "shared-1"))),
	}, {
		account: acct1, region: "us-east-1", day: "2024/05/01",
		records: encode(t,
			record("e82", d1+"07:00:00Z", kms, "Decrypt", "us-east-1", acct1, asRole(trainRole, "x1"), keys(key1), denied(denyDecrypt),
				set("sharedEventID", "shared-1"))),
	}}
}

// s3Side aggregates the files as the S3 reader does, one unit per file.
func s3Side(t *testing.T, files []logFile, tc *trail.Context, viaReadUnit bool) *trail.Aggregates {
	t.Helper()
	var parts []*trail.Aggregates
	for _, f := range files {
		unit := trail.DayPrefix("", "", f.account, f.region, mustDay(t, f.day)) + "file.json.gz"
		agg := trail.NewAggregator(tc)
		if viaReadUnit {
			if err := trail.ReadUnit(bytes.NewReader(bytes.Join(f.records, []byte("\n"))), unit, agg); err != nil {
				t.Fatal(err)
			}
		} else {
			for _, r := range f.records {
				trail.AddRecord(r, unit, agg)
			}
		}
		parts = append(parts, agg.Result())
	}
	return trail.Merge(parts...)
}

func mustDay(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006/01/02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// withoutUnits merges problems across units: a problem names the object
// (S3) or the day (Athena) it was found in, which differ by design.
func withoutUnits(a *trail.Aggregates) *trail.Aggregates {
	c := *a
	c.Problems = nil
	for _, p := range a.Problems {
		p.Unit = ""
		c.Problems = append(c.Problems, p)
	}
	return trail.Merge(&c)
}

// miniAPI serves Queries(tb, f) from a miniAthena over files.
func miniAPI(t testing.TB, tb Table, f trail.Filter, files []logFile, pageSize int) *servingAPI {
	t.Helper()
	sel, err := selectFrom(tb, f)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, q := range buildQueries(tb, sel) {
		names[q.SQL] = q.Name
	}
	mini := &miniAthena{files: files, sel: sel}
	return &servingAPI{pageSize: pageSize, answer: func(sql string) (table, error) {
		name, ok := names[sql]
		if !ok {
			return table{}, fmt.Errorf("unknown SQL:\n%s", sql)
		}
		return mini.run(name)
	}}
}

// TestAthenaMatchesS3Reader is the point of the package: the same records,
// aggregated by the S3 reader (trail.AddRecord one by one, and
// trail.ReadUnit) and by Read over rows grouped as the SQL groups them,
// give the same JSON.
func TestAthenaMatchesS3Reader(t *testing.T) {
	t.Parallel()
	tc := testContext()
	files := testTrail(t)
	tb := Table{Database: "sagekey", Name: "trail", Accounts: []string{acct1, acct2}, Regions: []string{"eu-west-1", "us-east-1"}}
	f := trail.Filter{From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 2, 23, 0, 0, 0, time.UTC)}
	srv := miniAPI(t, tb, f, files, 4) // small pages: every query spans several
	started := time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC)
	units, covered, err := Read(context.Background(), srv.api(), Options{Table: tb, Filter: f, WorkGroup: "audit",
		PollInterval: time.Millisecond, Now: func() time.Time { return started }}, tc)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*trail.Aggregates
	for _, u := range units {
		parts = append(parts, u.Aggregates)
	}
	athenaJSON := marshal(t, withoutUnits(trail.Merge(parts...)))
	for _, viaReadUnit := range []bool{false, true} {
		s3JSON := marshal(t, withoutUnits(s3Side(t, files, tc, viaReadUnit)))
		if !bytes.Equal(athenaJSON, s3JSON) {
			t.Errorf("Athena and S3 (ReadUnit %v) differ\n--- athena\n%s\n--- s3\n%s", viaReadUnit, athenaJSON, s3JSON)
		}
	}

	// The fixture must exercise what it claims to: every list, grouping and
	// the samples cap.
	all := trail.Merge(parts...)
	if len(all.Denials) < 4 || len(all.Blocked) != 3 || len(all.Creators) != 3 || len(all.KeyEvents) != 3 ||
		len(all.Requests) < 3 || len(all.Problems) != 2 || all.Events != 44 {
		t.Errorf("fixture coverage: %d denials, %d blocked, %d creators, %d key events, %d requests, %d problems, %d events",
			len(all.Denials), len(all.Blocked), len(all.Creators), len(all.KeyEvents), len(all.Requests), len(all.Problems), all.Events)
	}
	for _, d := range all.Denials {
		if slices.Contains(d.Samples, "e81") {
			t.Errorf("the caller's copy of a cross-account call counted: %+v", d)
		}
		if d.KeyARN == "alias/unknown" && (d.Count != 4 || strings.Join(d.Samples, ",") != "e03,e04,e05") {
			t.Errorf("grouped denial = %+v, want count 4 and the 3 smallest samples", d)
		}
	}
	if srv.pages <= len(srv.started) {
		t.Errorf("%d pages for %d queries: pagination not exercised", srv.pages, len(srv.started))
	}

	// One unit and one coverage row per account × region × day, all complete.
	if len(units) != 8 || len(covered) != 8 {
		t.Fatalf("%d units, %d coverage rows, want 8 each", len(units), len(covered))
	}
	u := units[len(units)-1] // sorted: 222222222222/us-east-1/2024-05-02
	want := trail.Unit{Source: "athena:audit/sagekey.trail", Key: "222222222222/us-east-1/2024-05-02", ETag: "complete",
		Account: acct2, Region: "us-east-1", Day: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}
	if u.Unit != want || u.Aggregates.Events != 0 {
		t.Errorf("last unit = %+v (%d events), want %+v with none", u.Unit, u.Aggregates.Events, want)
	}
	if c := covered[0]; c.Source != want.Source || c.Account != acct1 || c.Region != "eu-west-1" || !c.Day.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first coverage row = %+v", c)
	}
	for _, s := range srv.started {
		if aws.ToString(s.WorkGroup) != "audit" || aws.ToString(s.QueryExecutionContext.Database) != "sagekey" || s.ResultConfiguration != nil {
			t.Errorf("StartQueryExecution input: workgroup %q, database %q, result configuration %v",
				aws.ToString(s.WorkGroup), aws.ToString(s.QueryExecutionContext.Database), s.ResultConfiguration)
		}
	}
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
