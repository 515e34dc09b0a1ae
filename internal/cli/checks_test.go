package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
)

func TestChecksCommand(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"checks", "--format", "json"}, &out, io.Discard); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Schema string
		Checks []struct {
			ID, Kind, Severity, Rationale, Remediation string
			Slots                                      []struct{ ID, APIField string }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, c := range doc.Checks {
		ids[c.ID] = true
		if c.Severity == "" || c.Rationale == "" || c.Remediation == "" {
			t.Errorf("%s incomplete", c.ID)
		}
	}
	for _, k := range catalog.Kinds() {
		if !ids[k.ID+".cmk"] {
			t.Errorf("checks lacks %s.cmk", k.ID)
		}
	}
	out.Reset()
	if code := Run(context.Background(), []string{"checks"}, &out, io.Discard); code != ExitOK ||
		!strings.Contains(out.String(), "feature-group.cmk") || !strings.Contains(out.String(), "online-store,offline-store") {
		t.Errorf("table output: exit %d\n%s", code, out.String())
	}
	if code := Run(context.Background(), []string{"checks", "--format", "xml"}, io.Discard, io.Discard); code != ExitUsage {
		t.Errorf("bad format: exit %d", code)
	}
}
