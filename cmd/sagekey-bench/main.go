// Command sagekey-bench measures sagekey against a large SageMaker estate
// seeded into a local moto_server: API calls per operation, wall time and
// peak memory of a first scan, a re-scan, a --full scan and a throttled scan, compared
// with a naive scanner and with a lower bound on the calls any correct
// scanner needs. `sagekey-bench trail` measures `sagekey trail` reading a
// generated CloudTrail trail from moto's S3: throughput, peak memory and a
// second run that reads nothing again. `sagekey-bench events` measures
// `sagekey serve --queue` end to end: from a CloudTrail event landing in the
// SQS queue to its alert at a webhook, at a steady event rate. See
// internal/bench, `sagekey-bench -h`, `sagekey-bench trail -h` and
// `sagekey-bench events -h`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sagekey/sagekey/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := bench.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
