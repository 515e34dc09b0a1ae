package alert

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// TestSNSAgainstMoto publishes to a topic in moto and reads the
// publication back through two SQS subscriptions: one with the SNS
// envelope (attributes inside the body) and one with raw delivery
// (attributes as SQS message attributes).
func TestSNSAgainstMoto(t *testing.T) {
	srv := mototest.ForTest(t)
	mototest.DummyCredentials(t)
	ctx := context.Background()
	const region = "eu-west-1"
	cfg := mototest.Config(t, srv, region)
	snsc, sqsc := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)

	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("sagekey-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	envelopeQ := subscribeQueue(t, ctx, snsc, sqsc, *topic.TopicArn, "alerts-envelope", false)
	rawQ := subscribeQueue(t, ctx, snsc, sqsc, *topic.TopicArn, "alerts-raw", true)

	// The caller's configuration names another region: the sink must
	// publish in the topic's own.
	other := cfg.Copy()
	other.Region = "us-east-1"
	s, err := NewSNS(SNSConfig{Name: "sns-sec", TopicARN: *topic.TopicArn, AWS: other})
	if err != nil {
		t.Fatal(err)
	}
	a := resourceAlert()
	if err := s.Send(ctx, a); err != nil {
		t.Fatal(err)
	}
	want, _ := a.JSON()
	wantAttrs := map[string]string{"severity": "high", "kind": "violation_opened", "account": "111122223333"}

	// Envelope delivery: the alert is the Message, attributes are in the envelope.
	m := receiveOne(t, ctx, sqsc, envelopeQ)
	var env struct {
		Type              string
		TopicArn          string
		Subject           string
		Message           string
		MessageAttributes map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
		t.Fatalf("envelope: %v\n%s", err, aws.ToString(m.Body))
	}
	if env.Message != string(want) {
		t.Errorf("message differs from the alert's JSON:\n got %s\nwant %s", env.Message, want)
	}
	if env.TopicArn != *topic.TopicArn || !strings.HasPrefix(env.Subject, "[HIGH] Notebook instance research-") {
		t.Errorf("envelope topic %q subject %q", env.TopicArn, env.Subject)
	}
	for k, v := range wantAttrs {
		if got := env.MessageAttributes[k]; got.Type != "String" || got.Value != v {
			t.Errorf("envelope attribute %s = %+v, want String %q", k, got, v)
		}
	}

	// Raw delivery: the body is the alert's JSON byte for byte.
	m = receiveOne(t, ctx, sqsc, rawQ)
	if aws.ToString(m.Body) != string(want) {
		t.Errorf("raw body differs from the alert's JSON:\n got %s\nwant %s", aws.ToString(m.Body), want)
	}
	for k, v := range wantAttrs {
		if got := m.MessageAttributes[k]; aws.ToString(got.DataType) != "String" || aws.ToString(got.StringValue) != v {
			t.Errorf("raw attribute %s = %s %s, want String %q", k, aws.ToString(got.DataType), aws.ToString(got.StringValue), v)
		}
	}

	// A topic that does not exist will not appear on retry: permanent.
	gone, err := NewSNS(SNSConfig{TopicARN: strings.TrimSuffix(*topic.TopicArn, "sagekey-alerts") + "nope", AWS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	err = gone.Send(ctx, a)
	if err == nil || !IsPermanent(err) {
		t.Errorf("missing topic: %v, want a permanent error", err)
	}
	t.Logf("missing topic: %v", err)
}

func subscribeQueue(t *testing.T, ctx context.Context, snsc *sns.Client, sqsc *sqs.Client, topicARN, name string, raw bool) string {
	t.Helper()
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	in := &sns.SubscribeInput{TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"),
		Endpoint: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}
	if raw {
		in.Attributes = map[string]string{"RawMessageDelivery": "true"}
	}
	if _, err := snsc.Subscribe(ctx, in); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl)
}

func receiveOne(t *testing.T, ctx context.Context, sqsc *sqs.Client, url string) sqstypes.Message {
	t.Helper()
	out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url),
		MaxNumberOfMessages: 10, WaitTimeSeconds: 2, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("%d messages in %s, want 1", len(out.Messages), url)
	}
	return out.Messages[0]
}

// fakeSNS records the input and returns err.
type fakeSNS struct {
	in  *sns.PublishInput
	err error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.in = in
	return &sns.PublishOutput{}, f.err
}

func TestSNSFifoAndSubject(t *testing.T) {
	f := &fakeSNS{}
	s, err := NewSNS(SNSConfig{TopicARN: "arn:aws:sns:eu-west-1:111122223333:alerts.fifo", Client: f})
	if err != nil {
		t.Fatal(err)
	}
	a := resourceAlert()
	a.Title = "Résumé\nof\x00a very long title " + strings.Repeat("x", 200)
	if err := s.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(f.in.MessageDeduplicationId) != a.ID || aws.ToString(f.in.MessageGroupId) != a.Account {
		t.Errorf("fifo ids: dedup %q group %q", aws.ToString(f.in.MessageDeduplicationId), aws.ToString(f.in.MessageGroupId))
	}
	subj := aws.ToString(f.in.Subject)
	if len(subj) != 100 || !strings.HasPrefix(subj, "[HIGH] R?sum??of?a very") {
		t.Errorf("subject %q", subj)
	}
	// An alert without an account has no account attribute (SNS refuses empty values).
	a.Account = ""
	_ = s.Send(context.Background(), a)
	if _, ok := f.in.MessageAttributes[AttrAccount]; ok {
		t.Error("empty account attribute sent")
	}
	if aws.ToString(f.in.MessageGroupId) != "sagekey" {
		t.Errorf("group for no account: %q", aws.ToString(f.in.MessageGroupId))
	}
	if _, err := NewSNS(SNSConfig{TopicARN: "arn:aws:sqs:eu-west-1:111122223333:q", Client: f}); err == nil {
		t.Error("an SQS ARN was accepted as a topic")
	}
}

func TestSNSErrorClassification(t *testing.T) {
	apiErr := func(status int, code string) error {
		return &smithy.OperationError{ServiceID: "SNS", OperationName: "Publish", Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "m"},
		}}
	}
	for _, tc := range []struct {
		err       error
		permanent bool
	}{
		{apiErr(404, "NotFound"), true},
		{apiErr(403, "AuthorizationError"), true},
		{apiErr(400, "InvalidParameter"), true},
		{apiErr(400, "KMSDisabled"), true},
		{apiErr(400, "KMSThrottling"), false},
		{apiErr(429, "Throttling"), false},
		{apiErr(500, "InternalError"), false},
		{apiErr(503, "ServiceUnavailable"), false},
		{errors.New("dial tcp: connection reset"), false},
		{context.DeadlineExceeded, false},
	} {
		s, _ := NewSNS(SNSConfig{TopicARN: "arn:aws:sns:eu-west-1:111122223333:alerts", Client: &fakeSNS{err: tc.err}})
		err := s.Send(context.Background(), resourceAlert())
		if err == nil || IsPermanent(err) != tc.permanent {
			t.Errorf("%v: IsPermanent(%v) = %v, want %v", tc.err, err, IsPermanent(err), tc.permanent)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%v: cause lost", tc.err)
		}
	}
}
