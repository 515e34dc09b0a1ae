package guardrails

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sagekey/sagekey/internal/catalog"
)

// EventPatternMaxChars is EventBridge's default event pattern size quota
// (adjustable to 4096, but the Terraform AWS provider rejects any pattern
// over 2048 characters whatever the quota), counted on the compact JSON.
const EventPatternMaxChars = 2048

// CloudTrailDetailType is the detail-type of the events CloudTrail delivers
// to EventBridge for management API calls.
const CloudTrailDetailType = "AWS API Call via CloudTrail"

// EventPattern is one EventBridge rule's pattern: CloudTrail events of one
// service whose eventName is one of EventNames. Each pattern names a single
// service, so an event name of one service can never match an event of the
// other.
type EventPattern struct {
	// Name is the rule's suffix: sagemaker-1, sagemaker-2, kms-1, ...
	Name        string   `json:"name"`
	Source      string   `json:"source"`       // aws.sagemaker
	EventSource string   `json:"event_source"` // sagemaker.amazonaws.com
	EventNames  []string `json:"event_names"`
}

// patternDoc is the pattern as EventBridge reads it.
type patternDoc struct {
	Source     []string `json:"source"`
	DetailType []string `json:"detail-type"`
	Detail     struct {
		EventSource []string `json:"eventSource"`
		EventName   []string `json:"eventName"`
	} `json:"detail"`
}

// JSON is the compact pattern document, the text whose size the quota
// counts and the text every writer submits.
func (p EventPattern) JSON() []byte {
	d := patternDoc{Source: []string{p.Source}, DetailType: []string{CloudTrailDetailType}}
	d.Detail.EventSource, d.Detail.EventName = []string{p.EventSource}, p.EventNames
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(d) // strings and slices of strings always encode
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// EventPatterns returns the patterns that select every event an
// event-driven check handles: the catalog's SageMaker lifecycle and tag
// operations and its KMS key events, split deterministically (names sorted,
// first fit in order) so that no pattern exceeds EventPatternMaxChars. The
// event consumer tests that every name it handles is in one of them.
func EventPatterns() []EventPattern {
	ps, err := eventPatterns(EventPatternMaxChars)
	if err != nil {
		// The catalog's names are short constants; a name too long for a
		// pattern alone is a programming error a test catches.
		panic(err)
	}
	return ps
}

func eventPatterns(limit int) ([]EventPattern, error) {
	var out []EventPattern
	for _, svc := range []struct {
		name  string
		names []string
	}{{"sagemaker", catalog.SageMakerEvents()}, {"kms", catalog.KMSKeyEvents()}} {
		cur := EventPattern{Source: "aws." + svc.name, EventSource: svc.name + ".amazonaws.com"}
		flush := func() {
			cur.Name = fmt.Sprintf("%s-%d", svc.name, 1+countService(out, cur.Source))
			out = append(out, cur)
			cur.EventNames = nil
		}
		for _, n := range svc.names {
			next := cur
			next.EventNames = append(append([]string(nil), cur.EventNames...), n)
			if len(next.JSON()) <= limit {
				cur = next
				continue
			}
			if len(cur.EventNames) == 0 {
				return nil, fmt.Errorf("event name %s does not fit an event pattern of %d characters", n, limit)
			}
			flush()
			cur.EventNames = []string{n}
			if len(cur.JSON()) > limit {
				return nil, fmt.Errorf("event name %s does not fit an event pattern of %d characters", n, limit)
			}
		}
		if len(cur.EventNames) > 0 {
			flush()
		}
	}
	return out, nil
}

func countService(ps []EventPattern, source string) int {
	n := 0
	for _, p := range ps {
		if p.Source == source {
			n++
		}
	}
	return n
}
