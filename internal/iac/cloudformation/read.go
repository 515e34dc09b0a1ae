package cloudformation

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// Options tunes Read.
type Options struct {
	// Parameters override the root templates' parameters (--parameter
	// Name=Value). A nested stack's parameters come from its parent.
	Parameters map[string]string
	// MaxFileSize is the largest file read, 10 MiB when zero: a larger
	// file is a Gap, so a stray data file cannot exhaust memory.
	MaxFileSize int64
}

const defaultMaxFileSize = 10 << 20

// Read reads CloudFormation templates. Each path is a template file or a
// directory searched for *.yaml, *.yml, *.json and *.template files
// (hidden directories and node_modules are skipped). Files that parse but
// are not templates (no AWSTemplateFormatVersion and no Resources map) are
// skipped silently, named or found, since callers pass every YAML and
// JSON file of a repository as a candidate; anything unreadable is a Gap.
//
// It returns every resource whose type starts with AWS::SageMaker:: or
// AWS::KMS::, with Address "<stack path>/<logical ID>" and Module the
// stack path: a root stack is named after its file ("Stack" for
// cdk.out/Stack.template.json, the slash path without extension when two
// roots share a name), and a nested stack appends its logical ID
// ("parent/Child"). A template that is another template's local nested
// stack is read only through that parent. Ranges name files as given (or
// joined to a parent template's directory). The error is non-nil only
// when ctx ends.
func Read(ctx context.Context, paths []string, opts Options) (*model.Config, error) {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = defaultMaxFileSize
	}
	r := newReader(opts)
	var cands []string
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cands = append(cands, r.collect(p)...)
	}
	var docs []*doc
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d := r.load(c); d.template {
			docs = append(docs, d)
		}
	}
	children := map[string]bool{}
	for _, d := range docs {
		for _, c := range localChildren(d) {
			children[c] = true
		}
	}
	// Parents first, so a child is read with its parameters bound; a child
	// no parent reached (its parents are in a cycle) is read on its own
	// afterwards, which is where the cycle is reported.
	for _, pass := range []bool{false, true} {
		for _, d := range docs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if children[d.abs] != pass || r.visited[d.abs] {
				continue
			}
			r.readRoot(d)
		}
	}
	return r.cfg, nil
}

// reader holds one Read's state.
type reader struct {
	opts    Options
	cfg     *model.Config
	docs    map[string]*doc // by absolute path: a file is parsed once
	seen    map[string]bool // files collected, by real path
	dirs    map[string]bool // directories walked, by real path
	visited map[string]bool // templates read as a root or nested stack
	names   map[string]bool // root stack names in use
	gapSeen map[string]bool
}

func newReader(opts Options) *reader {
	return &reader{
		opts: opts,
		cfg:  &model.Config{Resources: []model.Resource{}, Gaps: []model.Gap{}},
		docs: map[string]*doc{}, seen: map[string]bool{}, dirs: map[string]bool{},
		visited: map[string]bool{}, names: map[string]bool{}, gapSeen: map[string]bool{},
	}
}

// gap records unreadable input once: a value evaluated twice (an alias
// name, a mapping) would otherwise report the same problem twice.
func (r *reader) gap(file string, rng *model.Range, reason string) {
	key := file + "\x00" + reason
	if rng != nil {
		key += "\x00" + rng.String()
	}
	if r.gapSeen[key] {
		return
	}
	r.gapSeen[key] = true
	r.cfg.Gaps = append(r.cfg.Gaps, model.Gap{File: file, Range: rng, Reason: reason})
}

// at is a file-level range, for gaps about a whole file.
func at(file string, line, col int) *model.Range {
	return &model.Range{File: file, Start: model.Pos{Line: line, Column: col}}
}

// rootName names a root stack after its file, falling back to the path
// when two roots share a file name (two template.yaml in different
// directories), so addresses stay unique.
func (r *reader) rootName(path string) string {
	name := stem(filepath.Base(path))
	if r.names[name] {
		name = stem(filepath.ToSlash(filepath.Clean(path)))
	}
	r.names[name] = true
	return name
}

func stem(name string) string {
	for _, ext := range []string{".template.json", ".template.yaml", ".template.yml", ".template", ".json", ".yaml", ".yml"} {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return strings.TrimSuffix(name, ext)
		}
	}
	return name
}
