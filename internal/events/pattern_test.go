package events

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/guardrails"
)

// TestActionsMatchEventPatterns holds Parse to the EventBridge rules
// guardrails generates: every event a rule forwards is an action Parse
// recognises (else it would land in the dead-letter queue), and every
// action Parse recognises is forwarded (else its code never runs). Each
// pattern's source, event source and detail-type are the ones Parse
// accepts.
func TestActionsMatchEventPatterns(t *testing.T) {
	t.Parallel()
	var forwarded []string
	for _, p := range guardrails.EventPatterns() {
		service, ok := strings.CutPrefix(p.Source, "aws.")
		if !ok || p.EventSource != service+".amazonaws.com" {
			t.Errorf("pattern %s: source %q, event source %q", p.Name, p.Source, p.EventSource)
		}
		var doc struct {
			DetailType []string `json:"detail-type"`
		}
		if err := json.Unmarshal(p.JSON(), &doc); err != nil || !slices.Equal(doc.DetailType, []string{DetailType}) {
			t.Errorf("pattern %s: detail-type %v (%v), want %q", p.Name, doc.DetailType, err, DetailType)
		}
		for _, n := range p.EventNames {
			forwarded = append(forwarded, service+":"+n)
		}
	}
	slices.Sort(forwarded)
	if got := Actions(); !slices.Equal(got, forwarded) {
		t.Errorf("Actions() and the EventBridge patterns differ:\nActions:   %v\nforwarded: %v", got, forwarded)
	}
}
