package terraform

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// file is one parsed configuration file and what it declares.
type file struct {
	path   string // as displayed
	src    []byte // kept for condition text and ignore comments
	native bool   // .tf rather than .tf.json
	gaps   []model.Gap
	parts  *parts
	// lineStarts indexes src by line, built on first use by line().
	lineStarts []int
}

// configFiles lists a module directory's configuration files, sorted.
// Override files (override.tf, *_override.tf) are skipped: Terraform merges
// them into other blocks, which this reader does not do.
func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".tf") && !strings.HasSuffix(n, ".tf.json") {
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(n, ".json"), ".tf")
		if base == "override" || strings.HasSuffix(base, "_override") {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// fileJob is one file to parse: where it is and how it is shown.
type fileJob struct {
	path, display string
}

// parseFiles parses jobs on opts.Concurrency goroutines. Each result is
// independent, so a bad file costs only itself.
func (r *reader) parseFiles(ctx context.Context, jobs []fileJob) ([]*file, error) {
	out := make([]*file, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < r.opts.Concurrency && w < len(jobs); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = safeParse(jobs[i], r.opts.MaxFileSize)
			}
		}()
	}
	var err error
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// safeParse is parseFile with a panic in the parser turned into a gap, so
// one pathological file cannot take the whole read down.
func safeParse(job fileJob, maxSize int64) (f *file) {
	defer func() {
		if p := recover(); p != nil {
			f = &file{path: job.display, gaps: []model.Gap{{File: job.display,
				Range: &model.Range{File: job.display, Start: model.Pos{Line: 1, Column: 1}}, Reason: fmt.Sprintf("internal error parsing: %v", p)}}}
		}
	}()
	return parseFile(job, maxSize)
}

// parseFile reads and parses one file. Every failure is a gap on the file
// (line 1 when there is no better position), never an error.
func parseFile(job fileJob, maxSize int64) *file {
	f := &file{path: job.display, native: !strings.HasSuffix(job.path, ".json")}
	whole := &model.Range{File: f.path, Start: model.Pos{Line: 1, Column: 1}}
	fail := func(format string, args ...any) *file {
		f.gaps = append(f.gaps, model.Gap{File: f.path, Range: whole, Reason: fmt.Sprintf(format, args...)})
		return f
	}
	// Stat follows symlinks, so a symlink loop fails here (ELOOP) rather
	// than in a read that could block on a FIFO or device.
	info, err := os.Stat(job.path)
	switch {
	case err != nil:
		return fail("cannot read: %v", trimPathErr(err))
	case !info.Mode().IsRegular():
		return fail("not a regular file")
	case info.Size() > maxSize:
		return fail("file is %d bytes, larger than the %d-byte limit: not read", info.Size(), maxSize)
	}
	src, err := os.ReadFile(job.path)
	if err != nil {
		return fail("cannot read: %v", trimPathErr(err))
	}
	if int64(len(src)) > maxSize { // grew since Stat
		return fail("file is larger than the %d-byte limit: not read", maxSize)
	}
	if bytes.IndexByte(src[:min(len(src), 8000)], 0) >= 0 {
		return fail("binary file with a Terraform name: not read")
	}
	f.src = src
	var hf *hcl.File
	var diags hcl.Diagnostics
	if f.native {
		hf, diags = hclsyntax.ParseConfig(src, f.path, hcl.InitialPos)
	} else {
		hf, diags = hcljson.Parse(src, f.path)
	}
	f.diagGaps(diags)
	if diags.HasErrors() || hf == nil {
		// A partial AST could yield half a resource; judging that would be
		// worse than reporting the file as unread.
		return f
	}
	f.parts = extract(f, hf.Body)
	return f
}

// diagGaps records error diagnostics, at most a few per file: the first
// syntax error usually explains the rest.
func (f *file) diagGaps(diags hcl.Diagnostics) {
	n := 0
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if n++; n > 5 {
			break
		}
		reason := d.Summary
		if d.Detail != "" {
			reason += ": " + d.Detail
		}
		var rng *model.Range
		if d.Subject != nil {
			r := toRange(*d.Subject)
			rng = &r
		}
		f.gaps = append(f.gaps, model.Gap{File: f.path, Range: rng, Reason: reason})
	}
}

// trimPathErr drops the absolute path from an *os.PathError, which the
// gap's File already names in its stable form.
func trimPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

func toRange(r hcl.Range) model.Range {
	return model.Range{
		File:  filepath.ToSlash(r.Filename),
		Start: model.Pos{Line: r.Start.Line, Column: r.Start.Column},
		End:   model.Pos{Line: r.End.Line, Column: r.End.Column},
	}
}

// text is the source text of a range, for condition names.
func (f *file) text(r hcl.Range) string {
	if f == nil || r.Start.Byte < 0 || r.End.Byte > len(f.src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(f.src[r.Start.Byte:r.End.Byte])
}
