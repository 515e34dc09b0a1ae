package events

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/trail"
)

// TestNamesAreSDKMembers checks every kind's lifecycle calls against the
// SDK: each call's input (or, for a create whose request lacks the ID, its
// output) has a member that names the resource, and its input has the
// parent member. The SDK is imported here, in a test, only.
func TestNamesAreSDKMembers(t *testing.T) {
	t.Parallel()
	client := reflect.TypeOf(&sagemaker.Client{})
	for _, r := range resources() {
		l, _ := catalog.KindLifecycle(r.kind)
		for _, a := range slices.Concat(l.Create, l.Update, l.Delete) {
			m, ok := client.MethodByName(a)
			if !ok {
				t.Errorf("%s: sagemaker has no operation %s", r.kind, a)
				continue
			}
			in, out := m.Type.In(2).Elem(), m.Type.Out(0).Elem()
			if !slices.ContainsFunc(r.names, func(n string) bool { return hasMember(in, n) || hasMember(out, n) }) {
				t.Errorf("%s: neither %s's input nor output has any of %v", r.kind, a, r.names)
			}
			if r.parent != "" && !hasMember(in, r.parent) {
				t.Errorf("%s: %sInput has no %s", r.kind, a, r.parent)
			}
		}
	}
	for _, a := range catalog.SageMakerTagEvents() {
		if m, ok := client.MethodByName(a); !ok || !hasMember(m.Type.In(2).Elem(), "resourceArn") {
			t.Errorf("sagemaker %s: no operation with a ResourceArn", a)
		}
	}
	kmsClient := reflect.TypeOf(&kms.Client{})
	for _, a := range catalog.KMSKeyEvents() {
		m, ok := kmsClient.MethodByName(a)
		if !ok {
			t.Errorf("kms has no operation %s", a)
			continue
		}
		if in := m.Type.In(2).Elem(); !hasMember(in, "keyId") && !hasMember(in, "aliasName") {
			t.Errorf("kms %sInput names no key or alias", a)
		}
	}
}

// hasMember reports whether the SDK struct has the member CloudTrail
// spells name (a lower-case first letter).
func hasMember(t reflect.Type, name string) bool {
	f, ok := t.FieldByName(strings.ToUpper(name[:1]) + name[1:])
	return ok && f.IsExported()
}

// TestResourcesCoverCatalog: every catalog kind says how its events name
// it, once, with an ARN type of its own; and the actions guardrails know
// carry keys are among those Parse recognises, as are the trail's key
// lifecycle events.
func TestResourcesCoverCatalog(t *testing.T) {
	t.Parallel()
	kinds, arnTypes := map[string]bool{}, map[string]bool{}
	for _, r := range resources() {
		if _, ok := catalog.Lookup(r.kind); !ok {
			t.Errorf("%s is not a catalog kind", r.kind)
		}
		if _, ok := catalog.KindLifecycle(r.kind); !ok {
			t.Errorf("%s has no catalog lifecycle", r.kind)
		}
		if kinds[r.kind] || arnTypes[r.arnType] {
			t.Errorf("%s (ARN type %s) is listed twice", r.kind, r.arnType)
		}
		kinds[r.kind], arnTypes[r.arnType] = true, true
		if len(r.names) == 0 || r.arnType == "" {
			t.Errorf("%s: no names or ARN type", r.kind)
		}
	}
	actions := Actions()
	for _, k := range catalog.Kinds() {
		if !kinds[k.ID] {
			t.Errorf("catalog kind %s: add it to resources()", k.ID)
		}
		for _, a := range slices.Concat(k.CreateActions, k.KeyUpdateActions) {
			if !slices.Contains(actions, a) {
				t.Errorf("%s: catalog action %s is not recognised", k.ID, a)
			}
		}
	}
	for _, a := range trail.KeyLifecycleActions() {
		if !slices.Contains(actions, prefixKMS+a) {
			t.Errorf("trail key lifecycle action %s is not recognised", a)
		}
	}
	if !slices.IsSorted(actions) || len(slices.Compact(slices.Clone(actions))) != len(actions) {
		t.Errorf("Actions() is not sorted and unique: %v", actions)
	}
}

