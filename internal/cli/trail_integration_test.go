package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/demo"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/trail"
)

// trailDoc is the part of the sagekey.trail/v1 document the tests read.
type trailDoc struct {
	Schema string `json:"schema"`
	Read   struct {
		Known   int   `json:"cells_already_read"`
		Listed  int   `json:"units_listed"`
		Read    int   `json:"units_read"`
		Skipped int   `json:"units_already_read"`
		Failed  int   `json:"units_failed"`
		Events  int64 `json:"events"`
	} `json:"read"`
	Coverage struct {
		Cells int `json:"cells"`
	} `json:"coverage"`
	Problems []struct{ Unit, Kind, Reason string }
	Denials  struct {
		Total        int64 `json:"total"`
		Unauthorized int64 `json:"unauthorized"`
		Groups       []struct {
			KeyARN    string `json:"key_arn"`
			Principal string `json:"principal"`
			Policy    string `json:"policy"`
			Count     int64  `json:"count"`
		} `json:"groups"`
	} `json:"kms_access_denials"`
	Blocked struct {
		Total     int64 `json:"total"`
		Guardrail int64 `json:"guardrail"`
		Other     int64 `json:"other"`
		Groups    []struct {
			Day   string `json:"day"`
			Count int64  `json:"count"`
		} `json:"groups"`
	} `json:"violations_blocked"`
	Creators []struct {
		ResourceARN string `json:"resource_arn"`
		Principal   string `json:"principal"`
		Tool        string `json:"tool"`
	} `json:"creators"`
	KeyEvents []struct {
		KeyARN   string `json:"key_arn"`
		Action   string `json:"action"`
		Protects []struct{ ARN string }
	} `json:"key_events"`
	Requests struct {
		Total int64 `json:"total"`
	} `json:"kms_requests"`
	APICalls struct {
		Operations []struct {
			Operation string
			Calls     int64
		}
	} `json:"api_calls"`
}

// runAt runs sagekey with its clock pinned to now.
func runAt(t *testing.T, now time.Time, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.RunEnv(context.Background(), cli.Env{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now }}, args)
	return out.String(), errOut.String(), code
}

