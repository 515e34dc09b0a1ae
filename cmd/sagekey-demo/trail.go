package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/demo"
	"github.com/sagekey/sagekey/internal/motoserver"
	"github.com/sagekey/sagekey/internal/store"
)

// trailNoise is how many unrelated events (EC2, S3, IAM, STS) the demo
// trail holds around the scenario.
const trailNoise = 50000

// demoTrail writes the CloudTrail history of the scanned demo estate into
// moto's S3 (creators, key changes, KMS denials, guardrail blocks, noise
// and one corrupt file) and runs `sagekey trail` over it, so the KPIs that
// follow show KMS access denials, blocked violations and request costs.
func demoTrail(ctx context.Context, srv *motoserver.Server, m *demo.Manifest, db string, out screen) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	runs, err := st.Runs(ctx)
	if err != nil || len(runs) == 0 {
		st.Close()
		return fmt.Errorf("no stored scan to build the trail from (%v)", err)
	}
	snap, err := st.Snapshot(ctx, runs[len(runs)-1].ID)
	st.Close()
	if err != nil {
		return err
	}
	cfg, err := motoserver.AWSConfig(ctx, srv.URL(), demoRegions[0])
	if err != nil {
		return err
	}
	now := time.Now()
	events, _ := demo.TrailEvents(m.Account, m.Keys, demo.TrailResourcesOf(snap.Inventory), now)
	seed, err := demo.SeedTrail(ctx, cfg, m.Account, demoRegions, events, trailNoise, 31, now)
	if err != nil {
		return err
	}
	out.say("\nWrote a CloudTrail bucket s3://%s/%s: %d log files, %d events (%d about KMS or SageMaker), and one corrupt file.",
		demo.TrailBucket, demo.TrailPrefix, seed.Summary.Files, seed.Summary.Events, seed.Summary.Interesting)
	// The trail report goes next to the database: the KPIs that follow
	// show its figures on the screen.
	report := filepath.Join(filepath.Dir(db), "trail.txt")
	args := []string{"--log-level", "error", "trail", "--s3-uri", "s3://" + demo.TrailBucket + "/" + demo.TrailPrefix,
		"--endpoint-url", srv.URL(), "--db", db, "--from", "30d", "--guardrail-policy", demo.TrailGuardrailSCP,
		"--max-attempts", "2", "-o", report}
	out.say("")
	out.command("sagekey " + joinArgs(args))
	code := cli.Run(ctx, args, os.Stdout, os.Stderr)
	out.say("sagekey trail exited with %d (1 = incomplete: the corrupt file is reported, the rest was read). Its report: %s", code, report)
	if code != cli.ExitOK && code != cli.ExitError {
		return fmt.Errorf("sagekey trail exited with %d", code)
	}
	return nil
}

func joinArgs(args []string) string {
	out := ""
	for i, a := range args {
		if i > 0 {
			out += " "
		}
		out += a
	}
	return out
}
