package consumer

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// extendVisibility keeps the batch's messages invisible while it is
// handled: every s.extend it grants each one s.visibility again, so a
// long check is not mistaken for a crashed consumer and the message
// delivered to another replica. The returned stop waits for the extender
// to finish, so no extension races the deletion that follows.
func (c *Consumer) extendVisibility(ctx context.Context, s settings, work []item) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(s.extend)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for _, it := range work {
				_, err := c.API.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
					QueueUrl: aws.String(c.QueueURL), ReceiptHandle: it.msg.ReceiptHandle, VisibilityTimeout: seconds(s.visibility),
				})
				if err != nil && ctx.Err() == nil {
					// The handler goes on: at worst the message is
					// delivered again and the second copy is a duplicate.
					c.log().Warn("event queue: could not extend a message's visibility",
						"queue", c.QueueURL, "message", aws.ToString(it.msg.MessageId), "error", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
