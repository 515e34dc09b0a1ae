package bench

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// ScanReport is the part of a sagekey JSON report (sagekey.scan/v1, see
// internal/report/json.go) the benchmark reads.
type ScanReport struct {
	Findings []reportFinding `json:"findings"`
	Scan     struct {
		Gaps     []json.RawMessage `json:"gaps"`
		APICalls *APICalls         `json:"api_calls"`
	} `json:"scan"`
	// APICalls is sagekey's own count of its requests, when the report has
	// one (top level or under "scan").
	APICalls *APICalls `json:"api_calls"`
}

type reportFinding struct {
	CheckID  string `json:"check_id"`
	Status   string `json:"status"`
	Message  string `json:"message"`
	Resource struct {
		ARN string `json:"arn"`
	} `json:"resource"`
	Slots []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"slots"`
}

// APICalls is sagekey's self-reported request count.
type APICalls struct {
	Total      int `json:"total"`
	Retries    int `json:"retries"`
	Throttles  int `json:"throttles"`
	Operations []struct {
		Operation string `json:"operation"`
		Calls     int    `json:"calls"`
		Retries   int    `json:"retries"`
		Throttles int    `json:"throttles"`
	} `json:"operations"`
}

// ReadScanReport parses the JSON report at path.
func ReadScanReport(path string) (*ScanReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r ScanReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.APICalls == nil {
		r.APICalls = r.Scan.APICalls
	}
	return &r, nil
}

// Verdict is one judgement in a report: a finding's overall status (Slot
// "") or one of its slots' status.
type Verdict struct {
	CheckID string `json:"check_id"`
	ARN     string `json:"arn"`
	Slot    string `json:"slot"`
	Status  string `json:"status"`
}

// Verdicts returns the report's judgements as a set.
func (r *ScanReport) Verdicts() map[Verdict]bool {
	set := map[Verdict]bool{}
	for _, f := range r.Findings {
		set[Verdict{CheckID: f.CheckID, ARN: f.Resource.ARN, Status: f.Status}] = true
		for _, s := range f.Slots {
			set[Verdict{CheckID: f.CheckID, ARN: f.Resource.ARN, Slot: s.Name, Status: s.Status}] = true
		}
	}
	return set
}

// tagsCheckSuffix ends the id of every <kind>.tags check.
const tagsCheckSuffix = ".tags"

// maxVerdictExamples bounds the differences a comparison keeps.
const maxVerdictExamples = 10

// VerdictComparison says whether two reports judged alike.
type VerdictComparison struct {
	Identical bool `json:"identical"`
	// Compared is false when a report was missing; Reason says why.
	Compared bool   `json:"compared"`
	Reason   string `json:"reason,omitempty"`
	Baseline int    `json:"baseline_verdicts"`
	Other    int    `json:"other_verdicts"`
	// BaselineTags counts the baseline's <kind>.tags verdicts, compared
	// like the others.
	BaselineTags int `json:"baseline_tags_verdicts"`
	// OnlyInBaseline and OnlyInOther hold up to 10 differences each, sorted.
	OnlyInBaseline []Verdict `json:"only_in_baseline,omitempty"`
	OnlyInOther    []Verdict `json:"only_in_other,omitempty"`
	Missing        int       `json:"missing"` // in baseline, not in other
	Extra          int       `json:"extra"`   // in other, not in baseline
}

// CompareVerdicts compares two verdict sets.
func CompareVerdicts(baseline, other map[Verdict]bool) VerdictComparison {
	c := VerdictComparison{Compared: true, Baseline: len(baseline), Other: len(other)}
	for v := range baseline {
		if strings.HasSuffix(v.CheckID, tagsCheckSuffix) {
			c.BaselineTags++
		}
	}
	onlyIn := func(a, b map[Verdict]bool) []Verdict {
		var out []Verdict
		for v := range a {
			if !b[v] {
				out = append(out, v)
			}
		}
		slices.SortFunc(out, compareVerdict)
		return out
	}
	missing, extra := onlyIn(baseline, other), onlyIn(other, baseline)
	c.Missing, c.Extra = len(missing), len(extra)
	c.OnlyInBaseline = missing[:min(len(missing), maxVerdictExamples)]
	c.OnlyInOther = extra[:min(len(extra), maxVerdictExamples)]
	c.Identical = len(missing) == 0 && len(extra) == 0
	return c
}

// CompareReports compares the verdicts of two report files.
func CompareReports(baselinePath, otherPath string) VerdictComparison {
	a, err := ReadScanReport(baselinePath)
	if err != nil {
		return VerdictComparison{Reason: "baseline report: " + err.Error()}
	}
	b, err := ReadScanReport(otherPath)
	if err != nil {
		return VerdictComparison{Reason: "report: " + err.Error()}
	}
	return CompareVerdicts(a.Verdicts(), b.Verdicts())
}

func compareVerdict(a, b Verdict) int {
	return cmp.Or(cmp.Compare(a.ARN, b.ARN), cmp.Compare(a.CheckID, b.CheckID),
		cmp.Compare(a.Slot, b.Slot), cmp.Compare(a.Status, b.Status))
}
