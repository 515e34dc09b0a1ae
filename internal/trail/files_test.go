package trail_test

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

func writeFile(t *testing.T, root, rel, body string, mtime time.Time) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestListFiles(t *testing.T) {
	root := t.TempDir()
	mtime := time.Date(2026, 3, 12, 8, 0, 0, 123456789, time.UTC)
	type want struct {
		key, account, region string
		day                  time.Time
	}
	listed := []want{
		{key: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/09/111122223333_CloudTrail_us-east-1_20260309T0005Z_abcdEFGH12345678.json.gz",
			account: "111122223333", region: "us-east-1", day: day(2026, 3, 9)},
		// The path wins over a file name that says otherwise.
		{key: "AWSLogs/111122223333/CloudTrail/us-west-2/2026/03/10/renamed.json",
			account: "111122223333", region: "us-west-2", day: day(2026, 3, 10)},
		{key: "EVENTS.JSON"},
		{key: "copied/111122223333_CloudTrail_ap-southeast-2_20260311T2355Z_AbCdEf0123456789.json.gz",
			account: "111122223333", region: "ap-southeast-2", day: day(2026, 3, 11)},
		{key: "copied/444455556666_CloudTrail_eu-west-1_20260101T0000Z_x.json",
			account: "444455556666", region: "eu-west-1", day: day(2026, 1, 1)},
		{key: "exports/athena.jsonl.gz"},
		{key: "exports/lake.ndjson"},
		{key: "exports/lake.ndjson.gz"},
		{key: "org/AWSLogs/o-abcdefghij/444455556666/CloudTrail/eu-west-1/2026/03/10/444455556666_CloudTrail_eu-west-1_20260310T1200Z_q.json.gz",
			account: "444455556666", region: "eu-west-1", day: day(2026, 3, 10)},
	}
	for i, w := range listed {
		writeFile(t, root, w.key, "{\"Records\":[]}"+string(make([]byte, i)), mtime)
	}
	for _, rel := range []string{
		"notes.txt", "data.json.bz2", "data.gz", ".hidden/x.json", "exports/.partial.json",
		"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/09/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20260309T000000Z.json.gz",
		"AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/03/09/111122223333_CloudTrail-Insight_us-east-1_20260309T0000Z_x.json.gz",
		"loose/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20260309T000000Z.json.gz",
	} {
		writeFile(t, root, rel, "{}", mtime)
	}
	if err := os.MkdirAll(filepath.Join(root, "dir.json"), 0o755); err != nil {
		t.Fatal(err)
	}

	units, err := trail.ListFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != len(listed) {
		for _, u := range units {
			t.Log(u.Key)
		}
		t.Fatalf("listed %d files, want %d", len(units), len(listed))
	}
	for i, w := range listed {
		u := units[i]
		size := int64(len(`{"Records":[]}`) + i)
		wantUnit := trail.Unit{Source: "file:" + root, Key: w.key, Account: w.account, Region: w.region, Day: w.day, Size: size,
			ETag: strconv.FormatInt(size, 10) + "-" + strconv.FormatInt(mtime.UnixNano(), 10)}
		if u != wantUnit {
			t.Errorf("unit %d:\n got %+v\nwant %+v", i, u, wantUnit)
		}
		f, err := trail.OpenFile(root, u)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil || int64(len(b)) != size {
			t.Errorf("%s: read %d bytes, %v", u.Key, len(b), err)
		}
	}

	// A file touched since is a new version: its ETag changes.
	path := filepath.Join(root, filepath.FromSlash(listed[2].key))
	if err := os.Chtimes(path, mtime.Add(time.Second), mtime.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	again, err := trail.ListFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if again[2].ETag == units[2].ETag || again[1].ETag != units[1].ETag {
		t.Errorf("ETags %s → %s, %s → %s", units[2].ETag, again[2].ETag, units[1].ETag, again[1].ETag)
	}
}

func TestListFilesRoots(t *testing.T) {
	dir := t.TempDir()
	mtime := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	const name = "111122223333_CloudTrail_us-east-1_20260309T0005Z_abcdEFGH12345678.json.gz"
	writeFile(t, dir, "logs/"+name, "[]", mtime)
	writeFile(t, dir, "logs/events.ndjson", "", mtime)
	file := filepath.Join(dir, "logs", name)
	symlinked := false
	if os.Symlink(filepath.Join(dir, "logs", "events.ndjson"), filepath.Join(dir, "logs", "link.json")) == nil {
		symlinked = true
	}

	tests := []struct {
		name   string
		root   string
		chdir  string
		source string
		keys   []string
		err    bool
	}{
		{name: "directory", root: filepath.Join(dir, "logs"), source: "file:" + filepath.Join(dir, "logs"),
			keys: []string{name, "events.ndjson"}},
		{name: "relative directory", root: "logs", chdir: dir, source: "file:" + filepath.Join(dir, "logs"),
			keys: []string{name, "events.ndjson"}},
		{name: "one file", root: file, source: "file:" + file, keys: []string{name}},
		{name: "a file of another kind", root: filepath.Join(dir, "logs", "events.ndjson"),
			source: "file:" + filepath.Join(dir, "logs", "events.ndjson"), keys: []string{"events.ndjson"}},
		{name: "missing", root: filepath.Join(dir, "nothing"), err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.chdir != "" {
				t.Chdir(tc.chdir)
			}
			units, err := trail.ListFiles(tc.root)
			if tc.err {
				if err == nil {
					t.Fatalf("listed %+v", units)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tc.keys
			if symlinked && len(want) > 1 {
				want = append(want, "link.json")
			}
			if len(units) != len(want) {
				t.Fatalf("units %+v, want keys %v", units, want)
			}
			for _, u := range units {
				found := false
				for _, k := range want {
					found = found || u.Key == k
				}
				if !found || u.Source != tc.source {
					t.Errorf("unit %+v", u)
				}
				if u.Key == name && (u.Account != "111122223333" || u.Region != "us-east-1" || !u.Day.Equal(day(2026, 3, 9))) {
					t.Errorf("unit without its partition: %+v", u)
				}
				f, err := trail.OpenFile(tc.root, u)
				if err != nil {
					t.Fatalf("open %s: %v", u.Key, err)
				}
				f.Close()
			}
		})
	}
}

func TestOpenFileRefusesOtherKeys(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "in/a.json", "[]", time.Now())
	writeFile(t, dir, "secret.json", "[]", time.Now())
	root := filepath.Join(dir, "in")
	for _, tc := range []struct {
		root, key string
	}{
		{root, "../secret.json"},
		{root, filepath.Join(dir, "secret.json")},
		{root, "missing.json"},
		{filepath.Join(root, "a.json"), "secret.json"},
	} {
		if f, err := trail.OpenFile(tc.root, trail.Unit{Key: tc.key}); err == nil {
			f.Close()
			t.Errorf("opened %s under %s", tc.key, tc.root)
		}
	}
}
