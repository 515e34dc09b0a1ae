package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/version"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// --version, -v and the version command print the same line, and it starts
// with the version the reports and stored scans record (version.String).
func TestVersionFlagAndCommandAgree(t *testing.T) {
	want := version.Get().String() + "\n"
	if !strings.HasPrefix(want, "sagekey "+version.String()+" (") {
		t.Fatalf("version line %q does not start with version.String() %q", want, version.String())
	}
	for _, args := range [][]string{
		{"--version"},
		{"-v"},
		{"version"},
		// --version answers before the global flags are checked.
		{"--log-level", "loud", "--version"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || out != want || errOut != "" {
			t.Errorf("sagekey %v: exit %d, stdout %q, stderr %q; want exit 0, stdout %q", args, code, out, errOut, want)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "version", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got version.Info
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got != version.Get() {
		t.Errorf("version --json = %+v, want %+v", got, version.Get())
	}
}

// --version belongs to the root only: on a subcommand it is a usage error,
// not a silent run of the subcommand.
func TestVersionFlagOnSubcommandIsUsageError(t *testing.T) {
	code, _, errOut := runCLI(t, "checks", "--version")
	if code != ExitUsage || !strings.Contains(errOut, "unknown flag: --version") {
		t.Errorf("sagekey checks --version: exit %d, stderr %q; want a usage error", code, errOut)
	}
}
