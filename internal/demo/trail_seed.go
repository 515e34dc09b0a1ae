package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/trailgen"
)

// TrailBucket is the bucket SeedTrail writes the demo trail to, and
// TrailPrefix its key prefix.
const (
	TrailBucket = "demo-cloudtrail-logs"
	TrailPrefix = "org"
)

// TrailSeed says what SeedTrail wrote.
type TrailSeed struct {
	Summary trailgen.Summary
	// CorruptKey is the object that is not a readable gzip file.
	CorruptKey string
}

// SeedTrail writes a CloudTrail log bucket into moto through cfg: days of
// hourly log files up to now for account in regions, holding noise
// (EC2, S3, IAM and STS events) and the scenario events, plus one corrupt
// log file, as a trail bucket can hold after an interrupted upload.
func SeedTrail(ctx context.Context, cfg aws.Config, account string, regions []string, events []trail.Event, noise int, days int, now time.Time) (TrailSeed, error) {
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(TrailBucket)}); err != nil {
		return TrailSeed{}, fmt.Errorf("demo: create trail bucket: %w", err)
	}
	put := func(key string, body []byte) error {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(TrailBucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		return err
	}
	start := trail.Day(now).AddDate(0, 0, -(days - 1))
	sum, err := trailgen.Generate(trailgen.Options{Events: noise, Start: start, Days: days, Regions: regions,
		Accounts: []string{account}, Prefix: TrailPrefix, InterestShare: -1, Seed: 7, Extra: events}, put)
	if err != nil {
		return TrailSeed{}, fmt.Errorf("demo: write trail: %w", err)
	}
	// In the last region, where the scenario's counted events are not: the
	// day it spoils is left uncovered, which the reports show.
	day, region := trail.Day(now).AddDate(0, 0, -3), regions[len(regions)-1]
	corrupt := trail.DayPrefix(TrailPrefix, "", account, region, day) + account + "_CloudTrail_" + region + "_" +
		day.Format("20060102T1504Z") + "_truncated0000001.json.gz"
	// A gzip header and then nothing: an upload cut short.
	if err := put(corrupt, []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff}); err != nil {
		return TrailSeed{}, fmt.Errorf("demo: write corrupt log file: %w", err)
	}
	return TrailSeed{Summary: sum, CorruptKey: corrupt}, nil
}
