package awsclient

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestSDKLogsGoToDebug: the SDK's own warnings (IMDSv1 fallback, retry
// notes) reach slog at debug level, never stderr directly.
func TestSDKLogsGoToDebug(t *testing.T) {
	cfg, err := Load(context.Background(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Logger.(sdkLogger); !ok {
		t.Fatalf("the SDK logs through %T, not sagekey's debug logger", cfg.Logger)
	}
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)
	cfg.Logger.Logf("WARN", "falling back to IMDSv1: %s", "403")
	if out := buf.String(); !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "falling back to IMDSv1: 403") {
		t.Errorf("slog got %q", out)
	}
}
