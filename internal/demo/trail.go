package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/trail"
)

// The principals of the demo trail.
const (
	TrailPlatformRole  = "ml-platform-deployer" // creates through Terraform
	TrailScientistRole = "data-scientist"       // creates with the SageMaker Python SDK
	TrailSecurityRole  = "security-admin"       // disables and schedules deletion of keys
	TrailTrainingRole  = "NewTrainingRole"      // an execution role the key policy does not name
	// TrailOutsideAccount is an account outside the estate that tries a key.
	TrailOutsideAccount = "999988887777"
	// TrailGuardrailSCP is the SCP ID of sagekey's guardrails in the demo
	// organization; pass it as --guardrail-policy.
	TrailGuardrailSCP = "p-sagekey01"
)

// TrailResource is one scanned resource the demo trail creates.
type TrailResource struct {
	ARN, Kind, Name, Region string
}

// TrailExpectation is what sagekey trail must find in the demo trail,
// derived from the events as they are generated.
type TrailExpectation struct {
	// Creators maps a lower-case resource ARN to its principal and tool.
	Creators map[string][2]string
	// Denials counts KMS access denials per key ARN; Unauthorized those by
	// principals the key policy names neither directly nor by account.
	Denials      map[string]int64
	Unauthorized int64
	// Blocked counts the explicit denies of SageMaker creates, per
	// calendar month ("2026-11"); ByGuardrail those of TrailGuardrailSCP.
	Blocked     map[string]int64
	ByGuardrail int64
	// KeyEvents are the lifecycle actions per key ARN ("kms:DisableKey").
	KeyEvents map[string][]string
	// Requests counts SageMaker's KMS requests per key ARN.
	Requests map[string]int64
}

// TrailEvents builds the CloudTrail history the demo estate would have by
// now: the create event of every resource, the key changes that made two
// keys unusable, KMS denials on two keys (by an execution role the key
// policy lacks and by an outside account), SageMaker's KMS traffic, and
// CreateNotebookInstance calls the guardrail SCP refused over two months.
// Every event is at least a day old, so its day has settled and counts.
func TrailEvents(account string, keys map[string]string, resources []TrailResource, now time.Time) ([]trail.Event, TrailExpectation) {
	b := &trailBuilder{account: account, now: now.UTC(), want: TrailExpectation{Creators: map[string][2]string{},
		Denials: map[string]int64{}, Blocked: map[string]int64{}, KeyEvents: map[string][]string{}, Requests: map[string]int64{}}}
	for i, r := range resources {
		role, ua, tool := TrailPlatformRole, "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0", trail.ToolTerraform
		if i%2 == 1 {
			role, ua, tool = TrailScientistRole, "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux lang/python#3.11.7 cfg/retry-mode#standard AWS-SageMaker-Python-SDK/2.232.0", trail.ToolSageMakerSDK
		}
		action := createAction(r.Kind)
		if action == "" {
			continue
		}
		resp, _ := json.Marshal(map[string]string{camel(r.Kind) + "Arn": r.ARN})
		b.add(trail.Event{EventSource: trail.SourceSageMaker, EventName: action, AWSRegion: r.Region, UserAgent: ua,
			UserIdentity: b.assumed(role, "alice"), ResponseElements: resp, RequestParameters: json.RawMessage(`{}`)}, 30*24*time.Hour-time.Duration(i)*time.Hour)
		b.want.Creators[strings.ToLower(r.ARN)] = [2]string{b.roleARN(role), tool}
	}
	region := "us-east-1"
	b.keyEvent(keys[KeyDisabled], region, "DisableKey", `{"keyId":"%s"}`, 20*24*time.Hour)
	b.keyEvent(keys[KeyPendingDeletion], region, "ScheduleKeyDeletion", `{"keyId":"%s","pendingWindowInDays":7}`, 2*24*time.Hour)
	for i := range 3 {
		b.denial(keys[KeyHealthy], region, b.assumed(TrailTrainingRole, "SageMaker"), "GenerateDataKey", time.Duration(i+1)*26*time.Hour, false)
	}
	for i := range 2 {
		b.denial(keys[KeyRotationOff], region, trail.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAOUTSIDE", AccountID: TrailOutsideAccount,
			ARN: "arn:aws:iam::" + TrailOutsideAccount + ":user/mallory"}, "Decrypt", time.Duration(i+3)*24*time.Hour, true)
	}
	for i := range 12 {
		op := "GenerateDataKey"
		if i%3 == 0 {
			op = "Decrypt"
		}
		b.add(trail.Event{EventSource: trail.SourceKMS, EventName: op, AWSRegion: region, SourceIPAddress: trail.SourceSageMaker,
			UserAgent: trail.SourceSageMaker, UserIdentity: trail.UserIdentity{Type: "AWSService", InvokedBy: trail.SourceSageMaker},
			RequestParameters: json.RawMessage(fmt.Sprintf(`{"keyId":%q}`, keys[KeyHealthy])),
			Resources:         []trail.EventResource{{ARN: keys[KeyHealthy], AccountID: account, Type: "AWS::KMS::Key"}}}, 26*time.Hour+time.Duration(i)*time.Hour)
		b.want.Requests[keys[KeyHealthy]]++
	}
	// Guardrail blocks this month and last, and one deny by another policy.
	for i, ago := range []time.Duration{27 * time.Hour, 50 * time.Hour, 35 * 24 * time.Hour, 36 * 24 * time.Hour} {
		policy := "arn:aws:organizations::" + account + ":policy/o-demo123456/service_control_policy/" + TrailGuardrailSCP
		b.blocked("service control", policy, ago+time.Duration(i)*time.Minute)
		b.want.ByGuardrail++
	}
	b.blocked("identity-based", "arn:aws:iam::"+account+":policy/legacy-deny-notebooks", 4*24*time.Hour)
	return b.events, b.want
}

