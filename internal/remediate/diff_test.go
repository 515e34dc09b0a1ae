package remediate

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedDiffMatchesDiffU(t *testing.T) {
	t.Parallel()
	diffBin, err := exec.LookPath("diff")
	if err != nil {
		t.Skip("diff not installed")
	}
	lines := func(s string) string { return strings.Join(strings.Split(s, " "), "\n") + "\n" }
	cases := []struct{ a, b string }{
		{"a b c d e f g h i j k l m n o p", "a b X d e f g h i j k l m n Y p"},
		{"a b c", "a b c d"},
		{"x a b c", "a b c"},
		{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", "1 2 three 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 nineteen 20"},
		{"a b c d e f g h", "h g f e d c b a"},
		{"a", "b"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		a, b := lines(tc.a), lines(tc.b)
		fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		_ = os.WriteFile(fa, []byte(a), 0o644)
		_ = os.WriteFile(fb, []byte(b), 0o644)
		out, _ := exec.Command(diffBin, "-u", "--label", "current", "--label", "proposed", fa, fb).Output()
		got := unifiedDiff("current", "proposed", a, b)
		// Hunks may split differently on ambiguous edits; headers, hunk
		// counts and the +/- balance must agree, and applying must work.
		if strings.Count(got, "\n-") != strings.Count(string(out), "\n-") ||
			strings.Count(got, "\n+") != strings.Count(string(out), "\n+") {
			t.Errorf("%q -> %q:\ngot\n%s\nwant\n%s", tc.a, tc.b, got, out)
		}
		if patch, err := exec.LookPath("patch"); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "d.patch"), []byte(got), 0o644)
			if o, err := exec.Command(patch, "-s", fa, filepath.Join(dir, "d.patch")).CombinedOutput(); err != nil {
				t.Errorf("patch rejects the diff of %q -> %q: %v %s\n%s", tc.a, tc.b, err, o, got)
			} else if after, _ := os.ReadFile(fa); string(after) != b {
				t.Errorf("patched %q = %q, want %q", tc.a, after, b)
			}
		}
	}
	if d := unifiedDiff("a", "b", "same\n", "same\n"); d != "" {
		t.Errorf("equal inputs give %q", d)
	}
}

func TestMarkdownEscapesAWSValues(t *testing.T) {
	t.Parallel()
	if got := md("a|b`c*d_[x](y)<script>"); strings.ContainsAny(strings.NewReplacer(`\|`, "", "\\`", "", `\*`, "", `\_`, "", `\[`, "", `\]`, "").Replace(got), "|`*_[]<>") {
		t.Errorf("md left markdown active: %q", got)
	}
	if f := fence("x ```` y"); len(f) != 5 {
		t.Errorf("fence = %q, want 5 backticks", f)
	}
	if got := comment("a\nrm -rf /\r"); strings.ContainsAny(got, "\n\r") {
		t.Errorf("comment kept a line break: %q", got)
	}
}
