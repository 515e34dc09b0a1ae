// Package demo seeds a realistic SageMaker estate into the moto emulator
// through the AWS SDK, for sagekey's demo command and its integration tests.
//
// The estate deliberately mixes compliant and non-compliant resources (every
// KMS key identifier form, missing keys, AWS-managed aliases, disabled and
// pending-deletion keys, NVMe-only and serverless variants, a dangling
// endpoint, HyperPod clusters) so that the demo shows every verdict the
// auditor can give. Seed returns a Manifest recording the verdict the
// auditor is EXPECTED to reach for each resource, which lets tests compare
// the auditor's output with ground truth instead of with a golden file.
//
// The estate also seeds IAM (the execution roles, their policies and a key
// administrator) and realistic key policies, so the key-access checks judge
// real policies: Manifest.Checks holds the expected <kind>.key-access and
// kms-key.least-privilege verdicts.
package demo

import "fmt"

// Resource kinds, as reported by the auditor.
const (
	KindNotebookInstance = "notebook-instance"
	KindEndpointConfig   = "endpoint-config"
	KindEndpoint         = "endpoint"
	KindTrainingJob      = "training-job"
	KindCluster          = "cluster"

	KindProcessingJob            = "processing-job"
	KindTransformJob             = "transform-job"
	KindHyperParameterTuningJob  = "hyper-parameter-tuning-job"
	KindAutoMLJob                = "auto-ml-job"
	KindCompilationJob           = "compilation-job"
	KindDomain                   = "domain"
	KindDataQualityJobDefinition = "data-quality-job-definition"
	KindModelCard                = "model-card"
	KindPipeline                 = "pipeline"
)

// Expected verdicts.
const (
	StatusPass          = "PASS"
	StatusFail          = "FAIL"
	StatusNotApplicable = "NOT_APPLICABLE"
	StatusError         = "ERROR"
)

// Logical key names used in Manifest.Keys.
const (
	KeyHealthy         = "healthy"          // enabled CMK, rotation on, aliased as AliasSageMakerData
	KeyDisabled        = "disabled"         // CMK in state Disabled
	KeyPendingDeletion = "pending-deletion" // CMK in state PendingDeletion (7-day window)
	KeyRotationOff     = "rotating-off"     // enabled CMK with rotation off (still compliant)
	KeyMultiRegion     = "mrk"              // enabled multi-Region primary key (id starts with mrk-)
	KeySecondary       = "healthy-eu"       // enabled CMK in the second region

	// The key-access cases (access_cases.go), one key each, all enabled
	// CMKs with rotation on in the first region.
	KeyNamedRole     = "names-role"        // key policy names the workload's role directly
	KeyNoDelegation  = "no-iam-delegation" // key policy names neither the role nor the account root
	KeyDelegatedOnly = "iam-delegated"     // default key policy (root): only IAM could allow the role
	KeyDenyGrants    = "denies-grants"     // key policy Deny kms:CreateGrant to the execution role
	KeySharedRoles   = "three-roles"       // key policy names three roles, one workload uses it
	KeyBucketBound   = "bucket-bound"      // usage allowed only for one bucket's encryption context
	KeyGrantOnly     = "grant-only"        // a grant, not a policy, lets the role use it
)

// AliasSageMakerData is the customer alias pointing at the KeyHealthy key
// in the first region.
const AliasSageMakerData = "alias/sagemaker-data"

// Expectation is one seeded SageMaker resource and the verdict the auditor
// should give it.
type Expectation struct {
	Kind   string // one of the Kind* constants
	Name   string
	Region string
	Status string // one of the Status* constants
	Why    string // one line: what makes it so
}

// CheckExpectation is the verdict one check should give one resource or
// key, for checks other than <kind>.cmk (whose verdicts are Resources).
type CheckExpectation struct {
	CheckID string // "notebook-instance.key-access", "kms-key.least-privilege"
	Kind    string // the finding's resource kind ("kms-key" for key checks)
	Region  string
	// Name is the resource's name; for a key, "key/<id>", as key findings
	// name it.
	Name   string
	Status string // one of the Status* constants
	Why    string // one line: what makes it so
	// Message holds substrings the finding's message must contain: the
	// role, key and reason that a FAIL or ERROR names.
	Message []string
}

// Manifest describes everything Seed created.
type Manifest struct {
	Account   string            // from STS GetCallerIdentity (moto: 123456789012)
	Keys      map[string]string // logical name (Key* constants) -> key ARN
	Resources []Expectation
	Checks    []CheckExpectation
	Roles     []string // ARNs of the IAM roles Seed created
}

// RoleARN is the ARN of a seeded IAM role (Role* constants).
func (m *Manifest) RoleARN(name string) string {
	return "arn:aws:iam::" + m.Account + ":role/" + name
}

// FindCheck returns the expectation of one check on one resource or key.
func (m *Manifest) FindCheck(checkID, region, name string) (CheckExpectation, bool) {
	for _, c := range m.Checks {
		if c.CheckID == checkID && c.Region == region && c.Name == name {
			return c, true
		}
	}
	return CheckExpectation{}, false
}

// ByKind returns the expectations of one kind, in seeding order.
func (m *Manifest) ByKind(kind string) []Expectation {
	var out []Expectation
	for _, e := range m.Resources {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// Find returns the expectation for a resource, if it was seeded.
func (m *Manifest) Find(kind, region, name string) (Expectation, bool) {
	for _, e := range m.Resources {
		if e.Kind == kind && e.Region == region && e.Name == name {
			return e, true
		}
	}
	return Expectation{}, false
}

func (m *Manifest) expect(kind, region, name, status, why string) {
	m.Resources = append(m.Resources, Expectation{
		Kind: kind, Name: name, Region: region, Status: status, Why: why,
	})
}

func (m *Manifest) expectCheck(c CheckExpectation) {
	m.Checks = append(m.Checks, c)
}

func (m *Manifest) key(name string) string {
	arn, ok := m.Keys[name]
	if !ok {
		panic(fmt.Sprintf("demo: key %q used before it was seeded", name))
	}
	return arn
}
