package report

import (
	"io"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
)

// The AWS Security Finding Format (ASFF) as BatchImportFindings accepts it.
// sagekey declares its own structs rather than marshalling the SDK's types:
// the report package stays free of the AWS SDK, and the JSON names here are
// the ASFF names, so the file `sagekey scan --format asff` writes is what
// `aws securityhub batch-import-findings --findings file://f.json` takes.
// internal/securityhub converts these values to the SDK's types field by
// field.

// ASFF constants. The schema version is the only one ASFF has; the limits
// are those of the AwsSecurityFinding API reference.
const (
	ASFFSchemaVersion = "2018-10-08"
	asffTitleMax      = 256
	asffDescMax       = 1024
	asffRecommendMax  = 512
	asffFieldValueMax = 2048 // ProductFields values
	asffUserValueMax  = 1024 // UserDefinedFields values (≤ 50 pairs, keys ≤ 128)
	asffReasonMax     = 1024 // our own cap on StatusReasons descriptions
	asffTimeLayout    = "2006-01-02T15:04:05.000Z07:00"
)

// ASFF finding types: namespace/category/classifier. The namespace and
// category come from the ASFF types taxonomy; the classifier (the third
// part) may be the provider's own. No industry-standard type is added:
// sagekey's checks are not mapped to the controls of any standard, and
// claiming one would mislead a compliance report.
const (
	asffTypeCMK  = "Software and Configuration Checks/AWS Security Best Practices/Encryption at rest with customer-managed KMS keys"
	asffTypeTags = "Software and Configuration Checks/AWS Security Best Practices/Resource ownership tags"
)

// ASFFFinding is one finding in ASFF. Required attributes have no omitempty.
type ASFFFinding struct {
	SchemaVersion         string                     `json:"SchemaVersion"`
	Id                    string                     `json:"Id"`
	ProductArn            string                     `json:"ProductArn"`
	ProductName           string                     `json:"ProductName,omitempty"`
	CompanyName           string                     `json:"CompanyName,omitempty"`
	GeneratorId           string                     `json:"GeneratorId"`
	AwsAccountId          string                     `json:"AwsAccountId"`
	Types                 []string                   `json:"Types"`
	FirstObservedAt       string                     `json:"FirstObservedAt,omitempty"`
	LastObservedAt        string                     `json:"LastObservedAt,omitempty"`
	CreatedAt             string                     `json:"CreatedAt"`
	UpdatedAt             string                     `json:"UpdatedAt"`
	Severity              ASFFSeverity               `json:"Severity"`
	Title                 string                     `json:"Title"`
	Description           string                     `json:"Description"`
	Remediation           *ASFFRemediation           `json:"Remediation,omitempty"`
	ProductFields         map[string]string          `json:"ProductFields,omitempty"`
	UserDefinedFields     map[string]string          `json:"UserDefinedFields,omitempty"`
	Resources             []ASFFResource             `json:"Resources"`
	Compliance            *ASFFCompliance            `json:"Compliance,omitempty"`
	Workflow              *ASFFWorkflow              `json:"Workflow,omitempty"`
	RecordState           string                     `json:"RecordState,omitempty"`
	FindingProviderFields *ASFFFindingProviderFields `json:"FindingProviderFields,omitempty"`
}

// ASFFSeverity is the finding's severity: Label is one of INFORMATIONAL,
// LOW, MEDIUM, HIGH, CRITICAL; Original is sagekey's own name.
type ASFFSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original,omitempty"`
}

// ASFFRemediation says how to fix the finding.
type ASFFRemediation struct {
	Recommendation ASFFRecommendation `json:"Recommendation"`
}

// ASFFRecommendation is the fix in words (≤ 512 characters) and a link.
type ASFFRecommendation struct {
	Text string `json:"Text,omitempty"`
	Url  string `json:"Url,omitempty"`
}

// ASFFResource is the resource a finding is about.
type ASFFResource struct {
	Type      string            `json:"Type"`
	Id        string            `json:"Id"`
	Partition string            `json:"Partition,omitempty"`
	Region    string            `json:"Region,omitempty"`
	Tags      map[string]string `json:"Tags,omitempty"`
}

// ASFFCompliance is the check's verdict: PASSED, FAILED or NOT_AVAILABLE.
type ASFFCompliance struct {
	Status        string             `json:"Status"`
	StatusReasons []ASFFStatusReason `json:"StatusReasons,omitempty"`
}

// ASFFStatusReason explains a compliance status.
type ASFFStatusReason struct {
	ReasonCode  string `json:"ReasonCode"`
	Description string `json:"Description,omitempty"`
}

// ASFFWorkflow is the investigation status: NEW, SUPPRESSED or RESOLVED.
// Security Hub honours it only when a finding is first imported; after that
// it belongs to the people triaging (BatchUpdateFindings), and a change of
// compliance status is what moves it.
type ASFFWorkflow struct {
	Status string `json:"Status"`
}

// ASFFFindingProviderFields repeats Severity and Types where a provider may
// update them: on a re-import Security Hub ignores changes to the top-level
// copies, so without these a finding whose severity changed would keep its
// first one.
type ASFFFindingProviderFields struct {
	Severity *ASFFSeverity `json:"Severity,omitempty"`
	Types    []string      `json:"Types,omitempty"`
}

// ASFFReasonUnverified is the StatusReasons code of an ERROR finding.
const ASFFReasonUnverified = "SAGEKEY_COULD_NOT_VERIFY"

