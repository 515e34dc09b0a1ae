package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagekey/sagekey/internal/awserr"
)

// SNSAPI is the one SNS operation the sink calls.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Message attributes set on every publication, for subscription filter
// policies (e.g. {"severity": ["critical", "high"]}).
const (
	AttrSeverity = "severity"
	AttrKind     = "kind"
	AttrAccount  = "account"
)

// SNSConfig configures an SNS topic sink.
type SNSConfig struct {
	Name     string // the sink's name; "sns" when empty
	TopicARN string
	// Client publishes; when nil, NewSNS builds one from AWS in the topic's
	// region. Pass a configuration that went through awsclient.Instrument
	// so the calls are metered like every other.
	Client SNSAPI
	AWS    aws.Config
}

// SNS publishes the alert's JSON document to a topic.
type SNS struct {
	name  string
	topic string
	fifo  bool
	api   SNSAPI
}

// NewSNS checks the topic ARN and builds the client.
func NewSNS(cfg SNSConfig) (*SNS, error) {
	name := cfg.Name
	if name == "" {
		name = "sns"
	}
	a, err := arn.Parse(cfg.TopicARN)
	if err != nil || a.Service != "sns" || a.Region == "" {
		return nil, fmt.Errorf("%s: %q is not an SNS topic ARN", name, cfg.TopicARN)
	}
	api := cfg.Client
	if api == nil {
		// A topic can only be reached in its own region, whatever the
		// configuration's default region is.
		api = SNSClientAPI(sns.NewFromConfig(cfg.AWS, func(o *sns.Options) { o.Region = a.Region }))
	}
	return &SNS{name: name, topic: cfg.TopicARN, fifo: strings.HasSuffix(a.Resource, ".fifo"), api: api}, nil
}

// Name is the configured name.
func (s *SNS) Name() string { return s.name }

// Send publishes a. On a FIFO topic the alert id is the deduplication id,
// so SNS itself drops a retried duplicate within its five-minute window.
func (s *SNS) Send(ctx context.Context, a Alert) error {
	if err := a.Validate(); err != nil {
		return Permanent(fmt.Errorf("%s: %w", s.name, err))
	}
	body, err := a.JSON()
	if err != nil {
		return Permanent(fmt.Errorf("%s: encode alert %s: %w", s.name, a.ID, err))
	}
	in := &sns.PublishInput{
		TopicArn: aws.String(s.topic),
		Message:  aws.String(string(body)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			AttrSeverity: stringAttr(a.Severity.String()),
			AttrKind:     stringAttr(string(a.Kind)),
		},
	}
	// SNS refuses an attribute with an empty value.
	if a.Account != "" {
		in.MessageAttributes[AttrAccount] = stringAttr(a.Account)
	}
	if subj := snsSubject(a); subj != "" {
		in.Subject = aws.String(subj)
	}
	if s.fifo {
		in.MessageDeduplicationId = aws.String(a.ID)
		// One group per account keeps an account's alerts in order without
		// serialising every account behind one another.
		in.MessageGroupId = aws.String(orDefault(a.Account, "sagekey"))
	}
	if _, err := s.api.Publish(ctx, in); err != nil {
		// Reason names the code and message, not the request or credentials;
		// the cause stays reachable for errors.Is (context.Canceled).
		return classifyAWS(&causeError{msg: s.name + ": " + awserr.Reason("sns:Publish", err), cause: err}, err)
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func stringAttr(v string) snstypes.MessageAttributeValue {
	return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

// snsSubject is the title as email subscriptions show it. SNS requires
// at most 100 printable ASCII characters without line breaks; anything
// else is replaced rather than risk a refused publication.
func snsSubject(a Alert) string {
	t := a.Title
	if t == "" {
		t = string(a.Kind)
	}
	t = "[" + strings.ToUpper(a.Severity.String()) + "] " + t
	b := []byte{}
	for _, r := range t {
		if len(b) == 100 {
			break
		}
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// classifyAWS marks wrapped permanent when the AWS error means the same
// request will be refused again: an HTTP 4xx other than 408 and 429
// (topic not found, authorization, invalid parameter, a disabled KMS key on
// the topic), unless the code says throttling. Throttling, 5xx and network
// failures are temporary: the SDK's retryer has already retried them, and
// the outbox backs off for longer.
func classifyAWS(wrapped, err error) error {
	if awserr.Classify(err) == awserr.Throttled || awserr.Classify(err) == awserr.Canceled {
		return wrapped
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && strings.Contains(strings.ToLower(apiErr.ErrorCode()), "throttl") {
		return wrapped
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && PermanentStatus(resp.HTTPStatusCode()) {
		return Permanent(wrapped)
	}
	return wrapped
}
