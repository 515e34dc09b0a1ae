package trailgen_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/trailgen"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
	// acctX appears only in an Extra event.
	acctX = "777788889999"
)

var start = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)

func keyARN(region, account, id string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + id
}

// scenario returns Extra events of every kind sagekey aggregates, and
// where each must land.
func scenario() []trail.Event {
	key := keyARN("eu-west-1", acctA, "1111aaaa-2222-3333-4444-555566667777")
	role := trail.UserIdentity{Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:alice", AccountID: acctA,
		ARN:            "arn:aws:sts::" + acctA + ":assumed-role/security-admin/alice",
		SessionContext: trail.SessionContext{SessionIssuer: trail.SessionIssuer{Type: "Role", ARN: "arn:aws:iam::" + acctA + ":role/security-admin"}}}
	return []trail.Event{
		{EventTime: start.Add(5*time.Hour + 17*time.Minute), EventSource: trail.SourceKMS, EventName: "ScheduleKeyDeletion",
			AWSRegion: "eu-west-1", RecipientAccountID: acctA, UserIdentity: role, UserAgent: "aws-cli/2.22.12",
			RequestParameters: json.RawMessage(`{"keyId":"` + key + `","pendingWindowInDays":7}`),
			Resources:         []trail.EventResource{{ARN: key, AccountID: acctA, Type: "AWS::KMS::Key"}}},
		{EventTime: start.Add(23*time.Hour + 59*time.Minute + 59*time.Second), EventSource: trail.SourceSageMaker,
			EventName: "CreateNotebookInstance", AWSRegion: "us-east-1", RecipientAccountID: acctB,
			UserIdentity: trail.UserIdentity{Type: "AssumedRole", AccountID: acctB, ARN: "arn:aws:sts::" + acctB + ":assumed-role/ci-deployer/tf"},
			UserAgent:    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8", ResponseElements: json.RawMessage(
				`{"notebookInstanceArn":"arn:aws:sagemaker:us-east-1:` + acctB + `:notebook-instance/scenario-nb"}`)},
		{EventTime: start.Add(-72 * time.Hour), EventSource: trail.SourceSageMaker, EventName: "CreateTrainingJob",
			AWSRegion: "us-east-1", RecipientAccountID: acctX, ErrorCode: "AccessDenied",
			ErrorMessage: "User: arn:aws:sts::" + acctX + ":assumed-role/data-scientist/bob is not authorized to perform: " +
				"sagemaker:CreateTrainingJob with an explicit deny in a service control policy: arn:aws:organizations::" + acctX +
				":policy/o-exampleorg1/service_control_policy/p-sagekey01",
			UserIdentity: trail.UserIdentity{Type: "AssumedRole", AccountID: acctX, ARN: "arn:aws:sts::" + acctX + ":assumed-role/data-scientist/bob"}},
	}
}

