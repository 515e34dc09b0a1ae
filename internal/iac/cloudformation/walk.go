package cloudformation

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// isTemplateName: the file names a directory walk reads (CDK writes
// *.template.json, SAM template.yaml, others *.template).
func isTemplateName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json", ".template":
		return true
	}
	return false
}

// collect returns the files under one path argument. Symbolic links are
// followed, since a repository may link a shared template in, but a link
// that leads back to a directory being walked is a Gap, not a hang.
func (r *reader) collect(path string) []string {
	info, err := os.Stat(path)
	if err != nil {
		r.statGap(path, err)
		return nil
	}
	if !info.IsDir() {
		if r.once(path) {
			return []string{path}
		}
		return nil
	}
	var out []string
	r.walk(path, map[string]bool{}, &out)
	return out
}

// walk appends the template files under dir; chain holds the real paths
// of the directories from the argument down to dir.
func (r *reader) walk(dir string, chain map[string]bool, out *[]string) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		r.statGap(dir, err)
		return
	}
	if chain[real] {
		r.gap(dir, nil, "symlink loop: the directory is its own ancestor ("+real+"); not walked again")
		return
	}
	if r.dirs[real] {
		return // reached by another path; its files are already collected
	}
	r.dirs[real] = true
	chain[real] = true
	defer delete(chain, real)
	entries, err := os.ReadDir(dir)
	if err != nil {
		r.gap(dir, nil, "directory not read: "+err.Error())
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		mode := e.Type()
		if mode&os.ModeSymlink != 0 {
			info, err := os.Stat(p)
			if err != nil {
				if errors.Is(err, syscall.ELOOP) {
					r.statGap(p, err)
				}
				continue // a dangling link is not input
			}
			mode = info.Mode().Type()
		}
		switch {
		case mode.IsDir():
			// Hidden directories hold VCS data and build copies
			// (.aws-sam/build repeats the template); node_modules holds
			// other people's YAML.
			if strings.HasPrefix(e.Name(), ".") || e.Name() == "node_modules" {
				continue
			}
			r.walk(p, chain, out)
		case mode.IsRegular() && isTemplateName(e.Name()):
			if r.once(p) {
				*out = append(*out, p)
			}
		}
	}
}

// once reports whether the file is new to this Read.
func (r *reader) once(path string) bool {
	key, err := filepath.EvalSymlinks(path)
	if err != nil {
		key = path
	}
	if r.seen[key] {
		return false
	}
	r.seen[key] = true
	return true
}

func (r *reader) statGap(path string, err error) {
	if errors.Is(err, syscall.ELOOP) {
		r.gap(path, nil, "symlink loop: "+path+" does not resolve")
		return
	}
	r.gap(path, nil, "not read: "+err.Error())
}
