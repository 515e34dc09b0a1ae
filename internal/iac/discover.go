package iac

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Sources are the inputs found under the paths given, by reader.
type Sources struct {
	// TerraformRoots are directories holding .tf or .tf.json files; each is
	// read as a root module (a directory that is also another root's local
	// module is read through that root too, and the duplicate dropped).
	TerraformRoots []string
	// Plans are Terraform plan JSON files (`terraform show -json`).
	Plans []string
	// Templates are CloudFormation candidates: the reader skips those that
	// are not templates.
	Templates []string
}

// skipDirs are never searched: VCS data, dependencies, and Terraform's own
// working directory (registry modules are followed through
// .terraform/modules/modules.json by the roots that use them).
var skipDirs = map[string]bool{".git": true, ".terraform": true, "node_modules": true, ".venv": true, "vendor": true}

// Discover sorts the paths into sources. A file is classified by its name
// and, for .json, by whether it is a plan; a directory is walked.
func Discover(paths []string) (Sources, error) {
	var s Sources
	roots := map[string]bool{}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return s, err
		}
		if !info.IsDir() {
			s.classify(p, roots)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable entries are the readers' gaps to report
			}
			if d.IsDir() {
				if path != p && skipDirs[d.Name()] {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				return nil // never follow links out of the tree (or round a loop)
			}
			s.classify(path, roots)
			return nil
		})
		if err != nil {
			return s, err
		}
	}
	for r := range roots {
		s.TerraformRoots = append(s.TerraformRoots, r)
	}
	sort.Strings(s.TerraformRoots)
	sort.Strings(s.Plans)
	sort.Strings(s.Templates)
	return s, nil
}

func (s *Sources) classify(path string, roots map[string]bool) {
	name := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json"):
		roots[filepath.Dir(path)] = true
	case strings.HasSuffix(name, ".tfvars.json"), strings.HasSuffix(name, ".tfstate"):
	case strings.HasSuffix(name, ".json"):
		if isPlan(path) {
			s.Plans = append(s.Plans, path)
		} else {
			s.Templates = append(s.Templates, path)
		}
	case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"), strings.HasSuffix(name, ".template"):
		s.Templates = append(s.Templates, path)
	}
}

// isPlan reads the start of a JSON file: a plan's top-level object names
// format_version and terraform_version before its (possibly huge) body.
func isPlan(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	return bytes.Contains(head, []byte(`"format_version"`)) &&
		(bytes.Contains(head, []byte(`"terraform_version"`)) || bytes.Contains(head, []byte(`"planned_values"`)))
}
