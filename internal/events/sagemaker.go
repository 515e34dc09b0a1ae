package events

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/trail"
)

// sageMakerTarget fills t from a SageMaker call.
func sageMakerTarget(t Target, ev *trail.Event) (Target, error) {
	t.Action = prefixSageMaker + ev.EventName
	if slices.Contains(catalog.SageMakerTagEvents(), ev.EventName) {
		return tagTarget(t, ev)
	}
	a, ok := lookupSageMaker(ev.EventName)
	if !ok {
		return Target{}, notRecognised("%s is not a call sagekey maps", t.Action)
	}
	t.Kind, t.Delete = a.kind, a.delete
	if t.Failed {
		// A refused or invalid request often lacks the members that name
		// the resource, and changed nothing anyway.
		return t, nil
	}
	req, resp := members(ev.RequestParameters), members(ev.ResponseElements)
	t.ARN = responseARN(resp)
	for _, n := range a.names {
		v := str(req, n)
		if v == "" {
			v = str(resp, n)
		}
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "arn:") && t.ARN == "" {
			t.ARN = v
		}
		t.Name = resourceID(v)
		break
	}
	if t.Name == "" && t.ARN != "" {
		t.Name = resourceID(t.ARN)
	}
	if a.parent != "" {
		t.Parent = str(req, a.parent)
	}
	if t.Name == "" {
		return Target{}, notRecognised("%s event %s names no resource (none of %v)", t.Action, t.EventID, a.names)
	}
	return t, nil
}

// tagTarget fills t from AddTags or DeleteTags, which name the resource by
// ARN only: its resource type gives the kind, its resource ID the name.
func tagTarget(t Target, ev *trail.Event) (Target, error) {
	arn := str(members(ev.RequestParameters), "resourceArn")
	typ, id, ok := arnParts(arn)
	if !ok {
		if t.Failed {
			return t, nil
		}
		return Target{}, notRecognised("%s event %s names no resource ARN", t.Action, t.EventID)
	}
	r, ok := lookupARNType(typ)
	if !ok {
		return Target{}, notChecked("%s on a SageMaker %s", t.Action, typ)
	}
	t.Kind, t.ARN, t.Name = r.kind, arn, id
	if r.parentInARN {
		if parent, name, ok := strings.Cut(id, "/"); ok {
			t.Parent, t.Name = parent, name
		}
	}
	return t, nil
}

// responseARN finds the resource's ARN in a response (notebookInstanceArn,
// endpointArn, ...): a member ending in "arn" holding a SageMaker ARN, the
// least when there are several so the choice does not depend on map order.
func responseARN(resp map[string]json.RawMessage) string {
	best := ""
	for name := range resp {
		if !strings.HasSuffix(strings.ToLower(name), "arn") {
			continue
		}
		s := str(resp, name)
		if strings.HasPrefix(s, "arn:") && strings.Contains(s, ":sagemaker:") && (best == "" || s < best) {
			best = s
		}
	}
	return best
}
