package guardrails

import (
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// eventRefs are the ARNs and IDs the event policies name. The JSON writer
// fills them with readable templates; the IaC writers with placeholders they
// replace by expressions (the names are only known at deploy time).
type eventRefs struct {
	Account, OrgID             string
	Queue, QueueKey            string
	CentralBus, ForwardTarget  string // the bus in this account; the bus forwarding rules send to
	ConsumeRules, ForwardRules []string
}

// queuePolicy lets EventBridge deliver to the queue, but only from the
// consume rules: aws:SourceArn keeps any other rule (of any account) out.
func queuePolicy(r eventRefs) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: "SagekeyEventsFromRules", Effect: iampolicy.Allow,
		Principal: iampolicy.Principal{"Service": {"events.amazonaws.com"}},
		Action:    iampolicy.Strings{"sqs:SendMessage"}, Resource: iampolicy.Strings{r.Queue},
		Condition: iampolicy.Conditions{"ArnEquals": {"aws:SourceArn": slices.Clone(r.ConsumeRules)}},
	}}}
}

// busPolicy lets every account of the organization, and no other, put
// events on the central bus.
func busPolicy(r eventRefs) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: "SagekeyEventsFromOrganization", Effect: iampolicy.Allow, Principal: iampolicy.AnyPrincipal(),
		Action: iampolicy.Strings{"events:PutEvents"}, Resource: iampolicy.Strings{r.CentralBus},
		Condition: iampolicy.Conditions{"StringEquals": {"aws:PrincipalOrgID": {r.OrgID}}},
	}}}
}

// forwardTrust lets EventBridge assume the forwarding role for this
// account's rules only. A target must name a role when the receiving bus
// grants access through the organization rather than by account ID.
func forwardTrust(r eventRefs) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Effect: iampolicy.Allow, Principal: iampolicy.Principal{"Service": {"events.amazonaws.com"}},
		Action:    iampolicy.Strings{"sts:AssumeRole"},
		Condition: iampolicy.Conditions{"StringEquals": {"aws:SourceAccount": {r.Account}}},
	}}}
}

// forwardPolicy is the forwarding role's only permission.
func forwardPolicy(r eventRefs) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: "SagekeyForwardToCentralBus", Effect: iampolicy.Allow,
		Action: iampolicy.Strings{"events:PutEvents"}, Resource: iampolicy.Strings{r.ForwardTarget},
	}}}
}

// serveQueuePolicy is what sagekey serve --queue needs on the queue.
func serveQueuePolicy(r eventRefs) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: "SagekeyServeConsumeEvents", Effect: iampolicy.Allow,
		Action: iampolicy.Strings{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
			"sqs:ReceiveMessage"},
		Resource: iampolicy.Strings{r.Queue},
	}}}
}

// serveQueueKeyPolicy is needed only when the queue is encrypted with a
// customer-managed key: receiving a message decrypts it.
func serveQueueKeyPolicy(r eventRefs) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: "SagekeyServeDecryptEvents", Effect: iampolicy.Allow,
		Action: iampolicy.Strings{"kms:Decrypt"}, Resource: iampolicy.Strings{r.QueueKey},
	}}}
}

// scanStatements groups the read-only scan actions one statement per
// service (sorted), so pack can split between services if they outgrow a
// policy. The scan reads every account and region, so the resource is *.
func scanStatements(actions []string) []iampolicy.Statement {
	by := map[string][]string{}
	var services []string
	for _, a := range actions {
		svc, _, _ := strings.Cut(a, ":")
		if _, seen := by[svc]; !seen {
			services = append(services, svc)
		}
		by[svc] = append(by[svc], a)
	}
	slices.Sort(services)
	out := make([]iampolicy.Statement, 0, len(services))
	for _, svc := range services {
		out = append(out, iampolicy.Statement{Sid: "SagekeyScan" + strings.ToUpper(svc[:1]) + svc[1:],
			Effect: iampolicy.Allow, Action: iampolicy.Strings(by[svc]), Resource: iampolicy.Strings{"*"}})
	}
	return out
}
