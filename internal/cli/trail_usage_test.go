package cli_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// Mistakes in how trail is called are usage errors (exit 2), before any
// AWS call.
func TestTrailUsageErrors(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for name, args := range map[string][]string{
		"no source":           {"trail"},
		"two sources":         {"trail", "--from-dir", ".", "--lookup-events"},
		"athena without S3":   {"trail", "--from-dir", ".", "--athena-database", "audit"},
		"athena without db":   {"trail", "--s3-uri", "s3://logs", "--athena-workgroup", "primary"},
		"bad uri":             {"trail", "--s3-uri", "https://logs"},
		"bad format":          {"trail", "--from-dir", ".", "--format", "xml"},
		"from after to":       {"trail", "--from-dir", ".", "--from", "2026-11-10", "--to", "2026-11-01"},
		"bad account":         {"trail", "--from-dir", ".", "--accounts", "12"},
		"org and accounts":    {"trail", "--from-dir", ".", "--org", "--accounts", "111122223333"},
		"negative rate scale": {"trail", "--from-dir", ".", "--rate-scale", "-1"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, stderr, code := runAt(t, now, args...); code != cli.ExitUsage {
				t.Errorf("exit %d, want %d: %s", code, cli.ExitUsage, stderr)
			}
		})
	}
}

// --print-sql writes the table's DDL and every query for the window,
// pruned to the accounts and regions asked for, without calling AWS.
func TestTrailPrintSQL(t *testing.T) {
	mototest.DummyCredentials(t)
	t.Setenv("AWS_REGION", "") // offline: no region, endpoint or credentials needed
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	out, stderr, code := runAt(t, now, "trail", "--s3-uri", "s3://org-logs/trails/AWSLogs/o-abcdef1234/", "--athena-database", "audit",
		"--accounts", "111122223333", "--regions", "us-east-1,eu-west-1", "--from", "7d", "--print-sql")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"CREATE EXTERNAL TABLE", "audit", "'projection.enabled'", "s3://org-logs/trails/AWSLogs/o-abcdef1234/",
		"'111122223333'", "'eu-west-1'", "'2026/11/13'"} {
		if !strings.Contains(out, want) {
			t.Errorf("--print-sql output lacks %q", want)
		}
	}
	if strings.Count(out, "SELECT") < 5 {
		t.Errorf("fewer queries than aggregations:\n%s", out)
	}
}
