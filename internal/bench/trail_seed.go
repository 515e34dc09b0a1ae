package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/trailgen"
)

// TrailSetup describes one trail the benchmark generated and uploaded.
type TrailSetup struct {
	// URI is what `sagekey trail --s3-uri` is given.
	URI     string   `json:"s3_uri"`
	Account string   `json:"account"`
	Regions []string `json:"regions"`
	Days    int      `json:"days"`
	// From and To bound the trail's hours: the window sagekey is asked
	// to read (To is the last second of the last hour).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// What trailgen wrote: every record, those of interest (KMS or
	// SageMaker event source) and those the byte prefilter must decode.
	Events      int   `json:"events"`
	Interesting int   `json:"interesting"`
	Candidates  int   `json:"prefilter_candidates"`
	Files       int   `json:"files"`
	Bytes       int64 `json:"gzip_bytes"`
	RawBytes    int64 `json:"json_bytes"`
	// SetupSeconds is generation and upload together (they overlap): setup,
	// not part of any measurement.
	SetupSeconds float64 `json:"setup_seconds"`
}

// trailWindow returns the whole UTC days that end before today, so that
// every day of the trail has settled and a second run has nothing to read
// again.
func trailWindow(now time.Time, days int) (from, to time.Time) {
	from = trail.Day(now).AddDate(0, 0, -days)
	return from, from.AddDate(0, 0, days).Add(-time.Second)
}

// uploadTrail generates the trail o describes and writes it under prefix in
// bucket (which must exist) with trailUploaders PutObject calls in flight.
// Generation stays sequential (trailgen's output depends only on o), and
// the files it has made wait in a short queue, so memory holds a few
// files, not the trail.
func uploadTrail(ctx context.Context, client *s3.Client, bucket string, o trailgen.Options) (trailgen.Summary, error) {
	type object struct {
		key  string
		body []byte
	}
	queue := make(chan object, trailUploaders)
	g, gctx := errgroup.WithContext(ctx)
	for range trailUploaders {
		g.Go(func() error {
			for obj := range queue {
				// No Content-Encoding: the proxy's transport would
				// then gunzip the bodies, and sagekey would read JSON,
				// not the gzipped files CloudTrail writes.
				_, err := client.PutObject(gctx, &s3.PutObjectInput{
					Bucket: aws.String(bucket), Key: aws.String(obj.key), Body: bytes.NewReader(obj.body),
				})
				if err != nil {
					return fmt.Errorf("put s3://%s/%s: %w", bucket, obj.key, err)
				}
			}
			return nil
		})
	}
	sum, genErr := trailgen.Generate(o, func(key string, body []byte) error {
		select {
		case queue <- object{key, body}:
			return nil
		case <-gctx.Done():
			return context.Cause(gctx)
		}
	})
	close(queue)
	upErr := g.Wait()
	if upErr != nil {
		return sum, upErr // the cause; genErr is then only its echo
	}
	return sum, genErr
}

// createTrailBucket makes the benchmark's bucket, accepting one made
// earlier in the same moto (the RSS-check trail shares it).
func createTrailBucket(ctx context.Context, client *s3.Client, bucket string) error {
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return nil
}

// setupTrail creates the bucket if needed, then generates and uploads
// events over days × regions under prefix, and says what it wrote.
func setupTrail(ctx context.Context, client *s3.Client, prefix string, events, days int, regions []string, now time.Time) (*TrailSetup, error) {
	if err := createTrailBucket(ctx, client, trailBucket); err != nil {
		return nil, err
	}
	from, to := trailWindow(now, days)
	start := time.Now()
	sum, err := uploadTrail(ctx, client, trailBucket, trailgen.Options{
		Events: events, Start: from, Days: days, Regions: regions, Accounts: []string{trailAccount},
		Prefix: prefix, InterestShare: trailInterestShare, Seed: trailGenSeed,
	})
	if err != nil {
		return nil, fmt.Errorf("upload trail s3://%s/%s: %w", trailBucket, prefix, err)
	}
	return &TrailSetup{
		URI: "s3://" + trailBucket + "/" + prefix, Account: trailAccount, Regions: regions, Days: days,
		From: from, To: to, Events: sum.Events, Interesting: sum.Interesting, Candidates: sum.Candidates,
		Files: sum.Files, Bytes: sum.Bytes, RawBytes: sum.RawBytes, SetupSeconds: time.Since(start).Seconds(),
	}, nil
}
