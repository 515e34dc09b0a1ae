// Package cost estimates what the KMS keys protecting SageMaker data cost
// each month and attributes it to cost centers (showback). The prices live
// in one table, Pricing, with their sources; nothing else in sagekey knows
// a price.
package cost

// Price is one pricing fact with where it comes from.
type Price struct {
	Item   string  `json:"item"`
	USD    float64 `json:"usd"`
	Source string  `json:"source"`
}

// Prices used by the estimate (AWS commercial regions, USD). Request charges
// ($0.03 per 10,000 symmetric requests after a 20,000-request free tier) are
// not estimated: they depend on traffic that a configuration scan cannot
// see.
var (
	// KeyMonth is the monthly fee of a customer-managed key; every copy of a
	// multi-Region key is billed as a key.
	KeyMonth = Price{Item: "customer-managed key, per key-month (each multi-Region primary and replica)", USD: 1.00,
		Source: "https://aws.amazon.com/kms/pricing/"}
	// RotationMonth is added per rotation of the key material; only the
	// first and second rotations are charged (MaxChargedRotations).
	RotationMonth = Price{Item: "each of the first two rotations of a key, per key-month", USD: 1.00,
		Source: "https://aws.amazon.com/blogs/security/the-curious-case-of-faster-aws-kms-symmetric-key-rotation/"}
	// PendingDeletion: keys scheduled for deletion are not charged while
	// pending.
	PendingDeletion = Price{Item: "key pending deletion, per key-month", USD: 0,
		Source: "https://aws.amazon.com/kms/pricing/"}
	// AWSManaged: AWS-managed (aws/...) and AWS-owned keys have no monthly
	// fee.
	AWSManaged = Price{Item: "AWS-managed or AWS-owned key, per key-month", USD: 0,
		Source: "https://aws.amazon.com/kms/pricing/"}
)

// MaxChargedRotations is the cap on charged rotations: a key costs at most
// $1 + 2 × $1 a month however often it rotates.
const MaxChargedRotations = 2

// Pricing lists every price the estimate uses, for reports and docs.
func Pricing() []Price { return []Price{KeyMonth, RotationMonth, PendingDeletion, AWSManaged} }
