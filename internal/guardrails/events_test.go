package guardrails

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/iampolicy"
	"github.com/sagekey/sagekey/internal/testutil/golden"
)

// eventScanActions stand for checkdoc.Permissions in the goldens, which
// would otherwise change whenever a collector calls one more operation.
var eventScanActions = []string{"sagemaker:ListEndpoints", "kms:DescribeKey", "sagemaker:DescribeEndpoint",
	"sts:GetCallerIdentity", "kms:DescribeKey"}

func mustBuildEvents(t *testing.T) *Events {
	t.Helper()
	e, err := BuildEvents(EventSettings{ScanActions: eventScanActions})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEventsGolden(t *testing.T) {
	t.Parallel()
	e := mustBuildEvents(t)
	for format, ext := range map[string]string{FormatJSON: "json", FormatTerraform: "tf", FormatCloudFormation: "yaml"} {
		var out bytes.Buffer
		if err := WriteEvents(&out, e, format); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "events."+ext, out.Bytes())
	}
}

// TestEventsPatternsSelectTheCatalog: every lifecycle operation of every kind
// and every KMS key event is selected by exactly one pattern of its own
// service, and every pattern fits the quota.
func TestEventsPatternsSelectTheCatalog(t *testing.T) {
	t.Parallel()
	want := map[string][]string{"sagemaker.amazonaws.com": catalog.SageMakerEvents(), "kms.amazonaws.com": catalog.KMSKeyEvents()}
	for _, k := range catalog.Kinds() {
		l, _ := catalog.KindLifecycle(k.ID)
		for _, n := range slices.Concat(l.Create, l.Update, l.Delete) {
			if !slices.Contains(want["sagemaker.amazonaws.com"], n) {
				t.Errorf("%s: %s not among the SageMaker events", k.ID, n)
			}
		}
	}
	got := EventNames()
	for src, names := range want {
		if !slices.Equal(got[src], names) {
			t.Errorf("%s: patterns select %v, want %v", src, got[src], names)
		}
	}
	for _, p := range EventPatterns() {
		if n := len(p.JSON()); n > EventPatternMaxChars {
			t.Errorf("%s: %d characters, over %d", p.Name, n, EventPatternMaxChars)
		}
		if strings.TrimPrefix(p.Source, "aws.")+".amazonaws.com" != p.EventSource {
			t.Errorf("%s: source %s with event source %s", p.Name, p.Source, p.EventSource)
		}
		var doc map[string]any
		if err := json.Unmarshal(p.JSON(), &doc); err != nil || doc["detail-type"].([]any)[0] != CloudTrailDetailType {
			t.Errorf("%s: pattern %s (%v)", p.Name, p.JSON(), err)
		}
	}
}

// TestEventsPatternsSplitDeterministically forces splits with a small limit:
// the names stay sorted and complete, each part fits, and numbering is per
// service.
func TestEventsPatternsSplitDeterministically(t *testing.T) {
	t.Parallel()
	const limit = 400
	a, err := eventPatterns(limit)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := eventPatterns(limit)
	if len(a) < 4 || !slices.EqualFunc(a, b, func(x, y EventPattern) bool { return x.Name == y.Name && slices.Equal(x.EventNames, y.EventNames) }) {
		t.Fatalf("%d patterns, or two builds differ", len(a))
	}
	names := map[string][]string{}
	for _, p := range a {
		if n := len(p.JSON()); n > limit {
			t.Errorf("%s: %d characters, over %d", p.Name, n, limit)
		}
		svc := strings.TrimPrefix(p.Source, "aws.")
		names[svc] = append(names[svc], p.EventNames...)
		if !strings.HasPrefix(p.Name, svc+"-") {
			t.Errorf("pattern %s of %s", p.Name, p.Source)
		}
	}
	if !slices.Equal(names["sagemaker"], catalog.SageMakerEvents()) || !slices.Equal(names["kms"], catalog.KMSKeyEvents()) {
		t.Error("split patterns lose, reorder or repeat names")
	}
	if _, err := eventPatterns(100); err == nil {
		t.Error("a limit no name fits under must fail, not drop names")
	}
}

func TestEventsPoliciesAreValid(t *testing.T) {
	t.Parallel()
	e := mustBuildEvents(t)
	r := readableRefs(e)
	for name, c := range map[string]struct {
		doc iampolicy.Document
		typ iampolicy.Type
	}{
		"queue": {queuePolicy(r), iampolicy.Resource}, "bus": {busPolicy(r), iampolicy.Resource},
		"forward": {forwardPolicy(r), iampolicy.Identity}, "serve queue": {serveQueuePolicy(r), iampolicy.Identity},
		"serve key": {serveQueueKeyPolicy(r), iampolicy.Identity},
	} {
		if err := iampolicy.Validate(c.doc, c.typ); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(e.ServeScanPolicies) != 1 {
		t.Fatalf("%d scan policies", len(e.ServeScanPolicies))
	}
	var actions []string
	for _, st := range e.ServeScanPolicies[0].Document.Statement {
		actions = append(actions, st.Action...)
	}
	slices.Sort(actions)
	want := []string{"kms:DescribeKey", "sagemaker:DescribeEndpoint", "sagemaker:ListEndpoints", "sts:GetCallerIdentity"}
	if !slices.Equal(actions, want) {
		t.Errorf("scan actions %v, want %v (sorted, deduplicated)", actions, want)
	}
	if _, err := BuildEvents(EventSettings{ScanActions: []string{"DescribeKey"}}); err == nil {
		t.Error("an action without its service must be refused")
	}
}

func TestEventsBadPartition(t *testing.T) {
	t.Parallel()
	if _, err := BuildEvents(EventSettings{Partition: "azure"}); err == nil {
		t.Error("a partition that is not AWS's must be refused")
	}
}
