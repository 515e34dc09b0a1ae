package tfplan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// DefaultMaxSize is the largest plan read when Options.MaxSize is zero.
const DefaultMaxSize int64 = 512 << 20

// Options tune Read.
type Options struct {
	// MaxSize is the largest plan file read, in bytes; a larger one is a
	// Gap. Zero means DefaultMaxSize.
	MaxSize int64
}

// wanted reports whether a resource type belongs to a family Read
// returns; everything else in a plan is skipped without being decoded.
func wanted(typ string) bool {
	return strings.HasPrefix(typ, "aws_sagemaker_") || strings.HasPrefix(typ, "awscc_sagemaker_") ||
		strings.HasPrefix(typ, "aws_kms_")
}

// Read reads one plan JSON and returns every planned resource and data
// source whose type starts with aws_sagemaker_, awscc_sagemaker_ or
// aws_kms_, as model.Resource with Source model.TerraformPlan, one per
// instance address. Input that cannot be read as a plan (too large, not
// JSON, an unsupported format version) is a Gap in the returned Config;
// the error is for an unreadable file or a cancelled ctx.
func Read(ctx context.Context, path string, opts Options) (*model.Config, error) {
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	cfg := &model.Config{Resources: []model.Resource{}, Gaps: []model.Gap{}}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	cfg.Files = 1
	if info.Size() > maxSize {
		cfg.Gaps = append(cfg.Gaps, model.Gap{File: path,
			Reason: fmt.Sprintf("plan JSON is %d bytes, more than the limit of %d", info.Size(), maxSize)})
		return cfg, nil
	}

	p, err := decodePlan(ctx, f)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		var se *shapeError
		if !errors.As(err, &se) {
			return nil, err
		}
		cfg.Gaps = append(cfg.Gaps, se.gap(path))
		return cfg, nil
	}
	if gap, ok := checkVersion(path, p.formatVersion); !ok {
		cfg.Gaps = append(cfg.Gaps, gap)
		return cfg, nil
	}
	cfg.Resources = p.resources(path)
	return cfg, nil
}