func TestGenerateReadBack(t *testing.T) {
	keys := []string{keyARN("us-east-1", acctA, "0f0f0f0f-0000-4000-8000-00000000000a"),
		keyARN("eu-west-1", acctA, "1111aaaa-2222-3333-4444-555566667777"),
		keyARN("us-east-1", acctB, "0f0f0f0f-0000-4000-8000-00000000000b")}
	o := trailgen.Options{Events: 20000, Start: start.Add(17 * time.Minute), Days: 1, Regions: []string{"us-east-1", "eu-west-1"},
		Accounts: []string{acctA, acctB}, OrgID: "o-exampleorg1", Prefix: "org-trail", Seed: 7, Keys: keys, Extra: scenario()}
	files := map[string][]byte{}
	sum, err := trailgen.Generate(o, func(key string, body []byte) error {
		if _, dup := files[key]; dup {
			t.Errorf("key %s written twice", key)
		}
		files[key] = body
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Events != o.Events+len(o.Extra) || sum.Files != len(files) {
		t.Fatalf("summary %+v, %d files written", sum, len(files))
	}
	// 2 accounts × 2 regions × 24 hours, and the hour of acctX's event.
	if cells := 2 * 2 * 24; sum.Files != cells+1 {
		t.Errorf("%d files, want %d", sum.Files, cells+1)
	}
	if perEvent := sum.RawBytes / int64(sum.Events); perEvent < 800 || perEvent > 1500 {
		t.Errorf("%d bytes per event, want a CloudTrail record's 0.8–1.5 KB", perEvent)
	}
	if share := float64(sum.Interesting) / float64(sum.Events); share < 0.015 || share > 0.025 {
		t.Errorf("interesting share %.3f, want about %.2f", share, trailgen.DefaultInterestShare)
	}

	ctx := trail.NewContext([]trail.KeyFacts{{ARN: keys[0]}, {ARN: keys[1]}, {ARN: keys[2]}}, []string{"p-sagekey01"})
	var parts []*trail.Aggregates
	var decoded, skipped int64
	namePattern := regexp.MustCompile(`^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{2}00Z)_[A-Za-z0-9]{16}\.json\.gz$`)
	for _, key := range slices.Sorted(maps.Keys(files)) {
		lk, ok := trail.ParseLogKey(key)
		m := namePattern.FindStringSubmatch(path.Base(key))
		if !ok || m == nil || lk.OrgID != o.OrgID || m[1] != lk.Account || m[2] != lk.Region || m[3][:8] != lk.Day.Format("20060102") {
			t.Errorf("key %s is not a CloudTrail log key (%+v)", key, lk)
		}
		if want := trail.DayPrefix(o.Prefix, o.OrgID, lk.Account, lk.Region, lk.Day); key[:len(want)] != want {
			t.Errorf("key %s is not under %s", key, want)
		}
		agg := trail.NewAggregator(ctx)
		st, err := trail.ReadUnitStats(bytes.NewReader(files[key]), key, agg)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if !st.Gzip {
			t.Errorf("%s is not gzipped", key)
		}
		if lk.Account != acctX {
			if n := int(st.Records); n < o.Events/96 || n > o.Events/96+2 { // +1 remainder, +1 Extra
				t.Errorf("%s holds %d records, want %d spread evenly", key, n, o.Events/96)
			}
		}
		decoded += st.Decoded
		skipped += st.Skipped
		parts = append(parts, agg.Result())
	}
	got := trail.Merge(parts...)

	if got.Events != int64(sum.Events) {
		t.Errorf("read %d events, generated %d", got.Events, sum.Events)
	}
	if decoded != int64(sum.Candidates) || skipped != int64(sum.Events-sum.Candidates) {
		t.Errorf("prefilter decoded %d and skipped %d; the generator wrote %d candidates of %d", decoded, skipped, sum.Candidates, sum.Events)
	}
	if sum.Candidates <= sum.Interesting {
		t.Errorf("no noise passes the prefilter (%d candidates, %d interesting)", sum.Candidates, sum.Interesting)
	}
	if len(got.Problems) > 0 {
		t.Errorf("problems: %+v", got.Problems)
	}

	var requests int64
	for _, r := range got.Requests {
		requests += r.Count
		if !slices.Contains(keys, r.KeyARN) || r.Operation != "kms:GenerateDataKey" && r.Operation != "kms:Decrypt" {
			t.Errorf("request on an unexpected key or operation: %+v", r)
		}
	}
	if requests != int64(sum.SageMakerKMS) || requests == 0 {
		t.Errorf("%d SageMaker KMS requests aggregated, %d generated", requests, sum.SageMakerKMS)
	}
	var denied int64
	for _, d := range got.Denials {
		denied += d.Count
		if d.Via != trail.ViaDirect || d.Operation != "kms:Decrypt" {
			t.Errorf("unexpected denial %+v", d)
		}
	}
	if denied != int64(sum.KMSDenied) || denied == 0 {
		t.Errorf("%d denials aggregated, %d generated", denied, sum.KMSDenied)
	}

	// The Extra events, each found in its place.
	if len(got.Creators) != sum.Creates+1 {
		t.Errorf("%d creators, want %d generated and 1 Extra", len(got.Creators), sum.Creates)
	}
	nb := slices.IndexFunc(got.Creators, func(c trail.Creator) bool {
		return c.ResourceARN == "arn:aws:sagemaker:us-east-1:"+acctB+":notebook-instance/scenario-nb"
	})
	if nb < 0 || got.Creators[nb].Tool != trail.ToolTerraform || got.Creators[nb].Account != acctB {
		t.Errorf("Extra create not aggregated: %+v", got.Creators)
	}
	if len(got.KeyEvents) != 1 || got.KeyEvents[0].Action != "kms:ScheduleKeyDeletion" || got.KeyEvents[0].KeyARN != keys[1] ||
		got.KeyEvents[0].Detail != "pending window 7 days" || got.KeyEvents[0].EventID == "" {
		t.Errorf("key events %+v", got.KeyEvents)
	}
	if len(got.Blocked) != 1 || got.Blocked[0].Account != acctX || got.Blocked[0].PolicyType != trail.PolicySCP ||
		got.Blocked[0].Guardrail != trail.GuardrailYes || !got.Blocked[0].Day.Equal(start.AddDate(0, 0, -3)) {
		t.Errorf("blocked %+v", got.Blocked)
	}
	if want := int64(sum.SageMakerKMS + sum.KMSDenied + sum.Creates + len(o.Extra)); got.Matched != want {
		t.Errorf("matched %d, want %d", got.Matched, want)
	}

	// Extra events are in the file of their account, region and hour.
	for _, ev := range o.Extra {
		prefix := trail.DayPrefix(o.Prefix, o.OrgID, ev.RecipientAccountID, ev.AWSRegion, ev.EventTime) +
			ev.RecipientAccountID + "_CloudTrail_" + ev.AWSRegion + "_" + ev.EventTime.Truncate(time.Hour).Format("20060102T1504Z") + "_"
		found := false
		for key, body := range files {
			if len(key) > len(prefix) && key[:len(prefix)] == prefix && bytes.Contains(gunzip(t, body), []byte(`"eventName":"`+ev.EventName+`"`)) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s of %s not found under %s", ev.EventName, ev.EventTime, prefix)
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRecordsAreCloudTrail decodes every generated record as JSON and
// checks the fields every CloudTrail record carries.
func TestRecordsAreCloudTrail(t *testing.T) {
	o := trailgen.Options{Events: 3000, InterestShare: 0.2, Regions: []string{"us-east-1", "ap-southeast-2"}, Seed: 3}
	seen := map[string]bool{}
	ids := map[string]bool{}
	_, err := trailgen.Generate(o, func(key string, body []byte) error {
		var doc struct {
			Records []map[string]any
		}
		if err := json.Unmarshal(gunzip(t, body), &doc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		lk, _ := trail.ParseLogKey(key)
		for _, r := range doc.Records {
			for _, f := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
				"sourceIPAddress", "userAgent", "requestID", "eventID", "eventType", "recipientAccountId"} {
				if _, ok := r[f]; !ok {
					t.Fatalf("%s: record without %s: %v", key, f, r)
				}
			}
			if r["awsRegion"] != lk.Region || r["recipientAccountId"] != lk.Account {
				t.Errorf("%s: record of %v/%v", key, r["recipientAccountId"], r["awsRegion"])
			}
			if tm, err := time.Parse(time.RFC3339, r["eventTime"].(string)); err != nil || !trail.Day(tm).Equal(lk.Day) {
				t.Errorf("%s: event time %v", key, r["eventTime"])
			}
			id := r["eventID"].(string)
			if ids[id] {
				t.Errorf("event ID %s repeats", id)
			}
			ids[id] = true
			seen[r["eventSource"].(string)+" "+r["eventName"].(string)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ec2.amazonaws.com DescribeInstances", "ec2.amazonaws.com RunInstances", "s3.amazonaws.com GetObject",
		"s3.amazonaws.com PutObject", "iam.amazonaws.com GetRole", "sts.amazonaws.com GetCallerIdentity", "sts.amazonaws.com AssumeRole",
		"kms.amazonaws.com GenerateDataKey", "kms.amazonaws.com Decrypt", "sagemaker.amazonaws.com DescribeTrainingJob",
		"sagemaker.amazonaws.com CreateTrainingJob"} {
		if !seen[want] {
			t.Errorf("no %s event generated", want)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	gen := func(seed int64) map[string][]byte {
		files := map[string][]byte{}
		o := trailgen.Options{Events: 2000, Days: 2, Accounts: []string{acctA, acctB}, Seed: seed, Extra: scenario()}
		if _, err := trailgen.Generate(o, func(key string, body []byte) error { files[key] = body; return nil }); err != nil {
			t.Fatal(err)
		}
		return files
	}
	a, b, c := gen(1), gen(1), gen(2)
	if !maps.EqualFunc(a, b, bytes.Equal) {
		t.Error("the same options gave different files")
	}
	if maps.EqualFunc(a, c, bytes.Equal) {
		t.Error("another seed gave the same files")
	}
}

func TestGenerateOptions(t *testing.T) {
	tests := []struct {
		name      string
		o         trailgen.Options
		files     int
		prefix    string
		noInterst bool
	}{
		{name: "defaults", o: trailgen.Options{Events: 100}, files: 24, prefix: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/"},
		{name: "fewer events than hours", o: trailgen.Options{Events: 5, Days: 3}, files: 5, prefix: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/"},
		{name: "only extra", o: trailgen.Options{Extra: scenario()[:1]}, files: 1, prefix: "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/09/"},
		{name: "no interest", o: trailgen.Options{Events: 500, InterestShare: -1, Prefix: "/p/"}, files: 24, prefix: "p/AWSLogs/", noInterst: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []string
			sum, err := trailgen.Generate(tt.o, func(key string, _ []byte) error { keys = append(keys, key); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if sum.Files != tt.files || len(keys) != tt.files {
				t.Errorf("%d files (%d put), want %d", sum.Files, len(keys), tt.files)
			}
			if !slices.IsSorted(keys) {
				t.Errorf("keys not written in order: %v", keys)
			}
			if len(keys) > 0 && keys[0][:len(tt.prefix)] != tt.prefix {
				t.Errorf("first key %s, want under %s", keys[0], tt.prefix)
			}
			if tt.noInterst && sum.Interesting != 0 {
				t.Errorf("%d interesting events with InterestShare < 0", sum.Interesting)
			}
		})
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	sum, err := trailgen.WriteDir(dir, trailgen.Options{Events: 300, Regions: []string{"us-east-1", "eu-central-1"}})
	if err != nil {
		t.Fatal(err)
	}
	units, err := trail.ListFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != sum.Files {
		t.Fatalf("listed %d files, wrote %d", len(units), sum.Files)
	}
	var events int64
	for _, u := range units {
		if u.Account != "111122223333" || u.Region == "" || u.Day.IsZero() {
			t.Errorf("unit without its partition: %+v", u)
		}
		f, err := trail.OpenFile(dir, u)
		if err != nil {
			t.Fatal(err)
		}
		agg := trail.NewAggregator(trail.NewContext(nil, nil))
		if err := trail.ReadUnit(f, u.Key, agg); err != nil {
			t.Errorf("%s: %v", u.Key, err)
		}
		f.Close()
		events += agg.Result().Events
	}
	if events != int64(sum.Events) {
		t.Errorf("read %d events, wrote %d", events, sum.Events)
	}
	if _, err := trailgen.WriteDir(dir, trailgen.Options{Events: 1, Prefix: "../escape"}); err == nil {
		t.Error("a prefix leaving the directory was accepted")
	}
}

// BenchmarkGenerate measures generation; a million events must take well
// under a minute.
func BenchmarkGenerate(b *testing.B) {
	o := trailgen.Options{Events: 100000, Accounts: []string{acctA, acctB}}
	var sum trailgen.Summary
	for b.Loop() {
		var err error
		if sum, err = trailgen.Generate(o, func(string, []byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(sum.RawBytes)
	b.ReportMetric(float64(sum.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
