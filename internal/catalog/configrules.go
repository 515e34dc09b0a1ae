package catalog

// Trigger says when an AWS Config rule evaluates.
type Trigger string

// Config rule triggers.
const (
	TriggerPeriodic Trigger = "periodic"
	TriggerChange   Trigger = "change"
)

// ConfigRule is an AWS Config managed rule that checks a kind's at-rest KMS
// key (reference §5). Kinds without one are covered, after the fact, only by
// running sagekey scan on a schedule.
type ConfigRule struct {
	Identifier string // SourceIdentifier, e.g. SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED
	Name       string // default rule name
	// KeyParam is the rule's approved-key parameter (a comma-separated list
	// of exact key ARNs); "" when the rule takes none.
	KeyParam string
	Trigger  Trigger
	// Slots are the slot ids of the kind the rule checks.
	Slots []string
	// Caveat is what is unverified or limited about the rule, shown to the
	// reader; "" when nothing is.
	Caveat string
}

var (
	// The keyArns parameter is marked [U] in reference §5: AWS documents the
	// rule, but the parameter was not verified against a primary source; the
	// periodic trigger is also unverified.
	notebookKMSRule = ConfigRule{
		Identifier: "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED",
		Name:       "sagemaker-notebook-instance-kms-key-configured",
		KeyParam:   "keyArns", Trigger: TriggerPeriodic, Slots: []string{"volume"},
		Caveat: "the keyArns parameter and the periodic trigger are unverified",
	}
	endpointConfigKMSConfiguredRule = ConfigRule{
		Identifier: "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED",
		Name:       "sagemaker-endpoint-configuration-kms-key-configured",
		KeyParam:   "kmsKeyArns", Trigger: TriggerPeriodic, Slots: []string{"volume"},
	}
	endpointConfigKMSRequiredRule = ConfigRule{
		Identifier: "SAGEMAKER_ENDPOINT_CONFIG_KMS_KEY_REQUIRED",
		Name:       "sagemaker-endpoint-config-kms-key-required",
		Trigger:    TriggerChange, Slots: []string{"volume"},
		Caveat: "a newer rule that is not available in every region",
	}
	featureGroupOnlineRule = ConfigRule{
		Identifier: "SAGEMAKER_FEATUREGROUP_ONLINE_STORE_ENCRYPTION",
		Name:       "sagemaker-featuregroup-online-store-encryption",
		Trigger:    TriggerChange, Slots: []string{"online-store"},
		Caveat: "checks online stores with standard storage only; the change trigger is unverified",
	}
)
