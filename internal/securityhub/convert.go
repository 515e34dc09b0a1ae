package securityhub

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/sagekey/sagekey/internal/report"
)

// toSDK converts findings field by field. An explicit conversion, not a
// JSON round trip, so the compiler sees every field, and a field added to
// report.ASFFFinding without a line here is caught by the conversion test.
func toSDK(fs []sized) []types.AwsSecurityFinding {
	out := make([]types.AwsSecurityFinding, len(fs))
	for i, f := range fs {
		out[i] = sdkFinding(f.ASFFFinding)
	}
	return out
}

func sdkFinding(f report.ASFFFinding) types.AwsSecurityFinding {
	out := types.AwsSecurityFinding{
		SchemaVersion:     str(f.SchemaVersion),
		Id:                str(f.Id),
		ProductArn:        str(f.ProductArn),
		ProductName:       str(f.ProductName),
		CompanyName:       str(f.CompanyName),
		GeneratorId:       str(f.GeneratorId),
		AwsAccountId:      str(f.AwsAccountId),
		Types:             slices.Clone(f.Types),
		FirstObservedAt:   str(f.FirstObservedAt),
		LastObservedAt:    str(f.LastObservedAt),
		CreatedAt:         str(f.CreatedAt),
		UpdatedAt:         str(f.UpdatedAt),
		Severity:          severity(f.Severity),
		Title:             str(f.Title),
		Description:       str(f.Description),
		ProductFields:     dict(f.ProductFields),
		UserDefinedFields: dict(f.UserDefinedFields),
		RecordState:       types.RecordState(f.RecordState),
	}
	for _, r := range f.Resources {
		out.Resources = append(out.Resources, types.Resource{
			Type:      str(r.Type),
			Id:        str(r.Id),
			Partition: types.Partition(r.Partition),
			Region:    str(r.Region),
			Tags:      dict(r.Tags),
		})
	}
	if r := f.Remediation; r != nil {
		out.Remediation = &types.Remediation{Recommendation: &types.Recommendation{
			Text: str(r.Recommendation.Text),
			Url:  str(r.Recommendation.Url),
		}}
	}
	if c := f.Compliance; c != nil {
		out.Compliance = &types.Compliance{Status: types.ComplianceStatus(c.Status)}
		for _, s := range c.StatusReasons {
			out.Compliance.StatusReasons = append(out.Compliance.StatusReasons,
				types.StatusReason{ReasonCode: str(s.ReasonCode), Description: str(s.Description)})
		}
	}
	if w := f.Workflow; w != nil {
		out.Workflow = &types.Workflow{Status: types.WorkflowStatus(w.Status)}
	}
	if p := f.FindingProviderFields; p != nil {
		out.FindingProviderFields = &types.FindingProviderFields{Types: slices.Clone(p.Types)}
		if s := p.Severity; s != nil {
			out.FindingProviderFields.Severity = &types.FindingProviderSeverity{
				Label:    types.SeverityLabel(s.Label),
				Original: str(s.Original),
			}
		}
	}
	return out
}

func severity(s report.ASFFSeverity) *types.Severity {
	return &types.Severity{Label: types.SeverityLabel(s.Label), Original: str(s.Original)}
}

// str leaves empty strings out, as omitempty does in the JSON writer:
// Security Hub rejects blank values where it accepts an absent one.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dict leaves empty maps out: an empty Tags object is refused ("should NOT
// have fewer than 1 properties").
func dict(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}
