package remediate

import (
	"bytes"
	"testing"

	"github.com/sagekey/sagekey/internal/testutil/golden"
)

func TestGolden(t *testing.T) {
	t.Parallel()
	plan := Build(fixture(), fixtureOptions())
	for format, file := range map[string]string{"markdown": "plan.md", "json": "plan.json", "shell": "plan.sh"} {
		w, err := Lookup(format)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w(&buf, &plan); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		golden.Check(t, file, buf.Bytes())
	}
}
