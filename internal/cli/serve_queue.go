package cli

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/events"
	"github.com/sagekey/sagekey/internal/events/consumer"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/scan"
	"github.com/sagekey/sagekey/internal/serve"
	"github.com/sagekey/sagekey/internal/store"
)

// queueFlags bind serve's event-driven check flags.
type queueFlags struct {
	url        string
	pollers    int
	wait       time.Duration
	visibility time.Duration
}

func (q *queueFlags) register(f *pflag.FlagSet) {
	f.StringVar(&q.url, "queue", "", "SQS queue URL of CloudTrail's SageMaker and KMS events (sagekey guardrails --events): check each changed resource or key within seconds")
	f.IntVar(&q.pollers, "queue-pollers", 4, "with --queue, how many batches of events are received and checked at once")
	f.DurationVar(&q.wait, "queue-wait", consumer.DefaultWait, "with --queue, the long poll of each receive (at most 20s)")
	f.DurationVar(&q.visibility, "queue-visibility", consumer.DefaultVisibility, "with --queue, how long a received event stays hidden from other replicas; extended while its check runs")
}

func (q *queueFlags) validate() error {
	if q.url == "" {
		return nil
	}
	u, err := url.Parse(q.url)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return usagef("--queue %q: not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)", q.url)
	}
	c := consumer.Consumer{API: consumer.SQSClientAPI(&sqs.Client{}), QueueURL: q.url, Handle: func(context.Context, []events.Target) error { return nil },
		Batch: consumer.DefaultBatch, Wait: q.wait, Visibility: q.visibility}
	if err := c.Validate(); err != nil {
		return usagef("--queue: %v", err)
	}
	if q.pollers < 1 || q.pollers > 64 {
		return usagef("--queue-pollers %d: between 1 and 64", q.pollers)
	}
	return nil
}

// queueRegion is the region in a queue URL's host
// (sqs.eu-west-1.amazonaws.com), "" when the host names none (a local
// endpoint), where the configured region applies.
func queueRegion(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	parts := strings.Split(u.Hostname(), ".")
	if len(parts) >= 3 && parts[0] == "sqs" {
		return parts[1]
	}
	return ""
}

// queueOptions builds the consumer and the checker with scan's options,
// so an event is judged exactly as the scheduled scans judge.
func (o *serveOptions) queueOptions(ctx context.Context, st *store.Store, e Env) (*serve.QueueOptions, error) {
	if o.queue.url == "" {
		return nil, nil
	}
	opts, err := o.scope.options(e.Now)
	if err != nil {
		return nil, err
	}
	opts.Store = st
	if err := withKeyDenials(ctx, st, e.Now(), &opts.Settings); err != nil {
		return nil, err
	}
	checker, err := scan.NewChecker(ctx, opts)
	if err != nil {
		return nil, err
	}
	cfg, err := awsclient.Load(ctx, opts.AWS)
	if err != nil {
		return nil, err
	}
	region := queueRegion(o.queue.url)
	api := consumer.SQSClientAPI(sqs.NewFromConfig(cfg, func(so *sqs.Options) {
		if region != "" {
			so.Region = region
		}
	}))
	return &serve.QueueOptions{
		Consumer:  consumer.Consumer{API: api, QueueURL: o.queue.url, Wait: o.queue.wait, Visibility: o.queue.visibility},
		Pollers:   o.queue.pollers,
		Check:     checker.Check,
		Covers:    checker.Covers,
		Partition: keys.PartitionOf(cfg.Region),
	}, nil
}
