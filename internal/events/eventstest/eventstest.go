// Package eventstest builds the EventBridge events CloudTrail emits for
// SageMaker and KMS calls ("AWS API Call via CloudTrail"), for tests and
// benchmarks that feed an event queue the way AWS would.
package eventstest

import (
	"encoding/json"
	"time"
)

// Call is one API call as CloudTrail records it.
type Call struct {
	// ID is CloudTrail's eventID: the consumer's idempotency key.
	ID      string
	Account string
	Region  string
	// Service is "sagemaker" or "kms".
	Service string
	// Name is the eventName ("CreateNotebookInstance").
	Name     string
	Request  map[string]any
	Response map[string]any
	Time     time.Time
	// ErrorCode marks a call that failed.
	ErrorCode string
}

// JSON is the EventBridge event of c.
func (c Call) JSON() []byte {
	if c.Time.IsZero() {
		c.Time = time.Now().UTC()
	}
	detail := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "AssumedRole", "accountId": c.Account,
			"arn": "arn:aws:sts::" + c.Account + ":assumed-role/MLEngineer/alice",
		},
		"eventTime":          c.Time.UTC().Format(time.RFC3339),
		"eventSource":        c.Service + ".amazonaws.com",
		"eventName":          c.Name,
		"awsRegion":          c.Region,
		"sourceIPAddress":    "203.0.113.10",
		"requestParameters":  c.Request,
		"responseElements":   c.Response,
		"eventID":            c.ID,
		"eventType":          "AwsApiCall",
		"recipientAccountId": c.Account,
	}
	if c.ErrorCode != "" {
		detail["errorCode"] = c.ErrorCode
	}
	body, err := json.Marshal(map[string]any{
		"version": "0", "id": "eb-" + c.ID, "detail-type": "AWS API Call via CloudTrail",
		"source": "aws." + c.Service, "account": c.Account, "time": c.Time.UTC().Format(time.RFC3339),
		"region": c.Region, "resources": []string{}, "detail": detail,
	})
	if err != nil {
		panic(err) // maps of strings and times always marshal
	}
	return body
}
