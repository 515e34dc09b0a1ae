package remediate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/trail"
)

// creatorFor finds, from the inputs alone, the create event an item on f
// must name: the trail's creator whose ARN equals f's, ignoring case.
func creatorFor(in Input, f finding.Finding) (trail.Creator, bool) {
	for _, c := range in.Trail.Creators {
		if strings.EqualFold(c.ResourceARN, f.Resource.ARN) {
			return c, true
		}
	}
	return trail.Creator{}, false
}

func writeAll(t *testing.T, p *Plan) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, w := range map[string]Writer{"markdown": WriteMarkdown, "json": WriteJSON, "shell": WriteShell} {
		var buf bytes.Buffer
		if err := w(&buf, p); err != nil {
			t.Fatal(err)
		}
		out[name] = buf.String()
	}
	return out
}

// An item names the creator of its resource, matched without regard to
// case, in every format; nothing else does.
func TestItemsNameTheirCreator(t *testing.T) {
	t.Parallel()
	in := fixture()
	// One more failing resource, its ARN in capitals, its creator keyed
	// in lower case as report.TrailFacts keys them.
	r, f := resAndFinding("training-job", "Train-Upper", east, nil, nil)
	in.Inventory.Resources = append(in.Inventory.Resources, r)
	in.Findings = append(in.Findings, f)
	in.Trail.Creators[strings.ToLower(f.Resource.ARN)] = trail.Creator{ResourceARN: strings.ToLower(f.Resource.ARN),
		Action: "sagemaker:CreateTrainingJob", EventID: "ev-upper", Time: time.Date(2026, 6, 9, 8, 0, 0, 0, time.UTC),
		Principal: "arn:aws:iam::111122223333:role/upper", Tool: trail.ToolSageMakerSDK}

	p := Build(in, fixtureOptions())
	named := 0
	for _, it := range p.Items {
		var f finding.Finding
		for _, g := range in.Findings {
			if g.CheckID == it.Finding.CheckID && g.Resource.ARN == it.Finding.Resource.ARN {
				f = g
			}
		}
		c, known := creatorFor(in, f)
		if (it.CreatedBy != nil) != known {
			t.Errorf("item %d (%s on %s): created_by %+v, want known=%v", it.Number, f.CheckID, f.Resource.Name, it.CreatedBy, known)
			continue
		}
		if !known {
			continue
		}
		named++
		want := Creator{Principal: c.Principal, Identity: c.Identity, Time: c.Time.UTC().Format(time.RFC3339), Tool: c.Tool,
			SourceIP: c.SourceIP, UserAgent: c.UserAgent, EventID: c.EventID, Action: c.Action}
		if *it.CreatedBy != want {
			t.Errorf("item %d: created_by %+v, want %+v", it.Number, *it.CreatedBy, want)
		}
		ask := "Ask " + c.Principal
		if c.Identity != "" {
			ask += " (as " + c.Identity + ")"
		}
		ask += ", who created it with " + c.Tool + " on " + c.Time.UTC().Format("2006-01-02") + "."
		if it.CreatedBy.Ask() != ask {
			t.Errorf("item %d: %q, want %q", it.Number, it.CreatedBy.Ask(), ask)
		}
	}
	if named != 3 {
		t.Errorf("%d items name a creator, want 3 (endpoint, notebook, the capitalised job)", named)
	}

	out := writeAll(t, &p)
	var doc struct {
		Items []struct {
			CreatedBy map[string]string `json:"created_by"`
		} `json:"items"`
		VerifyFirst []map[string]any `json:"verify_first"`
	}
	if err := json.Unmarshal([]byte(out["json"]), &doc); err != nil {
		t.Fatal(err)
	}
	for i, it := range p.Items {
		if (doc.Items[i].CreatedBy != nil) != (it.CreatedBy != nil) {
			t.Errorf("json item %d: created_by %v", i+1, doc.Items[i].CreatedBy)
		}
		if it.CreatedBy == nil {
			continue
		}
		if !strings.Contains(out["markdown"], "- "+md(it.CreatedBy.Ask())+"\n") {
			t.Errorf("markdown lacks %q", md(it.CreatedBy.Ask()))
		}
		if !strings.Contains(out["shell"], "\n# "+comment(it.CreatedBy.Ask())+"\n") {
			t.Errorf("shell lacks the comment %q", comment(it.CreatedBy.Ask()))
		}
	}
	// The unverified endpoint's creator is known, but it gets no fix and
	// names nobody; nor does the muted domain, which gets no item.
	if strings.Contains(out["json"], "role/ghost") || strings.Contains(out["json"], "role/platform") {
		t.Error("a finding without a fix names its creator")
	}
}

