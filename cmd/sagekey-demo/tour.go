package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/demo"
)

// scpLimit is the size limit of one service control policy, in characters
// (AWS Organizations quota), which the generated SCPs are packed under.
const scpLimit = 5120

// tour shows what comes after a scan, on the stored demo scan: the HTML
// report written next to the database, the remediation plan of the worst
// finding, the guardrails that would have prevented the violations, and
// what to try next. Each step prints the command it runs.
func tour(ctx context.Context, db string, m *demo.Manifest, out screen) error {
	dir := filepath.Dir(db)
	html := filepath.Join(dir, "report.html")
	if code := cli.Run(ctx, []string{"report", "--db", db, "--format", "html", "-o", html}, out.w, os.Stderr); code != cli.ExitOK {
		return fmt.Errorf("sagekey report exited with %d", code)
	}
	out.say("\nHTML report: %s", html)

	key := m.Keys[demo.KeyPendingDeletion]
	args := []string{"--log-level", "error", "remediate", "--db", db, "--only", key}
	out.say("\nThe worst finding is a key scheduled for deletion. Its plan:\n")
	out.command("sagekey " + strings.Join(args, " "))
	var plan bytes.Buffer
	if code := cli.Run(ctx, args, &plan, os.Stderr); code != cli.ExitOK {
		return fmt.Errorf("sagekey remediate exited with %d", code)
	}
	out.say("")
	out.markdown(plan.String())

	if err := guardrailsSummary(ctx, dir, out); err != nil {
		return err
	}
	out.say("\nTry next:")
	for _, c := range []string{
		"go run ./cmd/sagekey report --db " + db + " --show all",
		"go run ./cmd/sagekey remediate --db " + db + " --format shell",
		"go run ./cmd/sagekey-demo --keep   # then sagekey scan or serve against the running moto",
	} {
		out.command("  " + c)
	}
	return nil
}

// guardrailsSummary generates the guardrails into dir/guardrails and says
// how many SCPs they take and how close each is to the size limit.
func guardrailsSummary(ctx context.Context, dir string, out screen) error {
	gdir := filepath.Join(dir, "guardrails")
	args := []string{"guardrails", "--out", gdir}
	var discard bytes.Buffer
	if code := cli.Run(ctx, args, &discard, os.Stderr); code != cli.ExitOK {
		return fmt.Errorf("sagekey guardrails exited with %d", code)
	}
	scps, err := filepath.Glob(filepath.Join(gdir, "scp-*.json"))
	if err != nil {
		return err
	}
	sizes := make([]string, 0, len(scps))
	for _, p := range scps {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sizes = append(sizes, fmt.Sprintf("%s %d characters", filepath.Base(p), len(b)))
	}
	out.say("\nGuardrails that block new violations (sagekey %s): %d SCPs (%s; limit %d each), IAM deny policies, AWS Config rules and a least-privilege key policy in %s",
		strings.Join(args, " "), len(scps), strings.Join(sizes, ", "), scpLimit, gdir)
	return nil
}
