package bench

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// keyAccessSuffix ends the id of every <kind>.key-access check.
const keyAccessSuffix = ".key-access"

// Verdicts of <kind>.key-access, as the JSON report spells them.
const (
	statusPass          = "PASS"
	statusFail          = "FAIL"
	statusNotApplicable = "NOT_APPLICABLE"
)

// resourceID names a seeded resource the way a finding does: its kind, its
// region and its name (the last element of its ARN).
type resourceID struct {
	Kind   string `json:"kind"`
	Region string `json:"region"`
	Name   string `json:"name"`
}

// ExpectedKeyAccess is the <kind>.key-access verdict the seeded roles imply
// for every resource: NOT_APPLICABLE when it uses no customer-managed key;
// otherwise PASS when it runs as RoleWithKMS (whose policy allows every
// action the seeded slots need, and moto's default key policy delegates to
// IAM) and FAIL when it runs as RoleWithoutKMS. The bench seeds no grants, so
// none of them changes a verdict.
func (e Estate) ExpectedKeyAccess() map[resourceID]string {
	out := map[resourceID]string{}
	for _, r := range e.Regions {
		for _, kind := range EstateKinds() {
			for _, res := range r.Resources[kind] {
				status := statusNotApplicable
				switch {
				case !r.keyed(kind, res):
				case r.roleOf(kind, res) == RoleWithKMS:
					status = statusPass
				default:
					status = statusFail
				}
				out[resourceID{Kind: kind, Region: r.Region, Name: res.Name}] = status
			}
		}
	}
	return out
}

// KeyAccessMismatch is a resource whose key-access verdict is not the one
// its role implies ("" when the report has no finding for it).
type KeyAccessMismatch struct {
	resourceID
	Want    string `json:"want"`
	Got     string `json:"got"`
	Message string `json:"message,omitempty"`
}

// KeyAccessCheck compares a report's <kind>.key-access verdicts with
// ExpectedKeyAccess.
type KeyAccessCheck struct {
	// Checked is false when the report could not be read; Reason says why.
	Checked  bool           `json:"checked"`
	Reason   string         `json:"reason,omitempty"`
	Expected map[string]int `json:"expected"` // by status
	Matched  int            `json:"matched"`
	// Mismatched counts resources judged otherwise, or not at all;
	// Unexpected counts key-access findings for resources the bench did not
	// seed. Examples holds up to 10 mismatches, sorted.
	Mismatched int                 `json:"mismatched"`
	Unexpected int                 `json:"unexpected"`
	Examples   []KeyAccessMismatch `json:"examples,omitempty"`
}

// OK reports whether every resource got the verdict its role implies.
func (c KeyAccessCheck) OK() bool { return c.Checked && c.Mismatched == 0 && c.Unexpected == 0 }

// CheckKeyAccess compares the report's key-access verdicts with want.
func (r *ScanReport) CheckKeyAccess(want map[resourceID]string) KeyAccessCheck {
	c := KeyAccessCheck{Checked: true, Expected: map[string]int{}}
	for _, status := range want {
		c.Expected[status]++
	}
	got := map[resourceID]reportFinding{}
	for _, f := range r.Findings {
		kind, ok := strings.CutSuffix(f.CheckID, keyAccessSuffix)
		if !ok {
			continue
		}
		id := resourceID{Kind: kind, Region: arnRegion(f.Resource.ARN), Name: arnName(f.Resource.ARN)}
		if _, seeded := want[id]; !seeded {
			c.Unexpected++
			continue
		}
		got[id] = f
	}
	var mismatches []KeyAccessMismatch
	for id, status := range want {
		f, ok := got[id]
		if ok && f.Status == status {
			c.Matched++
			continue
		}
		mismatches = append(mismatches, KeyAccessMismatch{resourceID: id, Want: status, Got: f.Status, Message: f.Message})
	}
	slices.SortFunc(mismatches, func(a, b KeyAccessMismatch) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name))
	})
	c.Mismatched = len(mismatches)
	c.Examples = mismatches[:min(len(mismatches), maxVerdictExamples)]
	return c
}

// checkKeyAccessOf checks a phase's report against the seeded roles.
func checkKeyAccessOf(p *PhaseResult, est Estate) KeyAccessCheck {
	switch {
	case p == nil:
		return KeyAccessCheck{Reason: "phase not run"}
	case !p.OK():
		return KeyAccessCheck{Reason: "phase " + p.ID + " failed"}
	}
	rep, err := ReadScanReport(p.ReportPath)
	if err != nil {
		return KeyAccessCheck{Reason: "report: " + err.Error()}
	}
	return rep.CheckKeyAccess(est.ExpectedKeyAccess())
}

// describe summarises the check for the report and the target.
func (c KeyAccessCheck) describe() string {
	if !c.Checked {
		return "not checked: " + c.Reason
	}
	return fmt.Sprintf("%d of %d as the roles imply (%d PASS, %d FAIL, %d NOT_APPLICABLE expected); %d mismatched, %d unexpected",
		c.Matched, c.Matched+c.Mismatched, c.Expected[statusPass], c.Expected[statusFail], c.Expected[statusNotApplicable],
		c.Mismatched, c.Unexpected)
}

// arnRegion is an ARN's region field.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

// arnName is the last element of an ARN's resource part.
func arnName(arn string) string {
	return arn[strings.LastIndexAny(arn, ":/")+1:]
}
