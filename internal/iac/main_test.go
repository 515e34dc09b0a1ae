package iac

import (
	"os"
	"testing"
)

// TestMain removes the benchmark's generated repository, which is made
// once per test binary and shared by its runs.
func TestMain(m *testing.M) {
	code := m.Run()
	if largeRepo.dir != "" {
		os.RemoveAll(largeRepo.dir)
	}
	os.Exit(code)
}
