package events

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	t.Parallel()
	const acct, region = "111122223333", "us-east-1"
	tests := []struct {
		file string
		want Target
	}{
		{"create-notebook-instance.json", Target{Kind: "notebook-instance", Name: "churn-explore",
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-explore",
			Action: "sagemaker:CreateNotebookInstance", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d001", Time: at("2026-03-04T12:00:01Z")}},
		{"update-notebook-instance.json", Target{Kind: "notebook-instance", Name: "Churn-Explore",
			Action: "sagemaker:UpdateNotebookInstance", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d002", Time: at("2026-03-04T12:03:00Z")}},
		{"delete-notebook-instance.json", Target{Kind: "notebook-instance", Name: "churn-explore", Delete: true,
			Action: "sagemaker:DeleteNotebookInstance", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d003", Time: at("2026-03-04T12:05:00Z")}},
		{"delete-endpoint.json", Target{Kind: "endpoint", Name: "churn-realtime", Delete: true,
			Action: "sagemaker:DeleteEndpoint", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d004", Time: at("2026-03-04T12:06:00Z")}},
		{"create-endpoint-config.json", Target{Kind: "endpoint-config", Name: "churn-realtime-v2",
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/churn-realtime-v2",
			Action: "sagemaker:CreateEndpointConfig", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d005", Time: at("2026-03-04T12:07:00Z")}},
		// The domain is named by the ID its create response returns.
		{"create-domain.json", Target{Kind: "domain", Name: "d-abcdef123456",
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abcdef123456",
			Action: "sagemaker:CreateDomain", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d006", Time: at("2026-03-04T12:08:00Z")}},
		{"create-user-profile.json", Target{Kind: "user-profile", Name: "alice", Parent: "d-abcdef123456",
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abcdef123456/alice",
			Action: "sagemaker:CreateUserProfile", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d007", Time: at("2026-03-04T12:09:00Z")}},
		{"update-endpoint.json", Target{Kind: "endpoint", Name: "churn-realtime",
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:endpoint/churn-realtime",
			Action: "sagemaker:UpdateEndpoint", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d015", Time: at("2026-03-04T12:17:00Z")}},
		// A versioned package has no name of its own: its ARN names it.
		{"create-model-package-versioned.json", Target{Kind: "model-package", Name: "churn/3",
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3",
			Action: "sagemaker:CreateModelPackage", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d009", Time: at("2026-03-04T12:11:00Z")}},
		{"delete-partner-app.json", Target{Kind: "partner-app", Name: "app-0a1b2c3d4e5f", Delete: true,
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:partner-app/app-0a1b2c3d4e5f",
			Action: "sagemaker:DeletePartnerApp", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d010", Time: at("2026-03-04T12:12:00Z")}},
		// A tag call names its resource by ARN only.
		{"add-tags-user-profile.json", Target{Kind: "user-profile", Name: "alice", Parent: "d-abcdef123456",
			ARN:    "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abcdef123456/alice",
			Action: "sagemaker:AddTags", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d013", Time: at("2026-03-04T12:15:00Z")}},
		// A refused call is a target, marked failed, even without parameters.
		{"create-training-job-denied.json", Target{Kind: "training-job", Failed: true,
			Action: "sagemaker:CreateTrainingJob", EventID: "0f3b7a3e-1c55-4f0e-8a0b-9a57c2f1d011", Time: at("2026-03-04T12:13:00Z")}},
		{"kms-disable-key.json", Target{Kind: KindKMSKey, ARN: keyARN,
			Action: "kms:DisableKey", EventID: "7c1e2a9b-4d3f-4a8e-b2c1-5e6f7a8b9001", Time: at("2026-03-04T12:20:00Z")}},
		{"kms-schedule-key-deletion.json", Target{Kind: KindKMSKey, ARN: keyARN, Delete: true,
			Action: "kms:ScheduleKeyDeletion", EventID: "7c1e2a9b-4d3f-4a8e-b2c1-5e6f7a8b9002", Time: at("2026-03-04T12:21:00Z")}},
		// The alias's new target, not the key it left, nor the alias.
		{"kms-update-alias.json", Target{Kind: KindKMSKey, Name: "alias/sagemaker-hosting",
			ARN:    "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321",
			Action: "kms:UpdateAlias", EventID: "7c1e2a9b-4d3f-4a8e-b2c1-5e6f7a8b9003", Time: at("2026-03-04T12:22:00Z")}},
		// Without resources, the reference the request used.
		{"kms-put-key-policy-by-alias.json", Target{Kind: KindKMSKey, ARN: "alias/sagemaker-hosting",
			Action: "kms:PutKeyPolicy", EventID: "7c1e2a9b-4d3f-4a8e-b2c1-5e6f7a8b9004", Time: at("2026-03-04T12:23:00Z")}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(readFixture(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.want.Account, tt.want.Region = acct, region
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseNotRecognised(t *testing.T) {
	t.Parallel()
	for _, file := range []string{
		"describe-notebook-instance.json",    // a read: not a mapped call
		"create-presigned-notebook-url.json", // a write that changes no resource
		"kms-decrypt.json",                   // a use of a key, not a change to it
		"training-job-state-change.json",     // an EventBridge event, not a CloudTrail call
		"not-json.txt",
	} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(readFixture(t, file))
			if !errors.Is(err, ErrNotRecognised) {
				t.Fatalf("Parse error = %v, want ErrNotRecognised", err)
			}
			if err.Error() == ErrNotRecognised.Error() {
				t.Errorf("error %q does not say why", err)
			}
		})
	}
}

// TestParseNotChecked: tags on a resource of no catalog kind are a
// recognised event with nothing to check, not a bad message.
func TestParseNotChecked(t *testing.T) {
	t.Parallel()
	_, err := Parse(readFixture(t, "delete-tags-model.json"))
	if !errors.Is(err, ErrNotChecked) || errors.Is(err, ErrNotRecognised) {
		t.Fatalf("Parse error = %v, want ErrNotChecked", err)
	}
}

// TestParseNamesNoResource: a successful call whose request names nothing
// cannot be checked, and is not silently dropped either.
func TestParseNamesNoResource(t *testing.T) {
	t.Parallel()
	body := []byte(`{"detail-type":"AWS API Call via CloudTrail","source":"aws.sagemaker","detail":{
		"eventSource":"sagemaker.amazonaws.com","eventName":"DeleteEndpoint","eventID":"e1",
		"requestParameters":{"unexpected":"x"},"recipientAccountId":"111122223333","awsRegion":"eu-west-1"}}`)
	if _, err := Parse(body); !errors.Is(err, ErrNotRecognised) {
		t.Fatalf("Parse error = %v, want ErrNotRecognised", err)
	}
}

// TestParseEnvelopeFallbacks: a record without its account, region or time
// takes them from the EventBridge envelope.
func TestParseEnvelopeFallbacks(t *testing.T) {
	t.Parallel()
	body := []byte(`{"detail-type":"AWS API Call via CloudTrail","source":"aws.sagemaker","account":"444455556666",
		"region":"eu-west-1","time":"2026-03-04T10:00:00Z","detail":{
		"eventSource":"sagemaker.amazonaws.com","eventName":"DeleteEndpoint","eventID":"e1",
		"requestParameters":{"endpointName":"ep"}}}`)
	got, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if got.Account != "444455556666" || got.Region != "eu-west-1" || !got.Time.Equal(at("2026-03-04T10:00:00Z")) {
		t.Errorf("got %+v", got)
	}
}

// TestParseSourceMismatch: an event whose envelope and record disagree on
// the service is not trusted.
func TestParseSourceMismatch(t *testing.T) {
	t.Parallel()
	body := []byte(`{"detail-type":"AWS API Call via CloudTrail","source":"aws.kms","detail":{
		"eventSource":"sagemaker.amazonaws.com","eventName":"DeleteEndpoint","eventID":"e1",
		"requestParameters":{"endpointName":"ep"}}}`)
	if _, err := Parse(body); !errors.Is(err, ErrNotRecognised) {
		t.Fatalf("Parse error = %v, want ErrNotRecognised", err)
	}
}
