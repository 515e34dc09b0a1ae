package cli

import (
	"io"
	"strings"
	"testing"
)

// Each shell's completion script is produced on stdout and completes
// sagekey (cobra's scripts name the program they register for).
func TestCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash":       "complete -o default -F __start_sagekey sagekey",
		"zsh":        "#compdef sagekey",
		"fish":       "complete -c sagekey",
		"powershell": "Register-ArgumentCompleter -CommandName 'sagekey'",
	} {
		t.Run(shell, func(t *testing.T) {
			code, out, errOut := runCLI(t, "completion", shell)
			if code != 0 || errOut != "" {
				t.Fatalf("sagekey completion %s: exit %d, stderr %q", shell, code, errOut)
			}
			if !strings.Contains(out, marker) {
				t.Errorf("sagekey completion %s: no %q in the script:\n%.400s", shell, marker, out)
			}
		})
	}
}

// The completion command is in the tree NewRootCommand builds (so the man
// pages document it) and listed in help, not hidden.
func TestCompletionCommandListed(t *testing.T) {
	root := NewRootCommand(Env{Stdout: io.Discard, Stderr: io.Discard})
	c, _, err := root.Find([]string{"completion"})
	if err != nil || c.Name() != "completion" {
		t.Fatalf("no completion command: %v", err)
	}
	if c.Hidden {
		t.Error("the completion command is hidden")
	}
	if got := len(c.Commands()); got != 4 {
		t.Errorf("completion has %d shells, want bash, zsh, fish and powershell", got)
	}
	_, out, _ := runCLI(t, "--help")
	if !strings.Contains(out, "completion") {
		t.Errorf("sagekey --help does not list completion:\n%s", out)
	}
}