// ASFFFindings converts the report's findings to ASFF, in report order.
// NOT_APPLICABLE findings are left out: ASFF has no compliance status for
// "does not apply" (NOT_AVAILABLE means "could not be evaluated", which is
// ERROR's meaning), and each imported finding costs a Security Hub
// ingestion event for nothing anyone can act on.
func ASFFFindings(r *Report) []ASFFFinding {
	out := make([]ASFFFinding, 0, r.Findings.Len())
	for _, f := range r.Findings.All() {
		if a, ok := asffFinding(r, f); ok {
			out = append(out, a)
		}
	}
	return out
}

// WriteASFF writes the findings as a JSON array of ASFF findings, one at a
// time so a large scan is not held twice in memory.
func WriteASFF(w io.Writer, r *Report) error {
	return writeJSONArray(w, func(yield func(ASFFFinding) bool) {
		for _, f := range r.Findings.All() {
			if a, ok := asffFinding(r, f); ok && !yield(a) {
				return
			}
		}
	})
}

func asffFinding(r *Report, f finding.Finding) (ASFFFinding, bool) {
	compliance, workflow, ok := asffStatus(f)
	if !ok {
		return ASFFFinding{}, false
	}
	arn := parseARN(f.Resource.ARN)
	account := asffFirst(f.Resource.Account, arn.account)
	region := asffFirst(f.Resource.Region, arn.region)
	rule, _ := CheckInfo(f.CheckID)
	sev := ASFFSeverity{Label: asffSeverityLabel(f.Severity), Original: f.Severity.String()}
	types := []string{asffType(f.CheckID)}
	seen := r.historyOf(f)
	created, updated := asffTime(seen.FirstSeen), asffTime(r.Finished)
	observed := created
	if !seen.FailingSince.IsZero() {
		observed = asffTime(seen.FailingSince)
	}
	return ASFFFinding{
		SchemaVersion:   ASFFSchemaVersion,
		Id:              "sagekey/" + FindingID(f),
		ProductArn:      ASFFProductARN(arn.partition, region, account),
		ProductName:     "sagekey",
		CompanyName:     "sagekey",
		GeneratorId:     "sagekey/" + f.CheckID,
		AwsAccountId:    account,
		Types:           types,
		FirstObservedAt: observed,
		LastObservedAt:  updated,
		CreatedAt:       created,
		UpdatedAt:       updated,
		Severity:        sev,
		Title:           asffText(asffFirst(rule.Title, f.CheckID), asffTitleMax),
		Description:     asffText(asffFirst(asffVerdict(f), rule.Title, f.CheckID), asffDescMax),
		Remediation: &ASFFRemediation{Recommendation: ASFFRecommendation{
			Text: asffText(asffFirst(f.Remediation, rule.Remediation), asffRecommendMax),
			Url:  DocsURL(f.CheckID),
		}},
		ProductFields:     asffProductFields(f),
		UserDefinedFields: asffUserFields(r, f),
		Resources: []ASFFResource{{
			Type:      asffResourceType(f.Resource.Kind),
			Id:        f.Resource.ARN,
			Partition: asffPartition(arn.partition),
			Region:    region,
			Tags:      f.Resource.Tags,
		}},
		Compliance:            compliance,
		Workflow:              workflow,
		RecordState:           "ACTIVE",
		FindingProviderFields: &ASFFFindingProviderFields{Severity: &sev, Types: types},
	}, true
}

// asffStatus maps sagekey's verdict to compliance and workflow status. A
// MUTED finding still fails the check; the suppression is a triage
// decision, which is what SUPPRESSED means in Security Hub.
func asffStatus(f finding.Finding) (*ASFFCompliance, *ASFFWorkflow, bool) {
	switch f.Status {
	case finding.Fail:
		return &ASFFCompliance{Status: "FAILED"}, &ASFFWorkflow{Status: "NEW"}, true
	case finding.Muted:
		return &ASFFCompliance{Status: "FAILED"}, &ASFFWorkflow{Status: "SUPPRESSED"}, true
	case finding.Pass:
		return &ASFFCompliance{Status: "PASSED"}, &ASFFWorkflow{Status: "RESOLVED"}, true
	case finding.Error:
		return &ASFFCompliance{Status: "NOT_AVAILABLE", StatusReasons: []ASFFStatusReason{{
			ReasonCode:  ASFFReasonUnverified,
			Description: asffText("sagekey could not verify this resource, so it is not reported as passing: "+f.Message, asffReasonMax),
		}}}, &ASFFWorkflow{Status: "NEW"}, true
	}
	return nil, nil, false
}

// ASFFProductARN is the default product of a custom integration: every
// account has one in every region, and BatchImportFindings only accepts
// it from that account, in that region.
func ASFFProductARN(partition, region, account string) string {
	return "arn:" + asffFirst(partition, "aws") + ":securityhub:" + region + ":" + account +
		":product/" + account + "/default"
}

func asffTime(t time.Time) string { return t.UTC().Format(asffTimeLayout) }

var asffSeverityLabels = map[finding.Severity]string{
	finding.Info: "INFORMATIONAL", finding.Low: "LOW", finding.Medium: "MEDIUM",
	finding.High: "HIGH", finding.Critical: "CRITICAL",
}

// asffSeverityLabel clamps a severity outside the known range rather than
// understating it.
func asffSeverityLabel(s finding.Severity) string {
	return asffSeverityLabels[min(max(s, finding.Info), finding.Critical)]
}
