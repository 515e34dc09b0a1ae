package cli

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// --log-format json writes one JSON object per record, with the level and
// attributes as fields, for log collectors; text stays key=value.
func TestLogFormat(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	var buf bytes.Buffer
	if err := setupLogging("info", "json", &buf); err != nil {
		t.Fatal(err)
	}
	slog.Info("scan finished", "resources", 3)
	slog.Debug("hidden below info")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not one JSON object: %q: %v", buf.String(), err)
	}
	if rec["msg"] != "scan finished" || rec["level"] != "INFO" || rec["resources"] != float64(3) {
		t.Errorf("record %v", rec)
	}
	buf.Reset()
	if err := setupLogging("info", "text", &buf); err != nil {
		t.Fatal(err)
	}
	slog.Info("scan finished", "resources", 3)
	if !strings.Contains(buf.String(), "resources=3") {
		t.Errorf("text record %q", buf.String())
	}
}
