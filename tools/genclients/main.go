// Command genclients writes the adapters through which sagekey hands AWS
// SDK clients to its narrow client interfaces: for each interface listed
// in adapters.go, a struct of one func per method and a constructor that
// fills it with the client's method values, in client_funcs.go beside
// the interface. Run it from the repository root after changing one of
// those interfaces or the list:
//
//	go run ./tools/genclients         # rewrite the generated files
//	go run ./tools/genclients -check  # fail if one is stale
//
// Why: sagekey links text/template and calls reflect.Type.Method, so the
// linker must assume any exported method may be called by name. It then
// keeps every exported method of every type that is converted to an
// interface, and of every type that type's descriptor reaches. Passing a
// *ec2.Client to an interface therefore linked all of EC2's operations
// (2,439 *Client functions, 19.6 MB of code) although sagekey calls one.
// A struct holding the client in a field does not help (the field's type
// is reached through the struct's descriptor); method values do, as they
// are closures whose types name only the method's parameters. Using these
// adapters everywhere took the binary from 135.7 MB to 72.6 MB, and the
// peak RSS of `sagekey version` from 58.7 MB to 40.4 MB.
//
// The interfaces are read from source rather than loaded with reflect, so
// the generator still builds when a generated file has gone stale.
// TestGeneratedFilesAreCurrent fails when one is stale, and
// TestBinaryKeepsOnlyNamedClientMethods when the built binary keeps a
// client method no interface names (a raw client passed to an interface).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	check := flag.Bool("check", false, "only report generated files that are stale; exit 1 if any is")
	flag.Parse()
	if err := run(".", *check, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "genclients:", err)
		os.Exit(1)
	}
}

// run regenerates the adapters under root, or with check lists the stale
// ones and fails.
func run(root string, check bool, stdout io.Writer) error {
	stale, files, err := staleFiles(root)
	if err != nil {
		return err
	}
	if check {
		if len(stale) > 0 {
			return fmt.Errorf("stale generated files (run go run ./tools/genclients): %s", strings.Join(stale, ", "))
		}
		return nil
	}
	for _, name := range stale {
		full := filepath.Join(root, filepath.FromSlash(name))
		src, ok := files[name]
		if !ok { // an adapter removed from the list
			if err := os.Remove(full); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "removed", name)
			continue
		}
		if err := os.WriteFile(full, src, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", name)
	}
	return nil
}

// staleFiles generates every file and returns, sorted, those whose copy
// under root differs, is missing, or is a generated adapter file no
// longer wanted.
func staleFiles(root string) (stale []string, files map[string][]byte, err error) {
	files, err = generate(root)
	if err != nil {
		return nil, nil, err
	}
	for name, src := range files {
		have, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil && !os.IsNotExist(err) {
			return nil, nil, err
		}
		if !bytes.Equal(have, src) {
			stale = append(stale, name)
		}
	}
	orphans, err := generatedFiles(root)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range orphans {
		if _, ok := files[name]; !ok {
			stale = append(stale, name)
		}
	}
	slices.Sort(stale)
	return stale, files, nil
}

// generatedFiles finds the files under root this tool wrote.
func generatedFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != outFile {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(src, []byte(header)) {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out, err
}
