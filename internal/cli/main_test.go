package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the default history store at a throwaway directory, so
// tests that scan never write to the developer's real history.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sagekey-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_DATA_HOME", dir)
	os.Unsetenv(dbEnv)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
