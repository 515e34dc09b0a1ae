package report

import (
	"bytes"
	"encoding/json"
	"math"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/version"
)

func ocsfOf(t *testing.T, r *Report) ([]byte, []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if err := writeOCSF(&buf, r, "1.2.3-test"); err != nil {
		t.Fatal(err)
	}
	var doc []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("OCSF output is not a JSON array: %v\n%s", err, buf.Bytes())
	}
	return buf.Bytes(), doc
}

func TestOCSFGolden(t *testing.T) {
	out, _ := ocsfOf(t, fixture())
	golden(t, "report.ocsf", out)
}

// TestOCSFSchema checks every event against the OCSF 1.3.0 Detection
// Finding class: its required attributes (with the cloud profile's), the
// class and category ids, the type_uid rule, the enumerations and
// timestamps in milliseconds.
func TestOCSFSchema(t *testing.T) {
	r := fixture()
	_, doc := ocsfOf(t, r)
	want := nonNA(r)
	seen := map[string]int{}
	for i, e := range doc {
		bad := func(format string, a ...any) { t.Errorf("event %d: "+format, append([]any{i}, a...)...) }
		for _, key := range []string{"activity_id", "category_uid", "class_uid", "type_uid", "time", "severity_id", "metadata", "finding_info", "cloud"} {
			if _, ok := e[key]; !ok {
				bad("missing required %s", key)
			}
		}
		num := func(m map[string]any, key string) int64 {
			v, ok := m[key].(float64)
			if !ok || v != math.Trunc(v) {
				bad("%s = %v, want an integer", key, m[key])
			}
			return int64(v)
		}
		str := func(m map[string]any, key string) string {
			s, ok := m[key].(string)
			if !ok || s == "" {
				bad("%s = %v, want a non-empty string", key, m[key])
			}
			return s
		}
		class, activity := num(e, "class_uid"), num(e, "activity_id")
		if class != 2004 || num(e, "category_uid") != 2 || activity != 1 || num(e, "type_uid") != class*100+activity {
			bad("class %d category %v activity %d type %v", class, e["category_uid"], activity, e["type_uid"])
		}
		if ms := num(e, "time"); ms != r.Started.UnixMilli() || ms < 1e12 {
			bad("time %d, want %d (milliseconds)", ms, r.Started.UnixMilli())
		}
		if num(e, "end_time") != r.Finished.UnixMilli() {
			bad("end_time %v", e["end_time"])
		}
		meta, _ := e["metadata"].(map[string]any)
		product, _ := meta["product"].(map[string]any)
		if str(meta, "version") != "1.3.0" || str(product, "name") != "sagekey" || str(product, "vendor_name") != "sagekey" || str(product, "version") != "1.2.3-test" {
			bad("metadata %v", meta)
		}
		cloud, _ := e["cloud"].(map[string]any)
		account, _ := cloud["account"].(map[string]any)
		if str(cloud, "provider") != "AWS" || str(cloud, "region") == "" || str(account, "uid") != "111122223333" || num(account, "type_id") != 10 {
			bad("cloud %v", cloud)
		}
		info, _ := e["finding_info"].(map[string]any)
		uid := str(info, "uid")
		str(info, "title")
		seen[uid]++
		f, ok := want[uid]
		if !ok {
			bad("unexpected finding %s (NOT_APPLICABLE leaked?)", uid)
			continue
		}
		if sev := num(e, "severity_id"); sev != int64(f.Severity)+1 || e["severity"] != ocsfSeverities[f.Severity] {
			bad("%s severity_id %d severity %v, want %d", f.CheckID, sev, e["severity"], int(f.Severity)+1)
		}
		wantStatus := map[finding.Status]int64{finding.Fail: 1, finding.Error: 1, finding.Muted: 3, finding.Pass: 4}[f.Status]
		if num(e, "status_id") != wantStatus || e["status_code"] != string(f.Status) || e["status_detail"] != f.Message {
			bad("%s %s: status_id %v status_code %v", f.CheckID, f.Status, e["status_id"], e["status_code"])
		}
		res, _ := e["resources"].([]any)
		if len(res) != 1 || res[0].(map[string]any)["uid"] != f.Resource.ARN {
			bad("resources %v", e["resources"])
		}
		rem, _ := e["remediation"].(map[string]any)
		str(rem, "desc")
		if unmapped, _ := e["unmapped"].(map[string]any); unmapped["check_id"] != f.CheckID {
			bad("unmapped %v", e["unmapped"])
		}
		// evidences: each an Evidence Artifacts object with at least one
		// artifact; api needs its operation, an endpoint's ip is an IP
		// (ip_t), a user names itself.
		if ev, ok := e["evidences"]; ok {
			list, _ := ev.([]any)
			if len(list) == 0 {
				bad("evidences %v, want a non-empty array", ev)
			}
			for _, item := range list {
				art, _ := item.(map[string]any)
				if len(art) == 0 {
					bad("empty evidence %v", item)
				}
				for key := range art {
					if !slices.Contains([]string{"actor", "api", "src_endpoint"}, key) {
						bad("evidence attribute %s not expected", key)
					}
				}
				if api, ok := art["api"].(map[string]any); ok {
					str(api, "operation")
				}
				if actor, ok := art["actor"].(map[string]any); ok {
					if user, ok := actor["user"].(map[string]any); ok {
						str(user, "uid")
					}
				}
				if src, ok := art["src_endpoint"].(map[string]any); ok {
					if ip, ok := src["ip"].(string); ok {
						if _, err := netip.ParseAddr(ip); err != nil {
							bad("src_endpoint.ip %q: %v", ip, err)
						}
					} else {
						str(src, "name")
					}
				}
			}
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("finding %s appears %d times, want once", id, seen[id])
		}
	}
	if len(doc) != len(want) {
		t.Errorf("%d events, want %d", len(doc), len(want))
	}
}

func TestOCSFEmpty(t *testing.T) {
	out, _ := ocsfOf(t, &Report{Started: time.Unix(0, 0), Finished: time.Unix(1, 0)})
	if string(out) != "[]\n" {
		t.Errorf("empty report = %q", out)
	}
}

func TestWriteOCSFVersion(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteOCSF(&buf, fixture()); err != nil {
		t.Fatal(err)
	}
	var doc []struct {
		Metadata struct{ Product struct{ Version string } }
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc[0].Metadata.Product.Version != version.String() {
		t.Errorf("product version %q, want %q", doc[0].Metadata.Product.Version, version.String())
	}
}
