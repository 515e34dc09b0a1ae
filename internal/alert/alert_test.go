package alert

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/testutil/golden"
)

func TestNewIDDeterministicAndDistinct(t *testing.T) {
	a := NewID(ViolationOpened, "arn:x", "run-1")
	if a != NewID(ViolationOpened, "arn:x", "run-1") {
		t.Fatal("NewID is not deterministic")
	}
	if len(a) != 32 {
		t.Errorf("id %q: want 32 hex characters", a)
	}
	others := []string{
		NewID(ViolationReopened, "arn:x", "run-1"),
		NewID(ViolationOpened, "arn:y", "run-1"),
		NewID(ViolationOpened, "arn:x", "run-2"),
		// Concatenation must not collide: ("arn:x", "run-1") vs ("arn:xrun-", "1").
		NewID(ViolationOpened, "arn:xrun-", "1"),
		NewID(ViolationOpened, "arn:x;", "run-1"),
	}
	for _, o := range others {
		if o == a {
			t.Errorf("different inputs gave the same id %s", a)
		}
	}
}

func TestAlertJSONGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Alert
	}{{"resource", resourceAlert()}, {"key", keyAlert()}} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := tc.a.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden.Check(t, "alert_"+tc.name+".json", pretty.Bytes())
		})
	}
}

func TestAlertJSONConventions(t *testing.T) {
	a := New(ScanFailed, "111122223333/eu-west-1", "2026-11-03T15:04:05Z", fixedTime)
	body, err := a.JSON()
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{
		`"schema":"sagekey.alert/v1"`, `"time":"2026-11-03T14:04:05Z"`, `"links":[]`,
		`"details":{}`, `"resource":null`, `"key":null`, `"severity":"info"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
	// An empty blast radius is [] too.
	k := keyAlert()
	k.Key.BlastRadius = BlastRadius{}
	body, _ = k.JSON()
	if !strings.Contains(string(body), `"resources":[]`) {
		t.Errorf("empty blast radius not []: %s", body)
	}
	// JSON must not change the caller's alert.
	if k.Key.BlastRadius.Resources != nil {
		t.Error("JSON mutated the alert's key")
	}
}

func TestAlertRoundTrip(t *testing.T) {
	a := keyAlert()
	body, err := a.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Alert
	if err := json.Unmarshal(body, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != a.ID || back.Severity != a.Severity || back.Key.BlastRadius.Count != 23 ||
		len(back.Key.BlastRadius.Resources) != MaxBlastResources || !back.Time.Equal(a.Time.Truncate(time.Second)) {
		t.Errorf("round trip changed the alert: %+v", back)
	}
}

func TestValidate(t *testing.T) {
	if err := resourceAlert().Validate(); err != nil {
		t.Fatalf("valid alert refused: %v", err)
	}
	for name, mutate := range map[string]func(*Alert){
		"schema":   func(a *Alert) { a.Schema = "" },
		"id":       func(a *Alert) { a.ID = "" },
		"kind":     func(a *Alert) { a.Kind = "boom" },
		"severity": func(a *Alert) { a.Severity = 9 },
		"time":     func(a *Alert) { a.Time = time.Time{} },
		"both":     func(a *Alert) { a.Key = &Key{} },
	} {
		a := resourceAlert()
		mutate(&a)
		if err := a.Validate(); err == nil {
			t.Errorf("%s: invalid alert accepted", name)
		}
	}
}

func TestKinds(t *testing.T) {
	if len(Kinds()) != 8 {
		t.Errorf("%d kinds, the documentation lists 8", len(Kinds()))
	}
	for _, k := range Kinds() {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
	}
}
