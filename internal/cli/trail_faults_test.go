package cli_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/cli"
	"github.com/sagekey/sagekey/internal/trail"
)

// Bad input never crashes sagekey trail and never hides: each broken file
// or record is counted and named, the rest is read, and the exit status is
// 1 (incomplete).
func TestTrailFaultsAreCountedAndReported(t *testing.T) {
	dir := t.TempDir()
	good := func(id, name string) string {
		return `{"eventVersion":"1.11","eventID":"` + id + `","eventTime":"2026-11-10T10:00:00Z","eventSource":"sagemaker.amazonaws.com",` +
			`"eventName":"` + name + `","awsRegion":"us-east-1","recipientAccountId":"111122223333","userAgent":"aws-cli/2.15.0",` +
			`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},` +
			`"responseElements":{"notebookInstanceArn":"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-` + id + `"}}`
	}
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	full := gz(`{"Records":[` + good("a", "CreateNotebookInstance") + `]}`)
	huge := `{"eventVersion":"1.11","eventSource":"sagemaker.amazonaws.com","padding":"` + strings.Repeat("x", 10<<20) + `"}`
	files := map[string][]byte{
		"ok.json.gz":        full,
		"truncated.json.gz": full[:len(full)/2],
		"corrupt.json.gz":   []byte("\x1f\x8bnot really gzip"),
		"not-json.json":     []byte("<html>error page</html>"),
		"records.json": []byte(`{"Records":[` + good("b", "CreateNotebookInstance") + `,` +
			`{"eventVersion":"1.11","eventSource":"kms.amazonaws.com","eventName":"Decrypt"},` + // no eventID, time, region
			strings.Replace(good("c", "CreateNotebookInstance"), `"1.11"`, `"2.0"`, 1) + `,` + huge + `]}`),
		"export.jsonl": []byte(good("d", "CreateNotebookInstance") + "\n" + `{"eventSource":"sagemaker.amazonaws.com", oops}` + "\n"),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	db := filepath.Join(t.TempDir(), "h.db")
	out, stderr, code := runAt(t, now, "trail", "--from-dir", dir, "--from", "2026-11-01", "--format", "json", "--no-store", "--db", db)
	if code != cli.ExitError {
		t.Fatalf("exit %d, want %d\n%s", code, cli.ExitError, stderr)
	}
	var doc struct {
		Read struct {
			Read   int `json:"units_read"`
			Failed int `json:"units_failed"`
		} `json:"read"`
		Problems []struct {
			Unit, Kind, Reason string
			Count              int
		}
		Creators []struct {
			ResourceARN string `json:"resource_arn"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	kinds := map[string]map[string]int{}
	for _, p := range doc.Problems {
		if kinds[p.Unit] == nil {
			kinds[p.Unit] = map[string]int{}
		}
		kinds[p.Unit][p.Kind] += p.Count
	}
	want := map[string]map[string]int{
		"truncated.json.gz": {trail.ProblemUnreadable: 1},
		"corrupt.json.gz":   {trail.ProblemUnreadable: 1},
		"not-json.json":     {trail.ProblemUnreadable: 1},
		"records.json":      {trail.ProblemBadRecord: 1, trail.ProblemUnknownVersion: 1, trail.ProblemOversized: 1},
		"export.jsonl":      {trail.ProblemBadRecord: 1},
	}
	for unit, w := range want {
		for kind, n := range w {
			if kinds[unit][kind] != n {
				t.Errorf("%s: %d %s problems, want %d (all: %+v)", unit, kinds[unit][kind], kind, n, doc.Problems)
			}
		}
	}
	if doc.Read.Failed != 3 || doc.Read.Read != 3 {
		t.Errorf("read %+v, want 3 read and 3 failed", doc.Read)
	}
	// The good records of the readable files are all there.
	got := map[string]bool{}
	for _, c := range doc.Creators {
		got[c.ResourceARN[strings.LastIndex(c.ResourceARN, "-")+1:]] = true
	}
	for _, id := range []string{"a", "b", "d"} {
		if !got[id] {
			t.Errorf("creator of nb-%s missing: %+v", id, doc.Creators)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("--no-store created the store %s (%v)", db, err)
	}
	if !strings.Contains(stderr, "incomplete") {
		t.Errorf("stderr does not say the read was incomplete: %s", stderr)
	}
}