type trailBuilder struct {
	account string
	now     time.Time
	events  []trail.Event
	want    TrailExpectation
	seq     int
}

func (b *trailBuilder) roleARN(role string) string {
	return "arn:aws:iam::" + b.account + ":role/" + role
}

func (b *trailBuilder) assumed(role, session string) trail.UserIdentity {
	return trail.UserIdentity{Type: "AssumedRole", PrincipalID: "AROADEMO:" + session, AccountID: b.account,
		ARN:            "arn:aws:sts::" + b.account + ":assumed-role/" + role + "/" + session,
		SessionContext: trail.SessionContext{SessionIssuer: trail.SessionIssuer{Type: "Role", ARN: b.roleARN(role)}}}
}

// add stamps an event ago before now with an ID, version and account.
func (b *trailBuilder) add(ev trail.Event, ago time.Duration) {
	b.seq++
	ev.EventVersion = "1.11"
	ev.EventID = fmt.Sprintf("00000000-demo-4000-8000-%012d", b.seq)
	ev.EventTime = b.now.Add(-ago).Truncate(time.Second)
	ev.RecipientAccountID = b.account
	if ev.SourceIPAddress == "" {
		ev.SourceIPAddress = "203.0.113.10"
	}
	b.events = append(b.events, ev)
}

func (b *trailBuilder) keyEvent(key, region, action, params string, ago time.Duration) {
	b.add(trail.Event{EventSource: trail.SourceKMS, EventName: action, AWSRegion: region,
		UserAgent: "aws-cli/2.15.0 md/awscrt#0.19.19 ua/2.0 os/linux#6.1", UserIdentity: b.assumed(TrailSecurityRole, "bob"),
		RequestParameters: json.RawMessage(fmt.Sprintf(params, key)),
		Resources:         []trail.EventResource{{ARN: key, AccountID: b.account, Type: "AWS::KMS::Key"}}}, ago)
	b.want.KeyEvents[key] = append(b.want.KeyEvents[key], "kms:"+action)
}

func (b *trailBuilder) denial(key, region string, who trail.UserIdentity, op string, ago time.Duration, unauthorized bool) {
	b.add(trail.Event{EventSource: trail.SourceKMS, EventName: op, AWSRegion: region, ErrorCode: "AccessDeniedException",
		ErrorMessage: "User: " + who.ARN + " is not authorized to perform: kms:" + op + " on resource: " + key +
			" because no resource-based policy allows the kms:" + op + " action",
		UserAgent: "Boto3/1.35.0 md/Botocore#1.35.0", UserIdentity: who,
		RequestParameters: json.RawMessage(fmt.Sprintf(`{"keyId":%q}`, key)),
		Resources:         []trail.EventResource{{ARN: key, AccountID: b.account, Type: "AWS::KMS::Key"}}}, ago)
	b.want.Denials[key]++
	if unauthorized {
		b.want.Unauthorized++
	}
}

func (b *trailBuilder) blocked(policyType, policy string, ago time.Duration) {
	who := b.assumed(TrailScientistRole, "carol")
	b.add(trail.Event{EventSource: trail.SourceSageMaker, EventName: "CreateNotebookInstance", AWSRegion: "us-east-1",
		ErrorCode: "AccessDeniedException",
		ErrorMessage: "User: " + who.ARN + " is not authorized to perform: sagemaker:CreateNotebookInstance on resource: arn:aws:sagemaker:us-east-1:" +
			b.account + ":notebook-instance/scratch with an explicit deny in a " + policyType + " policy: " + policy,
		UserAgent: "console.amazonaws.com", UserIdentity: who, RequestParameters: json.RawMessage(`{"notebookInstanceName":"scratch"}`)}, ago)
	b.want.Blocked[b.now.Add(-ago).Format("2006-01")]++
}

// createAction is the call that creates a resource of kind, as CloudTrail
// names it.
func createAction(kind string) string {
	k, ok := catalog.Lookup(kind)
	if !ok {
		return ""
	}
	actions := trail.CreatorActions(k)
	for _, a := range actions {
		if fields := strings.Fields(k.DescribeAPI); len(fields) > 0 && a == "Create"+strings.TrimPrefix(fields[0], "Describe") {
			return a
		}
	}
	if len(actions) > 0 {
		return actions[0]
	}
	return ""
}

// camel turns a kind id into the camel case of its response field
// ("notebook-instance" → "notebookInstance").
func camel(kind string) string {
	parts := strings.Split(kind, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// TrailResourcesOf lists the resources of a scan's inventory, for
// TrailEvents.
func TrailResourcesOf(inv inventory.Inventory) []TrailResource {
	out := make([]TrailResource, 0, len(inv.Resources))
	for _, r := range inv.Resources {
		out = append(out, TrailResource{ARN: r.ARN, Kind: r.Kind, Name: r.Name, Region: r.Region})
	}
	return out
}
