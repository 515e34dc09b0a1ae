package rules

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
)

// The <kind>.cmk rules share one judgement: each slot is judged on its own,
// then the slot verdicts combine (design notes §2):
//   - any slot not protected by a healthy CMK → FAIL
//   - otherwise any slot that could not be verified → ERROR
//   - otherwise any slot with a healthy CMK → PASS
//   - otherwise (every slot inapplicable) → NOT_APPLICABLE

// slotVerdict is a judged slot with the severity its problem deserves.
type slotVerdict struct {
	finding.Slot
	label    string
	severity finding.Severity
}

// judgeResource applies a cmk rule to one resource of its kind.
func judgeResource(c *Context, rule Rule, kind catalog.Kind, r inventory.Resource) finding.Finding {
	f := rule.newFinding(resourceOf(r))
	verdicts := make([]slotVerdict, 0, len(r.Slots))
	for _, s := range r.Slots {
		v := judgeSlot(c, kind, r, s, f.Severity)
		verdicts = append(verdicts, v)
		f.Slots = append(f.Slots, v.Slot)
	}
	f.Status, f.Severity, f.Message = combine(kind, verdicts, f.Severity)
	return f
}

// judgeSlot decides one slot. base is the rule's default severity.
func judgeSlot(c *Context, kind catalog.Kind, r inventory.Resource, s inventory.Slot, base finding.Severity) slotVerdict {
	v := slotVerdict{Slot: finding.Slot{Name: s.Name, KeyRef: s.KeyRef}, label: s.Label, severity: base}
	if v.label == "" {
		v.label = s.Name
	}
	spec, _ := kind.Slot(s.Type)
	set := func(st finding.Status, reason string) slotVerdict {
		v.Status, v.Reason = st, reason
		return v
	}
	if s.Unknown != "" {
		return set(finding.Error, s.Unknown)
	}
	if s.KeyRef == "" {
		if reason := inapplicable(spec, s); reason != "" {
			return set(finding.NotApplicable, reason)
		}
		empty := spec.EmptyMeans
		if empty == "" {
			empty = "no key"
		}
		return set(finding.Fail, empty)
	}
	// A key configured where none is needed is still judged: a disabled or
	// foreign key there is still a problem worth knowing about.
	ref := keys.ParseRef(s.KeyRef, r.Account, r.Region)
	if ref.AWSManagedAlias() {
		v.KeyManager = string(keys.ManagerAWS)
		return set(finding.Fail, fmt.Sprintf("AWS-managed key %s: not a key you control", s.KeyRef))
	}
	k, ok := c.Keys.Get(ref.Canonical())
	if !ok {
		return set(finding.Error, fmt.Sprintf("key %s was not resolved", s.KeyRef))
	}
	v.KeyARN, v.KeyManager, v.KeyState = k.ARN, string(k.Manager), k.State
	if k.NotFound {
		v.severity = finding.Critical
		return set(finding.Fail, fmt.Sprintf("key %s does not exist: data encrypted with it may be unrecoverable", s.KeyRef))
	}
	if k.Error != "" {
		return set(finding.Error, fmt.Sprintf("key %s could not be verified: %s", s.KeyRef, k.Error))
	}
	// PASS needs KMS to have said CUSTOMER and a state; a description
	// missing either proves nothing.
	if k.Manager == keys.ManagerUnknown || k.State == "" {
		return set(finding.Error, fmt.Sprintf("key %s: KMS did not report its manager and state", s.KeyRef))
	}
	if reason, sev := keyProblem(c, k); reason != "" {
		v.severity = max(v.severity, sev)
		return set(finding.Fail, fmt.Sprintf("key %s %s", s.KeyRef, reason))
	}
	return set(finding.Pass, "customer-managed key, Enabled")
}

// keyProblem says why a described key is not a healthy, approved CMK.
func keyProblem(c *Context, k *keys.Key) (string, finding.Severity) {
	switch {
	case k.Manager == keys.ManagerAWS:
		return "is AWS-managed: not a key you control", finding.High
	case k.State == "PendingDeletion" || k.State == "PendingReplicaDeletion":
		when := ""
		if !k.DeletionDate.IsZero() {
			when = " on " + k.DeletionDate.UTC().Format("2006-01-02")
		}
		return fmt.Sprintf("is pending deletion%s: the data becomes unrecoverable", when), finding.Critical
	case k.State != keys.StateEnabled:
		return fmt.Sprintf("is %s, not Enabled: the data cannot be read", k.State), finding.High
	case len(c.ApprovedKeys) > 0 && !c.ApprovedKeys[k.ARN]:
		return "is not on the approved key list", finding.High
	}
	return "", finding.Info
}

