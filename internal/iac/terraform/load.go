package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// maxModuleDepth bounds module nesting; real configurations stay in single
// digits, so deeper means a loop the path check did not see.
const maxModuleDepth = 32

// module is one directory's declarations, parsed once however many times
// it is called.
type module struct {
	parts
	files   int
	display string
	seen    map[string]hcl.Range // resource keys, to find duplicates
}

// modNode is one module call in the tree (not yet one instance: count and
// for_each are expanded when evaluating). Registry modules are installed
// per call path, so the tree is keyed by call path, not by directory.
type modNode struct {
	key      string // call path as in modules.json: "", "a", "a.b"
	dir      string // real directory
	display  string
	root     *modNode
	parent   *modNode
	mod      *module
	children map[string]*modNode // by call name; absent when not readable
}

// load reads a root module and every module it calls, level by level, so
// that each level's files are parsed in parallel.
func (r *reader) load(ctx context.Context, dir, display string) (*modNode, error) {
	root := &modNode{key: "", dir: realDir(dir), display: display}
	root.root = root
	level := []*modNode{root}
	for len(level) > 0 {
		if err := r.parseDirs(ctx, level); err != nil {
			return nil, err
		}
		var next []*modNode
		for _, n := range level {
			n.mod = r.parsed[n.dir]
			n.children = map[string]*modNode{}
			for _, c := range n.mod.calls {
				if child := r.resolve(n, c); child != nil {
					n.children[c.name] = child
					next = append(next, child)
				}
			}
		}
		level = next
	}
	return root, nil
}

// parseDirs parses every not-yet-parsed directory of a level together.
func (r *reader) parseDirs(ctx context.Context, level []*modNode) error {
	var jobs []fileJob
	var owners []string
	todo := map[string]*module{}
	for _, n := range level {
		if _, done := r.parsed[n.dir]; done || todo[n.dir] != nil {
			continue
		}
		m := &module{display: n.display, parts: parts{attrNames: map[string]bool{}}}
		todo[n.dir] = m
		names, err := configFiles(n.dir)
		if err != nil {
			r.gap(n.display, nil, "cannot list module directory: %v", trimPathErr(err))
		}
		for _, name := range names {
			jobs = append(jobs, fileJob{path: filepath.Join(n.dir, name), display: displayJoin(n.display, name)})
			owners = append(owners, n.dir)
		}
	}
	files, err := r.parseFiles(ctx, jobs)
	if err != nil {
		return err
	}
	// Merging in job order keeps declaration order stable across runs.
	for i, f := range files {
		m := todo[owners[i]]
		if f.src != nil {
			m.files++
			r.cfg.Files++
		}
		r.cfg.Gaps = append(r.cfg.Gaps, f.gaps...)
		if f.parts != nil {
			m.merge(r, f.parts)
		}
	}
	for dir, m := range todo {
		r.parsed[dir] = m
	}
	return nil
}

// merge adds a file's declarations; a duplicate is a gap, as Terraform
// would refuse the configuration.
func (m *module) merge(r *reader, p *parts) {
	if m.seen == nil {
		m.seen = map[string]hcl.Range{}
	}
	seen := m.seen
	for _, b := range p.resources {
		k := string(b.mode) + "." + b.typ + "." + b.name
		if prev, dup := seen[k]; dup {
			rng := toRange(b.rng)
			r.gap(rng.File, &rng, "duplicate %s block %s.%s (first at %s): ignored", b.mode, b.typ, b.name, toRange(prev))
			continue
		}
		seen[k] = b.rng
		m.resources = append(m.resources, b)
	}
	m.calls = append(m.calls, p.calls...)
	m.variables = append(m.variables, p.variables...)
	m.locals = append(m.locals, p.locals...)
	m.outputs = append(m.outputs, p.outputs...)
	for n := range p.attrNames {
		m.attrNames[n] = true
	}
}

// resolve finds the directory a module call reads, or records why not.
func (r *reader) resolve(parent *modNode, c *call) *modNode {
	rng := toRange(c.rng)
	key := c.name
	if parent.key != "" {
		key = parent.key + "." + c.name
	}
	var dir, display string
	switch {
	case !c.hasSource:
		r.gap(rng.File, &rng, "module %q has no literal source: not read", c.name)
		return nil
	case strings.HasPrefix(c.source, "./") || strings.HasPrefix(c.source, "../"):
		dir = filepath.Join(parent.dir, filepath.FromSlash(c.source))
		display = filepath.Join(parent.display, filepath.FromSlash(c.source))
	default:
		d, err := r.installedDir(parent.root.dir, key)
		if err != nil {
			r.gap(rng.File, &rng, "module %q (source %q) is not installed (%v): run terraform init; not read", c.name, c.source, err)
			return nil
		}
		dir = filepath.Join(parent.root.dir, filepath.FromSlash(d))
		display = filepath.Join(parent.root.display, filepath.FromSlash(d))
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		r.gap(rng.File, &rng, "module %q: source %q is not a readable directory: not read", c.name, c.source)
		return nil
	}
	dir = realDir(dir)
	depth := 0
	for a := parent; a != nil; a = a.parent {
		depth++
		if a.dir == dir {
			r.gap(rng.File, &rng, "module %q calls a module that is already being read (%s): a module or symlink loop; not read", c.name, a.display)
			return nil
		}
	}
	if depth >= maxModuleDepth {
		r.gap(rng.File, &rng, "module %q is nested more than %d deep: not read", c.name, maxModuleDepth)
		return nil
	}
	return &modNode{key: key, dir: dir, display: filepath.ToSlash(display), root: parent.root, parent: parent}
}

// installedDir looks a call path up in .terraform/modules/modules.json,
// which `terraform init` writes.
// The manifest is read once per root.
func (r *reader) installedDir(rootDir, key string) (string, error) {
	man, ok := r.manifests[rootDir]
	if !ok {
		man = manifest{dirs: map[string]string{}}
		data, err := os.ReadFile(filepath.Join(rootDir, ".terraform", "modules", "modules.json"))
		if err != nil {
			man.err = fmt.Errorf("no .terraform/modules/modules.json")
		} else {
			var doc struct {
				Modules []struct{ Key, Dir string }
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				man.err = fmt.Errorf("modules.json: %v", err)
			}
			for _, m := range doc.Modules {
				man.dirs[m.Key] = m.Dir
			}
		}
		r.manifests[rootDir] = man
	}
	if man.err != nil {
		return "", man.err
	}
	if d, ok := man.dirs[key]; ok {
		return d, nil
	}
	return "", fmt.Errorf("key %q not in modules.json", key)
}

// manifest is a root's .terraform/modules/modules.json: call path → dir.
type manifest struct {
	dirs map[string]string
	err  error
}

// realDir resolves symlinks so a loop is recognised by its target.
func realDir(dir string) string {
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		return r
	}
	return dir
}
