package cloudformation

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzRead holds Read to its promise that bad input is a Gap, never a
// panic or a hang.
func FuzzRead(f *testing.F) {
	for _, p := range []string{"testdata/repo/ml.yaml", "testdata/repo/cdk.out/Stack.template.json", "testdata/repo/parent.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(intrinsics))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "t.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		// A nested stack may name itself or its sibling.
		if err := os.WriteFile(filepath.Join(dir, "child.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := Read(context.Background(), []string{dir}, Options{MaxFileSize: 1 << 16}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("Read took %v", d)
		}
	})
}