// event builds a minimal EventBridge event of a call.
func event(t *testing.T, service, name string, params map[string]string) []byte {
	t.Helper()
	req, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{
		"detail-type": DetailType, "source": "aws." + service,
		"detail": map[string]any{"eventSource": service + ".amazonaws.com", "eventName": name, "eventID": "id-" + name,
			"eventTime": "2026-03-04T12:00:00Z", "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
			"requestParameters": json.RawMessage(req)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestParseEveryAction parses a minimal event of every action Parse
// claims to recognise, so Actions() and Parse cannot disagree.
func TestParseEveryAction(t *testing.T) {
	t.Parallel()
	for _, action := range Actions() {
		service, name, _ := strings.Cut(action, ":")
		params := map[string]string{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "aliasName": "alias/x",
			"resourceArn": "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb"}
		kind, del := KindKMSKey, slices.Contains(kmsDeletes(), name)
		if a, ok := lookupSageMaker(name); ok {
			kind, del = a.kind, a.delete
			params = map[string]string{a.names[0]: "res-1"}
			if a.parent != "" {
				params[a.parent] = "scope"
			}
		} else if service == "sagemaker" {
			kind = "notebook-instance"
		}
		got, err := Parse(event(t, service, name, params))
		if err != nil {
			t.Errorf("%s: %v", action, err)
			continue
		}
		if got.Kind != kind || got.Action != action || got.Delete != del || (got.Name == "" && got.ARN == "") {
			t.Errorf("%s: got %+v, want kind %s, delete %v", action, got, kind, del)
		}
	}
}

// TestParseTagsOfEveryKind: a tag call on any kind's ARN finds the kind.
func TestParseTagsOfEveryKind(t *testing.T) {
	t.Parallel()
	for _, r := range resources() {
		id := "res-1"
		if r.parentInARN {
			id = "scope/res-1"
		}
		arn := "arn:aws:sagemaker:us-east-1:111122223333:" + r.arnType + "/" + id
		got, err := Parse(event(t, "sagemaker", "AddTags", map[string]string{"resourceArn": arn}))
		if err != nil {
			t.Errorf("%s: %v", r.kind, err)
			continue
		}
		if got.Kind != r.kind || got.Name != "res-1" || got.ARN != arn {
			t.Errorf("%s: got %+v", r.kind, got)
		}
	}
}

// TestDeletesAreCatalogDeletes: a SageMaker target is a delete exactly
// when the catalog lists its call as one.
func TestDeletesAreCatalogDeletes(t *testing.T) {
	t.Parallel()
	for _, r := range resources() {
		l, _ := catalog.KindLifecycle(r.kind)
		for _, a := range slices.Concat(l.Create, l.Update, l.Delete) {
			got, ok := lookupSageMaker(a)
			if !ok || got.kind != r.kind || got.delete != slices.Contains(l.Delete, a) {
				t.Errorf("%s: lookup = %+v, %v", a, got, ok)
			}
		}
	}
}

func TestResourceID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"churn": "churn",
		"arn:aws:sagemaker:us-east-1:1:model-package/churn/3":    "churn/3",
		"arn:aws:sagemaker:us-east-1:1:partner-app/app-0a1b2c3d": "app-0a1b2c3d",
		"arn:aws:sagemaker:us-east-1:1:oddity":                   "oddity",
		"arn:broken":                                             "arn:broken",
	} {
		if got := resourceID(in); got != want {
			t.Errorf("resourceID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTaggingFilterIsTheARNType: the catalog's tag:GetResources filter of
// each kind is the ARN resource type its events name it by, since AWS
// matches filters against the type in the ARN.
func TestTaggingFilterIsTheARNType(t *testing.T) {
	for _, r := range resources() {
		k, ok := catalog.Lookup(r.kind)
		if !ok {
			t.Errorf("%s: not a catalog kind", r.kind)
			continue
		}
		if k.TaggingType != "" && k.TaggingType != "sagemaker:"+r.arnType {
			t.Errorf("%s: TaggingType %q, but its ARNs have the type %q", r.kind, k.TaggingType, r.arnType)
		}
	}
}
