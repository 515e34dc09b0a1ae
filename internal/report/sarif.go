package report

import (
	"io"
	"slices"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/version"
)

// InformationURI is the project page SARIF viewers link the tool name to.
const InformationURI = "https://github.com/sagekey/sagekey"

// FingerprintKey names sagekey's partial fingerprint in SARIF results; the
// "/v1" lets the fingerprint change meaning later without matching old
// baselines by accident.
const FingerprintKey = "sagekey/v1"

// WriteSARIF writes a SARIF 2.1.0 log with one run: a rule per check found
// and a result per finding, PASS and NOT_APPLICABLE included, so a viewer
// shows what was verified as well as what failed.
func WriteSARIF(w io.Writer, r *Report) error {
	return writeSARIF(w, r, version.String())
}

// writeSARIF takes the tool version as an argument so golden files do not
// depend on how the test binary was built.
func writeSARIF(w io.Writer, r *Report, toolVersion string) error {
	ids := checkIDs(r.Findings)
	index := make(map[string]int, len(ids))
	driver := sarif.NewToolComponent().WithName("sagekey").
		WithInformationURI(InformationURI).WithVersion(toolVersion)
	for i, id := range ids {
		index[id] = i
		driver.AddRule(sarifRule(id, r.Findings))
	}
	run := sarif.NewRun().WithTool(sarif.NewTool().WithDriver(driver)).
		AddInvocation(sarifInvocation(r)).WithProperties(sarifRunProperties(r))
	for _, f := range r.Findings.All() {
		run.AddResult(sarifResult(r, f, index[f.CheckID]))
	}
	log := sarif.NewReport().AddRun(run)
	if err := log.PrettyWrite(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// checkIDs is the sorted set of checks the findings come from: the rules a
// viewer needs, no more.
func checkIDs(fs finding.List) []string {
	var ids []string
	for _, f := range fs.All() {
		ids = append(ids, f.CheckID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func sarifRule(id string, fs finding.List) *sarif.ReportingDescriptor {
	info, known := CheckInfo(id)
	kind, remediation, sev := info.Kind, info.Remediation, info.Severity
	if !known {
		// A check this build does not know (a stored scan from another
		// version): describe it from its first finding.
		for _, f := range fs.All() {
			if f.CheckID == id {
				kind, remediation, sev = f.Resource.Kind, f.Remediation, f.Severity
				break
			}
		}
	}
	rationale := info.Rationale
	if rationale == "" {
		rationale = info.Title
	}
	help := rationale + "\n\nRemediation: " + remediation
	markdown := rationale + "\n\n**Remediation:** " + remediation + "\n\n[Documentation](" + DocsURL(id) + ")"
	props := sarif.NewPropertyBag().WithTags([]string{"security", "kms", kind}).
		Add("severity", sev.String()).Add("kind", kind).
		Add("security-severity", securitySeverity(sev))
	return sarif.NewRule(id).WithName(info.Title).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(info.Title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(rationale)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(help).WithMarkdown(markdown)).
		WithHelpURI(DocsURL(id)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(sev))).
		WithProperties(props)
}

// sarifLevel is the level a failure of this severity is reported at.
func sarifLevel(s finding.Severity) string {
	switch {
	case s >= finding.High:
		return sarif.LevelError
	case s == finding.Medium:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// securitySeverity is the CVSS-like score GitHub code scanning reads from a
// rule's "security-severity" property to rank security alerts.
func securitySeverity(s finding.Severity) string {
	return [...]string{"0.0", "3.0", "5.5", "8.0", "9.5"}[min(max(int(s), 0), int(finding.Critical))]
}

// sarifKind maps a status to SARIF's kind and level. SARIF 2.1.0 (3.27.10)
// requires level "none" whenever kind is not "fail", so an ERROR is kind
// "review" (a person must look: it is not a pass) at level "none"; its
// status property still says ERROR.
func sarifKind(f finding.Finding) (kind, level string) {
	switch f.Status {
	case finding.Pass:
		return "pass", sarif.LevelNone
	case finding.NotApplicable:
		return "notApplicable", sarif.LevelNone
	case finding.Error:
		return "review", sarif.LevelNone
	}
	return "fail", sarifLevel(f.Severity) // FAIL, and MUTED with a suppression
}

func sarifResult(r *Report, f finding.Finding, ruleIndex int) *sarif.Result {
	kind, level := sarifKind(f)
	res := sarif.NewRuleResult(f.CheckID).WithRuleIndex(ruleIndex).WithKind(kind).WithLevel(level).
		WithMessage(sarif.NewTextMessage(messageWithSlots(f))).
		AddLocation(sarifLocation(f)).
		WithPartialFingerprints(map[string]string{FingerprintKey: FindingID(f)})
	if f.Fix != nil {
		res.AddFixe(sarifFix(f.Fix))
	}
	slots := make([]map[string]string, 0, len(f.Slots))
	for _, s := range f.Slots {
		slots = append(slots, map[string]string{"name": s.Name, "key_arn": s.KeyARN,
			"key_state": s.KeyState, "status": string(s.Status), "reason": s.Reason})
	}
	props := sarif.NewPropertyBag().Add("account", f.Resource.Account).Add("region", f.Resource.Region).
		Add("kind", f.Resource.Kind).Add("severity", f.Severity.String()).
		Add("status", string(f.Status)).Add("slots", slots)
	if s := f.Suppression; s != nil && s.Expired {
		props.Add("suppression_expired", s.Reason)
	}
	if l := f.Location; l != nil && l.Module != "" {
		props.Add("module", l.Module) // the address says it too, but not in a form to filter on
	}
	if c, ok := r.creatorShown(f); ok {
		// SARIF has no attribute for who created a result's subject; a
		// viewer shows properties as they are.
		for _, kv := range [][2]string{{"createdBy", c.Principal}, {"createdAt", stamp(c.Time)}, {"createdWith", c.Tool}} {
			if kv[1] != "" {
				props.Add(kv[0], kv[1])
			}
		}
	}
	res.WithProperties(props)
	if s := f.Suppression; f.Status == finding.Muted && s != nil {
		sp := sarif.NewPropertyBag()
		if !s.Expires.IsZero() {
			sp.Add("expires", s.Expires.UTC().Format(time.RFC3339))
		}
		res.AddSuppression(sarif.NewSuppression().WithKind("external").WithStatus("accepted").
			WithJustification(s.Reason).WithProperties(sp))
	}
	return res
}

// messageWithSlots is the finding's message followed by one line per key
// slot, so the verdict on each slot is readable without opening properties.
func messageWithSlots(f finding.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	for _, s := range f.Slots {
		b.WriteString("\n- " + s.Name + ": " + string(s.Status))
		if s.Reason != "" {
			b.WriteString(" (" + s.Reason + ")")
		}
	}
	return b.String()
}

// sarifInvocation records when the scan ran and whether it read everything:
// a scan with gaps did not execute successfully, and each gap is an error
// notification, so a SARIF consumer cannot mistake it for a clean scan.
func sarifInvocation(r *Report) *sarif.Invocation {
	inv := sarif.NewInvocation().WithStartTimeUtc(r.Started.UTC().Format(time.RFC3339Nano)).
		WithEndTimeUtc(r.Finished.UTC().Format(time.RFC3339Nano)).
		WithExecutionSuccessful(len(r.Gaps) == 0)
	for _, g := range r.Gaps {
		text := "not read: account " + g.Account + " region " + g.Region + " " + g.Service + ": " + g.Reason
		inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel(sarif.LevelError).
			WithMessage(sarif.NewTextMessage(text)).
			WithProperties(sarif.NewPropertyBag().Add("account", g.Account).Add("region", g.Region).
				Add("service", g.Service).Add("reason", g.Reason)))
	}
	return inv
}

func sarifRunProperties(r *Report) *sarif.PropertyBag {
	p := sarif.NewPropertyBag().Add("accounts", nonNil(r.Accounts)).Add("regions", nonNil(r.Regions))
	if r.RunID != 0 {
		p.Add("run_id", r.RunID)
	}
	if !r.Since.IsZero() {
		p.Add("since", r.Since.UTC().Format(time.RFC3339))
	}
	return p
}
