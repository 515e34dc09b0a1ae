package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/report"
)

func TestOutcomeExitCodes(t *testing.T) {
	t.Parallel()
	fail := func(sev finding.Severity) finding.Finding {
		return finding.Finding{Status: finding.Fail, Severity: sev}
	}
	gap := []inventory.Gap{{Service: "sagemaker:ListClusters", Reason: "denied"}}
	tests := []struct {
		name     string
		findings []finding.Finding
		gaps     []inventory.Gap
		scanErr  error
		failOn   finding.Severity
		want     int
	}{
		{"clean", []finding.Finding{{Status: finding.Pass}}, nil, nil, finding.Low, ExitOK},
		{"fail at threshold", []finding.Finding{fail(finding.High)}, nil, nil, finding.High, ExitViolations},
		{"fail below threshold", []finding.Finding{fail(finding.Medium)}, nil, nil, finding.High, ExitOK},
		{"muted never counts", []finding.Finding{{Status: finding.Muted, Severity: finding.Critical}}, nil, nil, finding.Low, ExitOK},
		{"error finding alone", []finding.Finding{{Status: finding.Error, Severity: finding.High}}, nil, nil, finding.Low, ExitOK},
		{"gaps make it incomplete", nil, gap, nil, finding.Low, ExitError},
		{"violations outrank gaps", []finding.Finding{fail(finding.Critical)}, gap, nil, finding.Low, ExitViolations},
		{"canceled scan", nil, nil, context.Canceled, finding.Low, ExitError},
		{"violations outrank a store failure", []finding.Finding{fail(finding.High)}, nil, errors.New("storing the scan: disk full"), finding.Low, ExitViolations},
	}
	for _, tt := range tests {
		rep := &report.Report{Findings: finding.NewList(tt.findings), Gaps: tt.gaps}
		err := outcome(rep, tt.failOn, tt.scanErr)
		if tt.scanErr != nil && !strings.Contains(fmt.Sprint(err), tt.scanErr.Error()) {
			t.Errorf("%s: outcome %v hides %v", tt.name, err, tt.scanErr)
		}
		if got := exitCode(err); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"scan", "--format", "xml"},
		{"scan", "--fail-on", "urgent"},
		{"scan", "--checks", "nope.*"},
		{"scan", "--regions", "all,us-east-1"},
		{"scan", "--no-such-flag"},
		{"scan", "--config", "/nonexistent/sagekey.yaml"},
		{"scan", "--since", "last tuesday"},
		{"kpi", "--by", "team"},
		{"kpi", "--trend", "hourly"},
		{"kpi", "--from", "2026-12-01", "--to", "2026-11-01"},
		{"kpi", "--format", "xlsx"},
		{"diff", "one", "two"},
		{"history", "--format", "csv"},
		{"frobnicate"},
		{"--log-level", "loud", "version"},
		{"--log-format", "yaml", "version"},
	} {
		if got := Run(context.Background(), args, io.Discard, io.Discard); got != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, got, ExitUsage)
		}
	}
	if got := exitCode(fmt.Errorf("wrapped: %w", usagef("x"))); got != ExitUsage {
		t.Errorf("wrapped usage error: %d", got)
	}
	if got := exitCode(errors.New("boom")); got != ExitError {
		t.Errorf("runtime error: %d", got)
	}
}
