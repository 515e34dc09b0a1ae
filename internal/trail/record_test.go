package trail

import (
	"strings"
	"testing"
)

// deniedRecord is a CloudTrail record as CloudTrail writes it: a KMS
// Decrypt the key policy refused a SageMaker execution role.
const deniedRecord = `{
  "eventVersion": "1.11",
  "userIdentity": {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLE:SageMaker",
    "arn": "arn:aws:sts::111122223333:assumed-role/SageMakerExecution/SageMaker",
    "accountId": "111122223333",
    "invokedBy": "sagemaker.amazonaws.com",
    "sessionContext": {
      "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "arn": "arn:aws:iam::111122223333:role/SageMakerExecution", "accountId": "111122223333", "userName": "SageMakerExecution"},
      "attributes": {"creationDate": "2026-11-03T14:00:00Z", "mfaAuthenticated": "false"}
    }
  },
  "eventTime": "2026-11-03T14:30:00Z",
  "eventSource": "kms.amazonaws.com",
  "eventName": "Decrypt",
  "awsRegion": "us-east-1",
  "sourceIPAddress": "sagemaker.amazonaws.com",
  "userAgent": "sagemaker.amazonaws.com",
  "errorCode": "AccessDenied",
  "errorMessage": "User: arn:aws:sts::111122223333:assumed-role/SageMakerExecution/SageMaker is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action",
  "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
  "responseElements": null,
  "requestID": "4f1c0b8e-0000-4000-8000-000000000000",
  "eventID": "2bd4ad68-1d1e-4c36-9a4a-6f5d1f0e0001",
  "readOnly": true,
  "resources": [{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],
  "eventType": "AwsApiCall",
  "managementEvent": true,
  "recipientAccountId": "111122223333",
  "eventCategory": "Management"
}`

func TestAddRecord(t *testing.T) {
	without := func(field string) string {
		// Drop the line carrying field (every field above is on its own line).
		var out []string
		for _, l := range strings.Split(deniedRecord, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), `"`+field+`"`) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	cases := []struct {
		name        string
		record      string
		wantDenials int
		problem     *Problem
	}{
		{"a valid record is aggregated", deniedRecord, 1, nil},
		{"a later 1.x version is read", strings.Replace(deniedRecord, `"1.11"`, `"1.99"`, 1), 1, nil},
		{"version 2.0 is not", strings.Replace(deniedRecord, `"1.11"`, `"2.0"`, 1), 0,
			&Problem{Kind: ProblemUnknownVersion, Reason: "event version 2.0"}},
		{"not JSON", `{"eventVersion": "1.11", "eventID": `, 0,
			&Problem{Kind: ProblemBadRecord, Reason: "not a JSON CloudTrail record"}},
		{"a JSON array is not a record", `[1, 2]`, 0,
			&Problem{Kind: ProblemBadRecord, Reason: "not a JSON CloudTrail record"}},
		{"an eventTime that is not a time", strings.Replace(deniedRecord, `"2026-11-03T14:30:00Z"`, `"yesterday"`, 1), 0,
			&Problem{Kind: ProblemBadRecord, Reason: "not a JSON CloudTrail record"}},
		{"null", `null`, 0, &Problem{Kind: ProblemBadRecord, Reason: "record without eventVersion"}},
	}
	for _, field := range []string{"eventVersion", "eventID", "eventTime", "eventSource", "eventName", "awsRegion"} {
		cases = append(cases, struct {
			name        string
			record      string
			wantDenials int
			problem     *Problem
		}{"without " + field, without(field), 0, &Problem{Kind: ProblemBadRecord, Reason: "record without " + field}})
	}
	const unit = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/03/f.json.gz"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAggregator(NewContext([]KeyFacts{{ARN: keyARN, Policy: keyPolicy("arn:aws:iam::" + acct + ":root")}}, nil))
			AddRecord([]byte(tc.record), unit, a)
			got := a.Result()
			if len(got.Denials) != tc.wantDenials {
				t.Errorf("denials = %+v, want %d", got.Denials, tc.wantDenials)
			}
			if got.Events != 1 {
				t.Errorf("events = %d, want 1: a bad record was read too", got.Events)
			}
			var want []Problem
			if tc.problem != nil {
				p := *tc.problem
				p.Unit, p.Count = unit, 1
				want = []Problem{p}
			}
			same(t, "problems", got.Problems, want)
		})
	}
	t.Run("the valid record's denial", func(t *testing.T) {
		a := NewAggregator(NewContext([]KeyFacts{{ARN: keyARN, Policy: keyPolicy("arn:aws:iam::" + acct + ":root")}}, nil))
		AddRecord([]byte(deniedRecord), unit, a)
		same(t, "denials", a.Result().Denials, []Denial{{Day: day0, Account: acct, Region: region, KeyARN: keyARN,
			Principal: execRole, Operation: "kms:Decrypt", Via: ViaSageMaker, ErrorCode: "AccessDenied",
			Policy: PolicyDelegated, Count: 1, Samples: []string{"2bd4ad68-1d1e-4c36-9a4a-6f5d1f0e0001"}}})
	})
	t.Run("problems of one kind in one unit add up", func(t *testing.T) {
		a := NewAggregator(estate())
		for range 3 {
			AddRecord([]byte(`{oops`), unit, a)
		}
		AddRecord([]byte(`{oops`), "other.json", a)
		same(t, "problems", a.Result().Problems, []Problem{
			{Unit: unit, Kind: ProblemBadRecord, Reason: "not a JSON CloudTrail record", Count: 3},
			{Unit: "other.json", Kind: ProblemBadRecord, Reason: "not a JSON CloudTrail record", Count: 1},
		})
	})
}
