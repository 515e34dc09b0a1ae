package shellquote

import (
	"os/exec"
	"testing"
)

// TestQuoteRoundTripsThroughBash feeds hostile strings through a real shell
// and checks they come back as one unchanged argument.
func TestQuoteRoundTripsThroughBash(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	for _, s := range []string{"plain-name", "nb'; rm -rf / #", "$(touch /tmp/pwned)", "`id`", "a b\tc\nd", "", "'", `\'`, "*", "~root"} {
		out, err := exec.Command("bash", "-c", "printf %s "+Quote(s)).Output()
		if err != nil {
			t.Fatalf("bash on %q: %v", s, err)
		}
		if string(out) != s {
			t.Errorf("Quote(%q) came back as %q", s, out)
		}
	}
	if got := Join("aws", "sagemaker", "x y"); got != "aws sagemaker 'x y'" {
		t.Errorf("Join = %q", got)
	}
}