// inapplicable returns why an empty slot cannot take a key, or "".
func inapplicable(spec catalog.SlotSpec, s inventory.Slot) string {
	switch {
	case s.Unsupported != "":
		return s.Unsupported
	case spec.ServerlessExempt && s.Serverless:
		return "serverless variants have no ML storage volume"
	case spec.LocalStorage != catalog.TableNone && allLocalStorage(spec.LocalStorage, s.InstanceTypes):
		return fmt.Sprintf("instance type %s has local NVMe storage, encrypted by the instance hardware; no volume key applies",
			strings.Join(s.InstanceTypes, ", "))
	case spec.S3Output && isS3Express(s.OutputURI):
		return "S3 Express One Zone outputs cannot use KMS keys (always SSE-S3)"
	}
	return ""
}

func allLocalStorage(t catalog.Table, types []string) bool {
	if len(types) == 0 {
		return false
	}
	for _, it := range types {
		if !catalog.HasLocalStorage(t, it) {
			return false
		}
	}
	return true
}

// isS3Express recognises directory-bucket names, which end in "--x-s3".
func isS3Express(uri string) bool {
	bucket, _, _ := strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	return strings.HasSuffix(bucket, "--x-s3")
}

// combine folds slot verdicts into the resource verdict and its message.
func combine(kind catalog.Kind, vs []slotVerdict, base finding.Severity) (finding.Status, finding.Severity, string) {
	by := map[finding.Status][]slotVerdict{}
	sev := base
	for _, v := range vs {
		by[v.Status] = append(by[v.Status], v)
		if v.Status == finding.Fail {
			sev = max(sev, v.severity)
		}
	}
	describe := func(vs []slotVerdict) string {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = v.label + ": " + v.Reason
		}
		return strings.Join(parts, "; ")
	}
	switch {
	case len(by[finding.Fail]) > 0:
		return finding.Fail, sev, fmt.Sprintf("%d of %d key slots not protected by a healthy customer-managed key: %s",
			len(by[finding.Fail]), len(vs), describe(by[finding.Fail]))
	case len(by[finding.Error]) > 0:
		return finding.Error, base, "could not verify: " + describe(by[finding.Error])
	case len(by[finding.Pass]) > 0:
		msg := fmt.Sprintf("all %d applicable key slots use an Enabled customer-managed key", len(by[finding.Pass]))
		if na := by[finding.NotApplicable]; len(na) > 0 {
			msg += " (not applicable: " + describe(na) + ")"
		}
		return finding.Pass, base, msg
	case len(vs) == 0:
		return finding.NotApplicable, base, kind.Title + " has no key slots"
	}
	return finding.NotApplicable, base, "no slot can take a key: " + describe(by[finding.NotApplicable])
}

// cmkRule builds the metadata shared by every <kind>.cmk rule.
func cmkRule(kindID, rationale string) Rule {
	kind := catalog.MustLookup(kindID)
	rule := Rule{
		ID: kindID + ".cmk", Kind: kindID,
		Title:       kind.Title + " data at rest is encrypted with a healthy customer-managed KMS key",
		Severity:    finding.High,
		Rationale:   rationale,
		Remediation: kind.Remediation,
		Examples:    cmkExamples(kind),
	}
	meta := rule
	rule.CheckResource = func(c *Context, r inventory.Resource) finding.Finding {
		return judgeResource(c, meta, kind, r)
	}
	return rule
}

func cmkRules() []Rule {
	return []Rule{
		NotebookInstanceCMK(), EndpointConfigCMK(), EndpointCMK(), TrainingJobCMK(), ClusterCMK(),
		ProcessingJobCMK(), TransformJobCMK(), HyperParameterTuningJobCMK(), AutoMLJobCMK(), LabelingJobCMK(),
		CompilationJobCMK(), EdgePackagingJobCMK(), InferenceRecommendationsJobCMK(), OptimizationJobCMK(), DomainCMK(),
		UserProfileCMK(), FeatureGroupCMK(), DataQualityJobDefinitionCMK(), ModelQualityJobDefinitionCMK(), ModelBiasJobDefinitionCMK(),
		ModelExplainabilityJobDefinitionCMK(), MonitoringScheduleCMK(), ModelCardCMK(), ModelPackageCMK(), AlgorithmCMK(),
		InferenceExperimentCMK(), DeviceFleetCMK(), FlowDefinitionCMK(), PartnerAppCMK(), PipelineCMK(), ModelCustomizationJobCMK(),
	}
}
