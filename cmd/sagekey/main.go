// Command sagekey audits Amazon SageMaker resources for encryption at rest
// with healthy customer-managed KMS keys. See the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sagekey/sagekey/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
