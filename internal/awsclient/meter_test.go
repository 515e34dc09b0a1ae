package awsclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// kmsServer answers every request with the next status from statuses (the
// last one repeats), with a throttling error body for 400s.
func kmsServer(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		if status == http.StatusBadRequest {
			_, _ = w.Write([]byte(`{"__type":"ThrottlingException","message":"Rate exceeded"}`))
			return
		}
		_, _ = w.Write([]byte(`{"KeyMetadata":{"KeyId":"k","Arn":"arn:aws:kms:us-east-1:111122223333:key/k"}}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func testConfig(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("a", "b", ""),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return newRetryer(5) },
	}
}

func TestMeterCountsCallsRetriesAndThrottles(t *testing.T) {
	t.Parallel()
	srv, requests := kmsServer(t, 400, 400, 200)
	meter := NewMeter()
	cfg := Instrument(testConfig(srv.URL), meter, NewRateLimits(1))
	client := kms.NewFromConfig(cfg)
	if _, err := client.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	ops := meter.Operations()
	want := OperationCalls{Operation: "kms:DescribeKey", Calls: 2, Retries: 2, Throttles: 2}
	if len(ops) != 1 || ops[0] != want {
		t.Errorf("meter = %+v, want [%+v]; server saw %d", ops, want, requests.Load())
	}
	if got := requests.Load(); got != 4 {
		t.Errorf("server saw %d requests, want 4 (2 calls + 2 retries)", got)
	}
}
