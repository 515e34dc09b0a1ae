// Package terraform reads Terraform configuration (.tf and .tf.json) into
// the SDK-free model of declared infrastructure, without running Terraform
// or calling a provider: SageMaker and KMS resources and data sources, one
// per instance after count and for_each, each attribute with the value
// HCL evaluates it to, its source range, and the declarations it refers
// to when that value is not known before apply.
//
// Evaluation follows Terraform where the answer can be known statically:
// variables (defaults, terraform.tfvars, *.auto.tfvars, --var-file, --var),
// locals, module inputs and outputs, count.index, each.key/each.value,
// path.module and a subset of Terraform's functions. Anything else (a
// resource's computed attribute, a data source, a variable with no value)
// becomes an unknown value marked with the reference it came from, so the
// judge can follow it to the key it names. Unreadable input is a model.Gap;
// the rest is still read.
//
// Not supported, by design or for now: TF_VAR_ environment variables;
// override files (skipped, not merged); functions outside funcs.go (the
// attribute is Unknown, naming the call); resource attributes' values
// (every resource attribute read by another expression is unknown, with
// its reference); in .tf.json, inline ignores (JSON has no comments),
// dynamic blocks, and telling nested blocks from object attributes (they
// are read as written), and a resource's Range is its header only.
package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// Options tune Read. The zero value reads like `terraform plan` with no
// flags, except that TF_VAR_ environment variables are deliberately NOT
// read: findings must depend on the repository and the command line only,
// not on whatever the shell running sagekey happens to export.
type Options struct {
	// VarFiles are --var-file arguments, applied after terraform.tfvars
	// and *.auto.tfvars (alphabetical), in the order given, as Terraform
	// does.
	VarFiles []string
	// Vars are --var name=value (highest precedence). A variable whose
	// declared type is not a primitive is parsed as an HCL expression,
	// as Terraform does; otherwise the text is the string value.
	Vars map[string]string
	// Concurrency bounds parallel file parsing; default runtime.GOMAXPROCS(0).
	Concurrency int
	// MaxFileSize is the largest file read; a larger one is a Gap. Default
	// 10 MiB, far above any hand-written configuration.
	MaxFileSize int64
}

const defaultMaxFileSize = 10 << 20

// Read reads the Terraform configuration rooted at each directory in roots
// (a root module; a .tf file path means its directory) and returns every
// resource and data source whose type starts with aws_sagemaker_,
// awscc_sagemaker_ or aws_kms_, one model.Resource per instance after count
// and for_each expansion. A count or for_each that is not known statically
// gives one instance with the address suffix [*], so the resource is still
// judged (once) rather than silently dropped.
//
// File paths in ranges and gaps are the root argument as given joined with
// the file's path below it, so findings are the same on every machine.
// Addresses are Terraform's, so they are unique per root: with several
// roots, Range.File tells two aws_kms_key.main apart.
// Read returns an error only when ctx is cancelled or a root does not
// exist; everything else it cannot read is a Gap.
func Read(ctx context.Context, roots []string, opts Options) (*model.Config, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = runtime.GOMAXPROCS(0)
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = defaultMaxFileSize
	}
	r := &reader{
		opts:      opts,
		cfg:       &model.Config{Resources: []model.Resource{}, Gaps: []model.Gap{}},
		parsed:    map[string]*module{},
		manifests: map[string]manifest{},
		funcs:     functions(),
	}
	for _, root := range roots {
		dir, display, err := rootDir(root)
		if err != nil {
			return nil, err
		}
		node, err := r.load(ctx, dir, display)
		if err != nil {
			return nil, err
		}
		if node.mod == nil {
			continue
		}
		vars := r.rootVariables(ctx, node)
		top := newInstance(r, node, "", vars)
		if err := top.emit(ctx); err != nil {
			return nil, err
		}
	}
	sortGaps(r.cfg.Gaps)
	r.cfg.Gaps = dedupGaps(r.cfg.Gaps)
	return r.cfg, nil
}

// reader is the state of one Read: the parse cache shared by every root
// and module instance, and the output. Evaluation runs on one goroutine;
// only parsing is parallel (and merges under load's control).
type reader struct {
	opts      Options
	cfg       *model.Config
	parsed    map[string]*module // by real directory
	manifests map[string]manifest
	funcs     funcMap
}

func (r *reader) gap(file string, rng *model.Range, format string, args ...any) {
	r.cfg.Gaps = append(r.cfg.Gaps, model.Gap{File: file, Range: rng, Reason: fmt.Sprintf(format, args...)})
}

// rootDir turns a root argument into the directory read and the prefix
// shown in ranges.
func rootDir(root string) (dir, display string, err error) {
	info, err := os.Stat(root)
	if err != nil {
		return "", "", fmt.Errorf("terraform: %w", err)
	}
	display = filepath.Clean(root)
	if !info.IsDir() {
		display = filepath.Dir(display)
	}
	dir, err = filepath.Abs(display)
	if err != nil {
		return "", "", fmt.Errorf("terraform: %w", err)
	}
	return dir, display, nil
}

// displayJoin is the path shown for name below a displayed directory:
// forward slashes, so golden files and SARIF are the same on Windows.
func displayJoin(display, name string) string {
	return filepath.ToSlash(filepath.Join(display, name))
}

// family reports whether a resource type is one sagekey judges.
func family(typ string) bool {
	return strings.HasPrefix(typ, "aws_sagemaker_") ||
		strings.HasPrefix(typ, "awscc_sagemaker_") ||
		strings.HasPrefix(typ, "aws_kms_")
}

func sortGaps(gaps []model.Gap) {
	line := func(g model.Gap) int {
		if g.Range == nil {
			return 0
		}
		return g.Range.Start.Line
	}
	sort.SliceStable(gaps, func(i, j int) bool {
		a, b := gaps[i], gaps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if line(a) != line(b) {
			return line(a) < line(b)
		}
		return a.Reason < b.Reason
	})
}

// dedupGaps drops repeats: a module called twice reports its problems once.
func dedupGaps(gaps []model.Gap) []model.Gap {
	out := gaps[:0]
	for i, g := range gaps {
		if i > 0 && sameGap(g, gaps[i-1]) {
			continue
		}
		out = append(out, g)
	}
	return out
}

func sameGap(a, b model.Gap) bool {
	if a.File != b.File || a.Reason != b.Reason || (a.Range == nil) != (b.Range == nil) {
		return false
	}
	return a.Range == nil || *a.Range == *b.Range
}
