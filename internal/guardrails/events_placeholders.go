package guardrails

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// Placeholders the IaC writers put in the event policies and then replace,
// whole scalar for whole scalar, with an expression of their language.
// Each ends in "_" so RULE_1_ is never a prefix of RULE_10_.
const (
	phAccount    = "SAGEKEY_EVENTS_ACCOUNT_"
	phOrg        = "SAGEKEY_EVENTS_ORG_"
	phQueue      = "SAGEKEY_EVENTS_QUEUE_"
	phQueueKey   = "SAGEKEY_EVENTS_QUEUE_KEY_"
	phCentralBus = "SAGEKEY_EVENTS_CENTRAL_BUS_"
	phForwardTo  = "SAGEKEY_EVENTS_FORWARD_TO_"
)

func phRule(i int) string { return fmt.Sprintf("SAGEKEY_EVENTS_RULE_%d_", i+1) }

// placeholderRefs are eventRefs made of placeholders.
func placeholderRefs(e *Events) eventRefs {
	r := eventRefs{Account: phAccount, OrgID: phOrg, Queue: phQueue, QueueKey: phQueueKey,
		CentralBus: phCentralBus, ForwardTarget: phForwardTo}
	for i := range e.Patterns {
		r.ConsumeRules = append(r.ConsumeRules, phRule(i))
	}
	return r
}

// readableRefs are eventRefs for people (the JSON format): {braced} parts
// are known only at deploy time.
func readableRefs(e *Events) eventRefs {
	p := e.Settings.Partition
	bus := fmt.Sprintf("arn:%s:events:{central-region}:{central-account}:event-bus/%s", p, EventsBusName)
	r := eventRefs{Account: "{account}", OrgID: "{organization-id}",
		Queue:    fmt.Sprintf("arn:%s:sqs:{region}:{account}:%s", p, EventsQueueName),
		QueueKey: "{queue-kms-key-arn}", CentralBus: bus, ForwardTarget: bus}
	for _, pt := range e.Patterns {
		// A rule on a custom bus has the bus name in its ARN.
		r.ConsumeRules = append(r.ConsumeRules, fmt.Sprintf("arn:%s:events:{region}:{account}:rule/{bus/}%s", p, consumeRule(pt)))
		r.ForwardRules = append(r.ForwardRules, fmt.Sprintf("arn:%s:events:{region}:{account}:rule/%s", p, forwardRule(pt)))
	}
	return r
}

// tfPolicyWith is tfPolicy with each quoted placeholder replaced by an
// interpolated Terraform expression.
func tfPolicyWith(d iampolicy.Document, exprs map[string]string) (string, error) {
	body, err := tfPolicy(d)
	if err != nil {
		return "", err
	}
	pairs := make([]string, 0, 2*len(exprs))
	for ph, expr := range exprs {
		pairs = append(pairs, `"`+ph+`"`, `"${`+expr+`}"`)
	}
	return strings.NewReplacer(pairs...).Replace(body), nil
}
