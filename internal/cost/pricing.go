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
// depend on traffic a configuration scan cannot see, so they are estimated
// only from the KMS requests CloudTrail recorded (sagekey trail).
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
	// Requests is the charge for symmetric-key API requests (Decrypt,
	// GenerateDataKey, CreateGrant, ...), the calls SageMaker makes. Requests
	// on AWS-managed keys are charged too: only their monthly fee is waived.
	Requests = Price{Item: "symmetric-key API requests, per 10,000 requests (AWS-managed keys included)", USD: 0.03,
		Source: "https://aws.amazon.com/kms/pricing/"}
	// FreeRequests is the free tier: FreeRequestsPerAccountMonth requests a
	// month per account, across all its regions and keys.
	FreeRequests = Price{Item: "first 20,000 requests per account-month, all regions and keys (free tier)", USD: 0,
		Source: "https://aws.amazon.com/kms/pricing/"}
)

// MaxChargedRotations is the cap on charged rotations: a key costs at most
// $1 + 2 × $1 a month however often it rotates.
const MaxChargedRotations = 2

// RequestsPerPriceUnit is the number of requests Requests.USD pays for.
const RequestsPerPriceUnit = 10_000

// FreeRequestsPerAccountMonth is the free tier (FreeRequests).
const FreeRequestsPerAccountMonth = 20_000

// Pricing lists every price the estimates use, for reports and docs.
func Pricing() []Price { return append(keyPricing(), requestPricing()...) }

// keyPricing are the prices of the key fees, which every estimate uses.
func keyPricing() []Price { return []Price{KeyMonth, RotationMonth, PendingDeletion, AWSManaged} }

// requestPricing are the prices of the request charges, listed only in
// estimates that priced requests.
func requestPricing() []Price { return []Price{Requests, FreeRequests} }