// The proof of sagekey trail: scan the demo estate, write the trail that
// estate would have into moto's S3 (creators, two key events, KMS denials
// on two keys, SageMaker's KMS traffic, SCP-denied CreateNotebookInstance
// calls, noise and one corrupt file), read it, and check every count, the
// creator on each FAIL finding, the KPIs and the HTML report against what
// the scenario put in.
func TestTrailEndToEnd(t *testing.T) {
	srv, m := seededEstate(t)
	db := filepath.Join(t.TempDir(), "history.db")
	if _, code, stderr := runScan(t, srv, "--db", db); code != cli.ExitViolations && code != cli.ExitError {
		t.Fatalf("scan exit %d: %s", code, stderr)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Runs(context.Background())
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	snap, err := st.Snapshot(context.Background(), runs[0].ID)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	resources := demo.TrailResourcesOf(snap.Inventory)
	// Midday, so yesterday has settled whatever the hour the test runs at.
	now := trail.Day(time.Now()).Add(12 * time.Hour)
	events, want := demo.TrailEvents(m.Account, m.Keys, resources, now)
	seed, err := demo.SeedTrail(context.Background(), mototest.Config(t, srv, regions[0]), m.Account, regions, events, 20000, 41, now)
	if err != nil {
		t.Fatal(err)
	}

	args := []string{"trail", "--s3-uri", "s3://" + demo.TrailBucket + "/" + demo.TrailPrefix, "--endpoint-url", srv.URL(),
		"--db", db, "--from", "40d", "--format", "json", "--guardrail-policy", demo.TrailGuardrailSCP, "--max-attempts", "2"}
	out, stderr, code := runAt(t, now, args...)
	if code != cli.ExitError {
		t.Fatalf("trail with a corrupt file: exit %d, want %d (incomplete)\n%s", code, cli.ExitError, stderr)
	}
	var doc trailDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("trail output is not JSON: %v\n%s\n%s", err, out, stderr)
	}
	if doc.Schema != trail.Schema {
		t.Errorf("schema %q", doc.Schema)
	}
	if doc.Read.Failed != 1 || len(doc.Problems) != 1 || doc.Problems[0].Unit != seed.CorruptKey || doc.Problems[0].Kind != trail.ProblemUnreadable {
		t.Errorf("the corrupt file is not the one problem: failed %d, problems %+v (want %s)", doc.Read.Failed, doc.Problems, seed.CorruptKey)
	}
	if !strings.Contains(stderr, "1 problems") && !strings.Contains(stderr, "incomplete") {
		t.Errorf("stderr does not say the read was incomplete: %s", stderr)
	}
	// The window (40 days back from midday) spans the 41 days written.
	if doc.Read.Events != int64(seed.Summary.Events) || doc.Read.Listed != seed.Summary.Files+1 {
		t.Errorf("read %d events in %d units, wrote %d in %d files and one corrupt", doc.Read.Events, doc.Read.Listed, seed.Summary.Events, seed.Summary.Files)
	}

	// KMS access denials per key, and the unauthorized ones.
	perKey := map[string]int64{}
	for _, g := range doc.Denials.Groups {
		perKey[g.KeyARN] += g.Count
	}
	var total int64
	for key, n := range want.Denials {
		total += n
		if perKey[key] != n {
			t.Errorf("denials on %s: %d, want %d", key, perKey[key], n)
		}
	}
	if doc.Denials.Total != total || doc.Denials.Unauthorized != want.Unauthorized {
		t.Errorf("denials total %d unauthorized %d, want %d and %d", doc.Denials.Total, doc.Denials.Unauthorized, total, want.Unauthorized)
	}
	// Blocked violations, per month, and those of the guardrail.
	perMonth := map[string]int64{}
	var blocked int64
	for _, g := range doc.Blocked.Groups {
		perMonth[g.Day[:7]] += g.Count
	}
	for month, n := range want.Blocked {
		blocked += n
		if perMonth[month] != n {
			t.Errorf("blocked in %s: %d, want %d", month, perMonth[month], n)
		}
	}
	if doc.Blocked.Total != blocked || doc.Blocked.Guardrail != want.ByGuardrail || doc.Blocked.Other != blocked-want.ByGuardrail {
		t.Errorf("blocked %d (guardrail %d, other %d), want %d (%d)", doc.Blocked.Total, doc.Blocked.Guardrail, doc.Blocked.Other, blocked, want.ByGuardrail)
	}
	// Key lifecycle events, each with its blast radius.
	for key, actions := range want.KeyEvents {
		for _, action := range actions {
			found := false
			for _, e := range doc.KeyEvents {
				if e.KeyARN == key && e.Action == action {
					found = true
					if len(e.Protects) == 0 {
						t.Errorf("%s on %s has no blast radius", action, key)
					}
				}
			}
			if !found {
				t.Errorf("key event %s on %s missing: %+v", action, key, doc.KeyEvents)
			}
		}
	}
	var requests int64
	for _, n := range want.Requests {
		requests += n
	}
	if doc.Requests.Total != requests {
		t.Errorf("SageMaker KMS requests %d, want %d", doc.Requests.Total, requests)
	}
	if len(doc.Creators) != len(want.Creators) {
		t.Errorf("%d creators, want %d", len(doc.Creators), len(want.Creators))
	}
	listed := false
	for _, op := range doc.APICalls.Operations {
		listed = listed || (op.Operation == "s3:ListObjectsV2" && op.Calls > 0)
	}
	if !listed {
		t.Errorf("api_calls has no s3:ListObjectsV2: %+v", doc.APICalls.Operations)
	}

	t.Run("second run reads nothing new", func(t *testing.T) {
		out, _, _ := runAt(t, now, args...)
		var again trailDoc
		if err := json.Unmarshal([]byte(out), &again); err != nil {
			t.Fatal(err)
		}
		// Days read in full are not even listed; the corrupt file is tried
		// again, and every other object of the days listed was read.
		if again.Read.Known != doc.Coverage.Cells || again.Read.Listed >= doc.Read.Listed ||
			again.Read.Read != 0 || again.Read.Failed != 1 || again.Read.Skipped != again.Read.Listed-1 {
			t.Errorf("second run read %+v; the first listed %d units and covered %d cells", again.Read, doc.Read.Listed, doc.Coverage.Cells)
		}
		if again.Denials.Total != doc.Denials.Total || again.Blocked.Total != doc.Blocked.Total || again.Requests.Total != doc.Requests.Total {
			t.Errorf("second run counts differ: %+v vs %+v", again.Denials, doc.Denials)
		}
	})

	t.Run("creator on every FAIL finding", func(t *testing.T) {
		out, stderr, code := runAt(t, now, "report", "--db", db, "--format", "json")
		if code != cli.ExitOK {
			t.Fatalf("report exit %d: %s", code, stderr)
		}
		var rep struct {
			Findings []struct {
				Status    string `json:"status"`
				Resource  struct{ ARN string }
				CreatedBy *struct{ Principal, Tool string } `json:"created_by"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		fails := 0
		for _, f := range rep.Findings {
			w, known := want.Creators[strings.ToLower(f.Resource.ARN)]
			switch {
			case f.Status != "FAIL":
				if f.CreatedBy != nil {
					t.Errorf("%s %s carries a creator", f.Status, f.Resource.ARN)
				}
			case !known:
				if f.CreatedBy != nil {
					t.Errorf("%s has a creator the trail does not hold", f.Resource.ARN)
				}
			default:
				fails++
				if f.CreatedBy == nil || f.CreatedBy.Principal != w[0] || f.CreatedBy.Tool != w[1] {
					t.Errorf("%s created by %+v, want %v", f.Resource.ARN, f.CreatedBy, w)
				}
			}
		}
		if fails == 0 {
			t.Error("no FAIL finding has a creator to check")
		}
	})

	t.Run("kpi", func(t *testing.T) {
		out, stderr, code := runAt(t, now, "kpi", "--db", db, "--from", "40d", "--format", "json")
		if code != cli.ExitOK {
			t.Fatalf("kpi exit %d: %s", code, stderr)
		}
		var k struct {
			Denials *struct {
				Total        int64 `json:"total"`
				Unauthorized int64 `json:"unauthorized"`
			} `json:"kms_access_denials"`
			Blocked *struct {
				Total     int64 `json:"total"`
				Guardrail int64 `json:"guardrail"`
				ByMonth   []struct {
					Month string `json:"month"`
					Total int64  `json:"total"`
				} `json:"by_month"`
			} `json:"violations_blocked"`
		}
		if err := json.Unmarshal([]byte(out), &k); err != nil {
			t.Fatal(err)
		}
		if k.Denials == nil || k.Denials.Total != total || k.Denials.Unauthorized != want.Unauthorized {
			t.Errorf("kms_access_denials %+v, want %d (%d unauthorized)", k.Denials, total, want.Unauthorized)
		}
		if k.Blocked == nil || k.Blocked.Total != blocked || k.Blocked.Guardrail != want.ByGuardrail {
			t.Fatalf("violations_blocked %+v, want %d (%d guardrail)", k.Blocked, blocked, want.ByGuardrail)
		}
		for _, m := range k.Blocked.ByMonth {
			if m.Total != want.Blocked[m.Month] {
				t.Errorf("blocked in %s: %d, want %d", m.Month, m.Total, want.Blocked[m.Month])
			}
		}
	})

	t.Run("html", func(t *testing.T) {
		out, stderr, code := runAt(t, now, "report", "--db", db, "--format", "html")
		if code != cli.ExitOK {
			t.Fatalf("report exit %d: %s", code, stderr)
		}
		for _, s := range []string{"CloudTrail", "kms:DisableKey", "kms:ScheduleKeyDeletion",
			"arn:aws:iam::" + m.Account + ":role/" + demo.TrailSecurityRole, "arn:aws:iam::" + m.Account + ":role/" + demo.TrailPlatformRole} {
			if !strings.Contains(out, s) {
				t.Errorf("the HTML report does not show %q", s)
			}
		}
	})
}