// A key plan names who disabled the key or scheduled its deletion (the
// latest such event on that key) instead of looking it up, and looks it up
// when the trail does not know.
func TestKeyPlansNameWhoChangedTheKey(t *testing.T) {
	t.Parallel()
	pending := keys.Key{ARN: keyARN("aaaaaaaa-3333-3333-3333-333333333333"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: "PendingDeletion"}
	disabled := keys.Key{ARN: keyARN("bbbbbbbb-2222-2222-2222-222222222222"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: "Disabled"}
	other := keyARN("cccccccc-0000-0000-0000-000000000000")
	at := func(day int) time.Time { return time.Date(2026, 5, day, 12, 0, 0, 0, time.UTC) }
	ev := func(key, action, principal string, day int) trail.KeyEvent {
		return trail.KeyEvent{EventID: "ev-" + principal, Time: at(day), KeyARN: key, Action: action,
			Principal: "arn:aws:iam::111122223333:role/" + principal, SourceIP: "192.0.2.1", Tool: trail.ToolCLI}
	}
	cases := []struct {
		name   string
		key    keys.Key
		events []trail.KeyEvent
		want   string // the principal named; "" means: look it up
		at     time.Time
	}{
		{"pending, scheduled twice: the latest", pending, []trail.KeyEvent{
			ev(pending.ARN, "kms:ScheduleKeyDeletion", "late", 9), ev(pending.ARN, "kms:ScheduleKeyDeletion", "early", 2)},
			"late", at(9)},
		{"pending, key ARN in capitals", pending, []trail.KeyEvent{
			ev(strings.ToUpper(pending.ARN), "kms:ScheduleKeyDeletion", "caps", 3)}, "caps", at(3)},
		{"pending, only a DisableKey", pending, []trail.KeyEvent{ev(pending.ARN, "kms:DisableKey", "disabler", 3)}, "", time.Time{}},
		{"pending, another key's deletion", pending, []trail.KeyEvent{ev(other, "kms:ScheduleKeyDeletion", "elsewhere", 3)}, "", time.Time{}},
		{"pending, no trail", pending, nil, "", time.Time{}},
		{"disabled, disabled twice: the latest", disabled, []trail.KeyEvent{
			ev(disabled.ARN, "kms:DisableKey", "first", 1), ev(disabled.ARN, "kms:DisableKey", "second", 7),
			ev(disabled.ARN, "kms:EnableKey", "enabler", 8)}, "second", at(7)},
		{"disabled, only an EnableKey", disabled, []trail.KeyEvent{ev(disabled.ARN, "kms:EnableKey", "enabler", 8)}, "", time.Time{}},
		{"disabled, no trail", disabled, nil, "", time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := keyFinding("kms-key.state", finding.High, tc.key, "key is "+tc.key.State)
			p := Build(Input{Findings: []finding.Finding{f}, Keys: []keys.Key{tc.key}, Trail: Trail{KeyEvents: tc.events}}, Options{})
			it := p.Items[0]
			var text strings.Builder
			text.WriteString(it.Summary + "\n" + strings.Join(it.Warnings, "\n") + "\n")
			for _, s := range it.Steps {
				text.WriteString(s.Title + "\n" + s.Why + "\n")
			}
			commands := allText(it)
			looksUp := strings.Contains(commands, "aws cloudtrail lookup-events")
			if tc.want == "" {
				if !looksUp {
					t.Errorf("the trail does not know, but the plan does not look it up:\n%s", commands)
				}
				if strings.Contains(text.String(), "CloudTrail shows") {
					t.Errorf("the plan names someone the trail does not know:\n%s", text.String())
				}
				return
			}
			if looksUp {
				t.Errorf("the trail knows, yet the plan still looks it up:\n%s", commands)
			}
			principal := "arn:aws:iam::111122223333:role/" + tc.want
			for _, want := range []string{principal, tc.at.Format("2006-01-02 15:04 UTC"), "with " + trail.ToolCLI, "ev-" + tc.want} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("plan lacks %q:\n%s", want, text.String())
				}
			}
			if !strings.Contains(it.Summary, principal) {
				t.Errorf("summary %q does not name %s", it.Summary, principal)
			}
			for _, e := range tc.events {
				if e.Principal != principal && strings.Contains(text.String(), e.Principal) {
					t.Errorf("plan names %s, whose event is not the latest of its kind", e.Principal)
				}
			}
			// The key is still re-enabled only after a yes.
			if !strings.Contains(commands, "aws kms enable-key") {
				t.Error("plan lost its enable step")
			}
		})
	}
}

// Trail values are as hostile as resource names: in the script they stay
// inside comments, in markdown they stay text.
func TestHostileTrailValuesStayInert(t *testing.T) {
	t.Parallel()
	p := Build(fixture(), fixtureOptions())
	out := writeAll(t, &p)
	markers := []string{"carol", "bob`id`", "reboot", "old-admin"}
	for _, line := range strings.Split(out["shell"], "\n") {
		for _, m := range markers {
			if strings.Contains(line, m) && !strings.HasPrefix(line, "#") {
				t.Errorf("trail value %q outside a comment: %q", m, line)
			}
		}
	}
	if strings.Contains(out["shell"], "old-admin") || strings.Contains(out["markdown"], "old-admin") {
		t.Error("the plan names the principal of an earlier, superseded ScheduleKeyDeletion")
	}
	for _, raw := range []string{"ds`reboot`", "|*x*", "bob`id`"} {
		if strings.Contains(out["markdown"], raw) {
			t.Errorf("markdown carries %q unescaped", raw)
		}
	}
}
