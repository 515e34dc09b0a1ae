// Command sagekey-demo shows sagekey end to end without an AWS account: it
// starts a local moto_server, seeds a realistic estate (compliant and
// non-compliant SageMaker resources, KMS keys with their key policies and
// grants in two regions, and the IAM roles the resources run as) through
// the AWS SDK, and runs `sagekey scan` against it. Arguments after "--" are
// passed to the scan, e.g. `go run ./cmd/sagekey-demo -- --format json`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/demo"
	"github.com/sagekey/sagekey/internal/motoserver"
)

var demoRegions = []string{"us-east-1", "eu-west-1"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("sagekey-demo", flag.ContinueOnError)
	keep := fs.Bool("keep", false, "keep moto_server running after the scan (until Ctrl-C) so you can run sagekey yourself")
	db := fs.String("db", "", "history store for the demo scan (default: a temporary SQLite file, removed afterwards)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if *db == "" {
		// The demo's fictional estate must not land in the user's real
		// history. The directory stays: the report and the commands to try
		// next point at it.
		dir, err := os.MkdirTemp("", "sagekey-demo-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "sagekey-demo:", err)
			return cli.ExitError
		}
		*db = filepath.Join(dir, "history.db")
	}
	srv, err := motoserver.Start(ctx, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sagekey-demo:", err)
		return cli.ExitError
	}
	defer srv.Stop()

	// The scan uses the standard credential chain, exactly as for real
	// accounts; moto accepts any credentials.
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo", "AWS_REGION": demoRegions[0]} {
		os.Setenv(k, v)
	}
	manifest, err := demo.Seed(ctx, func(region string) aws.Config {
		cfg, cfgErr := motoserver.AWSConfig(ctx, srv.URL(), region)
		if cfgErr != nil {
			panic(cfgErr) // static credentials and a URL cannot fail to load
		}
		return cfg
	}, demoRegions)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sagekey-demo: seeding:", err)
		return cli.ExitError
	}
	out, errs := newScreen(os.Stdout), newScreen(os.Stderr)
	errs.say("Seeded %d SageMaker resources, %d KMS keys and %d IAM roles into moto at %s (regions %v).\n",
		len(manifest.Resources), len(manifest.Keys), len(manifest.Roles), srv.URL(), demoRegions)

	// The gaps moto leaves (List calls it lacks) are in the report; the
	// warnings logging them one by one would only push the summary off the
	// screen.
	scanArgs := append([]string{"--log-level", "error", "scan", "--endpoint-url", srv.URL(), "--regions",
		demoRegions[0] + "," + demoRegions[1], "--max-attempts", "2", "--db", *db}, fs.Args()...)
	code := cli.Run(ctx, scanArgs, os.Stdout, os.Stderr)
	errs.say("\nsagekey scan exited with %d (3 = FAIL findings, as the demo estate is seeded to have).", code)
	if err := demoTrail(ctx, srv, manifest, *db, out); err != nil {
		fmt.Fprintln(os.Stderr, "sagekey-demo: trail:", err)
		return cli.ExitError
	}
	out.say("\nKPIs of the stored scan (sagekey kpi --db %s):\n", *db)
	if kpiCode := cli.Run(ctx, []string{"kpi", "--db", *db}, os.Stdout, os.Stderr); kpiCode != cli.ExitOK {
		return kpiCode
	}
	if err := tour(ctx, *db, manifest, out); err != nil {
		fmt.Fprintln(os.Stderr, "sagekey-demo:", err)
		return cli.ExitError
	}
	if *keep {
		errs.say("\nmoto_server stays up. In another shell:")
		errs.command(fmt.Sprintf("  AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 sagekey scan --endpoint-url %s --regions us-east-1,eu-west-1", srv.URL()))
		errs.say("Ctrl-C to stop.")
		<-ctx.Done()
	}
	if code == cli.ExitViolations {
		return cli.ExitOK // the demo succeeded in showing violations
	}
	return code
}
