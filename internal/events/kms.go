package events

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/trail"
)

// kmsTarget fills t from a KMS call.
func kmsTarget(t Target, ev *trail.Event) (Target, error) {
	if !slices.Contains(catalog.KMSKeyEvents(), ev.EventName) {
		return Target{}, notRecognised("kms:%s is not a key lifecycle call", ev.EventName)
	}
	t.Kind, t.Action = KindKMSKey, prefixKMS+ev.EventName
	t.Delete = slices.Contains(kmsDeletes(), ev.EventName)
	if t.Failed {
		return t, nil
	}
	req, resp := members(ev.RequestParameters), members(ev.ResponseElements)
	t.ARN = keyOf(ev, req, resp)
	if strings.Contains(ev.EventName, "Alias") {
		t.Name = str(req, "aliasName")
	}
	if t.ARN == "" && t.Name == "" {
		return Target{}, notRecognised("%s event %s names no key", t.Action, t.EventID)
	}
	return t, nil
}

// keyOf is the key a KMS call acted on, as an ARN when the event says it
// anywhere: the response (keyMetadata.arn; keyId, an ARN, for
// ScheduleKeyDeletion and CancelKeyDeletion), the record's resources (the
// one the request named, which for an alias call is its new target), else
// the reference the request used (key ID, alias, ARN).
func keyOf(ev *trail.Event, req, resp map[string]json.RawMessage) string {
	var meta struct {
		ARN string `json:"arn"`
	}
	if raw, ok := resp["keyMetadata"]; ok {
		_ = json.Unmarshal(raw, &meta) // a malformed keyMetadata names no key
	}
	if meta.ARN != "" {
		return meta.ARN
	}
	if id := str(resp, "keyId"); strings.HasPrefix(id, "arn:") {
		return id
	}
	ref := str(req, "targetKeyId")
	if ref == "" {
		ref = str(req, "keyId")
	}
	var first string
	for _, r := range ev.Resources {
		if r.Type != "AWS::KMS::Key" || r.ARN == "" {
			continue
		}
		if ref != "" && (strings.EqualFold(r.ARN, ref) || strings.HasSuffix(strings.ToLower(r.ARN), "/"+strings.ToLower(ref))) {
			return r.ARN
		}
		if first == "" {
			first = r.ARN
		}
	}
	if strings.HasPrefix(ref, "arn:") || first == "" {
		return ref
	}
	return first
}
