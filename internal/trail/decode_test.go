package trail_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/trail/trailgen"
)

const testKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// kmsRecord is a GenerateDataKey SageMaker made on testKey: a record the
// prefilter passes and the aggregator counts as a request.
func kmsRecord(id string) string {
	return `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:SageMaker",` +
		`"arn":"arn:aws:sts::111122223333:assumed-role/SageMakerExecution/SageMaker","accountId":"111122223333",` +
		`"invokedBy":"sagemaker.amazonaws.com"},"eventTime":"2026-11-03T14:30:00Z","eventSource":"kms.amazonaws.com",` +
		`"eventName":"GenerateDataKey","awsRegion":"us-east-1","sourceIPAddress":"sagemaker.amazonaws.com",` +
		`"userAgent":"sagemaker.amazonaws.com","requestParameters":{"keyId":"` + testKey + `","keySpec":"AES_256"},` +
		`"responseElements":null,"eventID":"` + id + `","readOnly":true,"resources":[{"accountId":"111122223333",` +
		`"type":"AWS::KMS::Key","ARN":"` + testKey + `"}],"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`
}

// noiseRecord is an EC2 call, which the prefilter skips.
func noiseRecord(id string) string {
	return `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice",` +
		`"accountId":"111122223333","userName":"alice"},"eventTime":"2026-11-03T14:31:00Z","eventSource":"ec2.amazonaws.com",` +
		`"eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15.30",` +
		`"requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"eventID":"` + id + `",` +
		`"readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111122223333",` +
		`"tlsDetails":{"tlsVersion":"TLSv1.3","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}}`
}

func newAgg() *trail.Aggregator {
	return trail.NewAggregator(trail.NewContext([]trail.KeyFacts{{ARN: testKey}}, nil))
}

func gz(t testing.TB, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range parts { // each part its own gzip member
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// readers are the ways a stream arrives: whole, in halves, and one byte
// per Read, which puts every window boundary of the splitter at every
// byte of the input.
func readers() []chunking {
	return []chunking{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"half", iotest.HalfReader},
		{"bytewise", iotest.OneByteReader},
		{"eof-with-data", iotest.DataErrReader},
	}
}

type chunking struct {
	name string
	wrap func(io.Reader) io.Reader
}

type readCase struct {
	name string
	in   string
	// err is a substring of the error, "" for none; truncated says the
	// error is an io.ErrUnexpectedEOF.
	err       string
	truncated bool
	records   int64
	decoded   int64
	// problems counts problems by kind; requests is the SageMaker KMS
	// requests aggregated.
	problems map[string]int64
	requests int64
}

func readCases() []readCase {
	k1, k2, n1, n2 := kmsRecord("k1"), kmsRecord("k2"), noiseRecord("n1"), noiseRecord("n2")
	v2 := strings.Replace(kmsRecord("v2"), `"eventVersion":"1.08"`, `"eventVersion":"2.0"`, 1)
	noID := strings.Replace(kmsRecord(""), `"eventID":"",`, ``, 1)
	tricky := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","note":"}]{[\"\\","path":"C:\\\\","u":"\u007d","n":-1.5e3,"t":true}`
	return []readCase{
		{name: "wrapper", in: `{"Records":[` + k1 + `,` + n1 + `,` + n2 + `]}`, records: 3, decoded: 1, requests: 1},
		{name: "wrapper with other keys", in: `{"meta":{"Records":[1,2],"x":"}]\""},"Records":[` + k1 + `,` + n1 +
			`],"count":2,"tail":[{"a":null}],"z":"Records"}`, records: 2, decoded: 1, requests: 1},
		{name: "wrapper pretty-printed", in: "{\n  \"Records\" :\t[\n    " + k1 + " ,\n    " + n1 + "\n  ]\n}\n", records: 2, decoded: 1, requests: 1},
		{name: "array", in: `[` + k1 + `,` + n1 + `,` + n2 + `,` + k2 + `]`, records: 4, decoded: 2, requests: 2},
		{name: "ndjson", in: k1 + "\n" + n1 + "\n\n" + n2 + "\r\n" + k2, records: 4, decoded: 2, requests: 2},
		{name: "ndjson noise first", in: n1 + "\n" + k1 + "\n", records: 2, decoded: 1, requests: 1},
		{name: "ndjson kms first", in: k1 + "\n" + n1 + "\n", records: 2, decoded: 1, requests: 1},
		{name: "empty"},
		{name: "whitespace", in: " \n\t\r\n"},
		{name: "empty records", in: `{"Records":[]}`},
		{name: "null records", in: `{"Records":null,"x":1}`},
		{name: "empty array", in: `[ ]`},
		{name: "byte order mark", in: "\xef\xbb\xbf" + `{"Records":[` + k1 + `]}`, records: 1, decoded: 1, requests: 1},
		{name: "concatenated wrappers", in: `{"Records":[` + k1 + `]}` + "\n" + `{"Records":[` + n1 + `]}`, records: 2, decoded: 1, requests: 1},
		{name: "escaped Records key", in: `{"Rec\u006frds":[` + k1 + `,` + n1 + `]}`, records: 2, decoded: 1, requests: 1},
		{name: "structure inside strings", in: `{"Records":[` + tricky + `,` + k1 + `,` + tricky + `]}`, records: 3, decoded: 1, requests: 1},
		{name: "bad records in a good file", in: `{"Records":[1,"text",null,[` + k1 + `],{},` + v2 + `,` + noID + `]}`, records: 7, decoded: 6,
			problems: map[string]int64{trail.ProblemBadRecord: 5, trail.ProblemUnknownVersion: 1}},
		{name: "malformed noise is skipped unread", in: `[{"eventSource":"ec2.amazonaws.com","x":tru},{"a" "b"}]`, records: 2},
		{name: "malformed candidate", in: `[{"eventSource":"kms.amazonaws.com","x":tru}]`, records: 1, decoded: 1,
			problems: map[string]int64{trail.ProblemBadRecord: 1}},

		{name: "truncated wrapper", in: `{"Records":[` + k1, err: "truncated", truncated: true},
		{name: "truncated in a string", in: `{"Records":[{"a":"b`, err: "truncated", truncated: true},
		{name: "truncated after a comma", in: `[` + k1 + `,`, err: "truncated", truncated: true},
		{name: "truncated key", in: `{"Reco`, err: "truncated", truncated: true},
		{name: "truncated after Records", in: `{"Records":`, err: "truncated", truncated: true},
		{name: "only a brace", in: `{`, err: "truncated", truncated: true},
		{name: "only a bracket", in: ` [`, err: "truncated", truncated: true},
		{name: "ndjson truncated line", in: k1 + "\n" + `{"eventVersion":"1.08"`, err: "truncated", truncated: true},
		{name: "text", in: "hello, world", err: "top level starts with 'h'"},
		{name: "html", in: "<html><body>AccessDenied</body></html>", err: "top level"},
		{name: "top-level string", in: `"Records"`, err: "top level"},
		{name: "top-level number", in: `42`, err: "top level"},
		{name: "garbage after the wrapper", in: `{"Records":[]} x`, err: "unexpected 'x'"},
		{name: "garbage between records", in: `[` + k1 + ` x]`, err: "after a record"},
		{name: "missing comma", in: `[{} {}]`, err: "after a record"},
		{name: "trailing comma", in: `[{},]`, err: "unexpected ']'"},
		{name: "mismatched brackets", in: `[{"a":[}]`, err: "unexpected '}'"},
		{name: "close without open", in: `[}]`, err: "unexpected '}'"},
		{name: "Records holds an object", in: `{"Records":{"a":1}}`, err: "not an array"},
		{name: "Records holds a string", in: `{"Records":"x"}`, err: "not an array"},
		{name: "Records holds nul", in: `{"Records":nul}`, err: "neither an array nor null"},
		{name: "key without colon", in: `{"Records" []}`, err: "after an object key"},
		{name: "unquoted key", in: `{Records:[]}`, err: "object key"},
		{name: "too deep", in: `[` + strings.Repeat("[", 20000) + strings.Repeat("]", 20001), err: "nested deeper"},
	}
}

func checkRead(t *testing.T, tc readCase, st trail.ReadStats, err error, agg *trail.Aggregator) {
	t.Helper()
	if tc.err != "" {
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Fatalf("error %v, want one saying %q", err, tc.err)
		}
		if tc.truncated != errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("error %v: truncated is %v", err, !tc.truncated)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != tc.records || st.Decoded != tc.decoded || st.Skipped != tc.records-tc.decoded || st.Oversized != 0 {
		t.Errorf("stats %+v, want %d records, %d decoded", st, tc.records, tc.decoded)
	}
	res := agg.Result()
	if res.Events != tc.records {
		t.Errorf("aggregated %d events, want %d", res.Events, tc.records)
	}
	problems := map[string]int64{}
	for _, p := range res.Problems {
		problems[p.Kind] += p.Count
	}
	if len(problems) > 0 || len(tc.problems) > 0 {
		if !reflect.DeepEqual(problems, tc.problems) {
			t.Errorf("problems %v (%+v), want %v", problems, res.Problems, tc.problems)
		}
	}
	var requests int64
	for _, r := range res.Requests {
		requests += r.Count
	}
	if requests != tc.requests {
		t.Errorf("%d requests aggregated, want %d", requests, tc.requests)
	}
}

func TestReadUnit(t *testing.T) {
	for _, tc := range readCases() {
		for _, rd := range readers() {
			for _, zip := range []bool{false, true} {
				name := tc.name + "/" + rd.name
				in := []byte(tc.in)
				if zip {
					name += "/gzip"
					in = gz(t, tc.in)
				}
				t.Run(name, func(t *testing.T) {
					agg := newAgg()
					st, err := trail.ReadUnitStats(rd.wrap(bytes.NewReader(in)), "unit.json", agg)
					if st.Gzip != zip {
						t.Errorf("gzip detected: %v", st.Gzip)
					}
					checkRead(t, tc, st, err, agg)
					if err == nil && st.Bytes != int64(len(tc.in)) {
						t.Errorf("read %d bytes of %d", st.Bytes, len(tc.in))
					}
				})
			}
		}
	}
}

// TestReadUnitProblemsNameUnit checks problems are the unit's.
func TestReadUnitProblemsNameUnit(t *testing.T) {
	agg := newAgg()
	if err := trail.ReadUnit(strings.NewReader(`[1]`), "AWSLogs/x.json.gz", agg); err != nil {
		t.Fatal(err)
	}
	if p := agg.Result().Problems; len(p) != 1 || p[0].Unit != "AWSLogs/x.json.gz" {
		t.Errorf("problems %+v", p)
	}
}

func TestPrefilter(t *testing.T) {
	tests := []struct {
		name   string
		record string
	}{
		{"kms event source", `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt"}`},
		{"sagemaker event source", `{"eventName":"CreateModel","eventSource":"sagemaker.amazonaws.com"}`},
		{"sagemaker invokes sts", `{"eventSource":"sts.amazonaws.com","userIdentity":{"invokedBy":"sagemaker.amazonaws.com"}}`},
		{"sse-kms is not kms", `{"eventSource":"s3.amazonaws.com","requestParameters":{"x-amz-server-side-encryption":"aws:kms"}}`},
		{"kms host with region", `{"eventSource":"ec2.amazonaws.com","host":"kms.us-east-1.amazonaws.com"}`},
		{"escaped quote after the name", `{"eventSource":"iam.amazonaws.com","policy":"{\"Service\":\"kms.amazonaws.com\"}"}`},
		{"name inside a longer value", `{"eventSource":"s3.amazonaws.com","url":"https://kms.amazonaws.com/x"}`},
		{"name as a key", `{"sagemaker.amazonaws.com":1}`},
		{"longer name ending in kms", `{"eventSource":"awskms.amazonaws.com"}`},
		{"name at the very start", `{"kms.amazonaws.com":"x"}`},
		{"no name at all", `{"eventSource":"ec2.amazonaws.com"}`},
	}
	for _, tc := range tests {
		b := []byte(tc.record)
		want := int64(0)
		// The byte prefilter, then the event source when the record names
		// one: a record of another service is not decoded.
		var rec struct{ EventSource *string }
		_ = json.Unmarshal(b, &rec)
		otherService := rec.EventSource != nil && *rec.EventSource != trail.SourceKMS && *rec.EventSource != trail.SourceSageMaker
		if (bytes.Contains(b, []byte(`kms.amazonaws.com"`)) || bytes.Contains(b, []byte(`sagemaker.amazonaws.com"`))) && !otherService {
			want = 1
		}
		// The record as an element of the wrapper, of an array, and as
		// the first and second line of NDJSON (where the first is read
		// key by key).
		for _, layout := range []string{`{"Records":[%s]}`, `[%s]`, "%s\n", "{}\n%s\n"} {
			for _, rd := range readers() {
				t.Run(fmt.Sprintf("%s/%q/%s", tc.name, layout, rd.name), func(t *testing.T) {
					st, err := trail.ReadUnitStats(rd.wrap(strings.NewReader(fmt.Sprintf(layout, tc.record))), "u", newAgg())
					if err != nil {
						t.Fatal(err)
					}
					if st.Decoded != want {
						t.Errorf("decoded %d, want %d", st.Decoded, want)
					}
				})
			}
		}
	}
	// A record that is not JSON is judged by its bytes too (where it is
	// not the first line of NDJSON, whose keys are parsed to tell it from
	// the wrapper).
	for _, in := range []string{`[{"a":kms.amazonaws.com"x"}]`, "{}\n" + `{"a":kms.amazonaws.com"x"}`} {
		for _, rd := range readers() {
			st, err := trail.ReadUnitStats(rd.wrap(strings.NewReader(in)), "u", newAgg())
			if err != nil || st.Decoded != 1 {
				t.Errorf("%s (%s): %+v, %v", in, rd.name, st, err)
			}
		}
	}
}

// repeatReader streams n copies of a byte without holding them.
type repeatReader struct {
	c byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n)
	for i := range n {
		p[i] = r.c
	}
	r.n -= n
	return n, nil
}

func TestReadUnitOversized(t *testing.T) {
	const big = 20 << 20
	bigRecord := func() io.Reader {
		return io.MultiReader(strings.NewReader(`{"eventSource":"kms.amazonaws.com","blob":"`), &repeatReader{'a', big}, strings.NewReader(`"}`))
	}
	tests := []struct {
		name string
		in   func() io.Reader
	}{
		{"in the wrapper", func() io.Reader {
			return io.MultiReader(strings.NewReader(`{"Records":[`+kmsRecord("k1")+`,`), bigRecord(), strings.NewReader(`,`+kmsRecord("k2")+`]}`))
		}},
		{"first line of ndjson", func() io.Reader {
			return io.MultiReader(bigRecord(), strings.NewReader("\n"+kmsRecord("k1")+"\n"+kmsRecord("k2")))
		}},
		{"a scalar", func() io.Reader {
			return io.MultiReader(strings.NewReader(`[`+kmsRecord("k1")+`,`), &repeatReader{'1', big}, strings.NewReader(`,`+kmsRecord("k2")+`]`))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			agg := newAgg()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			st, err := trail.ReadUnitStats(tc.in(), "big.json", agg)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != 3 || st.Oversized != 1 || st.Decoded != 2 {
				t.Errorf("stats %+v", st)
			}
			// The record is skipped, not buffered: reading it allocates a
			// fraction of its size (rec grows to MaxRecordBytes first).
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*trail.MaxRecordBytes {
				t.Errorf("reading a %d-byte record allocated %d bytes", big, alloc)
			}
			res := agg.Result()
			if len(res.Problems) != 1 || res.Problems[0].Kind != trail.ProblemOversized || res.Problems[0].Count != 1 ||
				len(res.Requests) != 1 || res.Requests[0].Count != 2 || res.Events != 3 {
				t.Errorf("aggregates %+v", res)
			}
		})
	}
}

// TestReadUnitMaxRecordBytes checks the limit is inclusive.
func TestReadUnitMaxRecordBytes(t *testing.T) {
	record := func(size int) string {
		head := `{"eventSource":"ec2.amazonaws.com","pad":"`
		return head + strings.Repeat("x", size-len(head)-2) + `"}`
	}
	for _, tc := range []struct {
		size      int
		oversized int64
	}{{trail.MaxRecordBytes, 0}, {trail.MaxRecordBytes + 1, 1}} {
		for _, rd := range readers()[:2] {
			r := record(tc.size)
			st, err := trail.ReadUnitStats(rd.wrap(bytes.NewReader(gz(t, `[`+r+`,`+r+`]`))), "u", newAgg())
			if err != nil || len(r) != tc.size || st.Records != 2 || st.Oversized != 2*tc.oversized {
				t.Errorf("%d-byte records (%s): %+v, %v", tc.size, rd.name, st, err)
			}
		}
	}
}

type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestReadUnitBrokenStreams(t *testing.T) {
	doc := `{"Records":[` + kmsRecord("k1") + `,` + noiseRecord("n1") + `]}`
	good := gz(t, doc)
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0xff
		return b
	}
	errConn := errors.New("connection reset")
	tests := []struct {
		name string
		in   io.Reader
		want string // a substring of the error, "" for none
		is   error
	}{
		{"intact", bytes.NewReader(good), "", nil},
		{"two gzip members", bytes.NewReader(gz(t, `{"Records":[`+kmsRecord("k1"), `,`+noiseRecord("n1")+`]}`)), "", nil},
		{"ndjson in gzip members", bytes.NewReader(gz(t, kmsRecord("k1")+"\n", noiseRecord("n1")+"\n")), "", nil},
		{"corrupt data", bytes.NewReader(flip(good, len(good)/2)), "", nil},
		{"bad checksum", bytes.NewReader(flip(good, len(good)-6)), "checksum", gzip.ErrChecksum},
		{"bad size", bytes.NewReader(flip(good, len(good)-2)), "checksum", gzip.ErrChecksum},
		{"truncated", bytes.NewReader(good[:len(good)-10]), "", io.ErrUnexpectedEOF},
		{"trailer missing", bytes.NewReader(good[:len(good)-8]), "", io.ErrUnexpectedEOF},
		{"header only", bytes.NewReader(good[:10]), "", io.ErrUnexpectedEOF},
		{"magic only", bytes.NewReader(good[:2]), "", io.ErrUnexpectedEOF},
		{"garbage after the member", bytes.NewReader(append(bytes.Clone(good), "<html>garbage</html>"...)), "invalid header", gzip.ErrHeader},
		{"short garbage after the member", bytes.NewReader(append(bytes.Clone(good), "x"...)), "", io.ErrUnexpectedEOF},
		{"connection lost", &failingReader{bytes.NewReader(good[:len(good)/2]), errConn}, "connection reset", errConn},
		{"connection lost, plain", &failingReader{strings.NewReader(doc[:len(doc)/2]), errConn}, "connection reset", errConn},
		{"connection lost at once", &failingReader{strings.NewReader(""), errConn}, "connection reset", errConn},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			agg := newAgg()
			err := trail.ReadUnit(tc.in, "u.json.gz", agg)
			if tc.name == "intact" || strings.HasPrefix(tc.name, "two") || strings.HasPrefix(tc.name, "ndjson") {
				if err != nil {
					t.Fatal(err)
				}
				if res := agg.Result(); res.Events != 2 || res.Matched != 1 {
					t.Errorf("read %d events, %d matched", res.Events, res.Matched)
				}
				return
			}
			if err == nil {
				t.Fatal("a broken stream was read without error")
			}
			if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

// TestReadUnitMatchesFullDecode reads a generated trail with ReadUnit and
// with encoding/json decoding every record into the aggregator: the byte
// splitter and the prefilter must lose nothing.
func TestReadUnitMatchesFullDecode(t *testing.T) {
	keys := []string{testKey, "arn:aws:kms:eu-west-1:111122223333:key/0000aaaa-0000-4000-8000-000000000001"}
	o := trailgen.Options{Events: 6000, Regions: []string{"us-east-1", "eu-west-1"}, InterestShare: 0.1, Keys: keys, Seed: 11,
		Extra: []trail.Event{{EventTime: time.Date(2026, 1, 1, 7, 0, 0, 0, time.UTC), EventSource: trail.SourceKMS, EventName: "DisableKey",
			AWSRegion: "us-east-1", RequestParameters: json.RawMessage(`{"keyId":"` + testKey + `"}`),
			UserIdentity: trail.UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/alice", AccountID: "111122223333"}}}}
	ctx := trail.NewContext([]trail.KeyFacts{{ARN: keys[0]}, {ARN: keys[1]}}, nil)
	var viaReadUnit, viaJSON []*trail.Aggregates
	_, err := trailgen.Generate(o, func(key string, body []byte) error {
		agg := trail.NewAggregator(ctx)
		if err := trail.ReadUnit(bytes.NewReader(body), key, agg); err != nil {
			return err
		}
		viaReadUnit = append(viaReadUnit, agg.Result())

		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return err
		}
		var doc struct{ Records []trail.Event }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			return err
		}
		all := trail.NewAggregator(ctx)
		for i := range doc.Records {
			all.Add(&doc.Records[i])
		}
		viaJSON = append(viaJSON, all.Result())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, want := trail.Merge(viaReadUnit...), trail.Merge(viaJSON...)
	if want.Matched == 0 || len(want.Requests) == 0 || len(want.Denials) == 0 || len(want.Creators) == 0 || len(want.KeyEvents) != 1 {
		t.Fatalf("the generated trail lacks interesting events: %+v", want)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("ReadUnit aggregated\n%s\nfull decoding\n%s", g, w)
	}
}

// FuzzReadUnit feeds ReadUnit arbitrary bytes. It must never panic; when
// it succeeds its counts must agree; and when the input is one valid JSON
// document, it must succeed and find the records encoding/json finds.
func FuzzReadUnit(f *testing.F) {
	for _, tc := range readCases() {
		f.Add([]byte(tc.in))
	}
	f.Add(gz(f, `{"Records":[`+kmsRecord("k1")+`,`+noiseRecord("n1")+`]}`))
	f.Add(gz(f, kmsRecord("k1")+"\n", noiseRecord("n1")))
	f.Add(gz(f, `[1,{},"x"]`)[:20])
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte(`{"Records":[{"a":"\\"},"\\\"",{"b":"kms.amazonaws.com\""}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		agg := newAgg()
		st, err := trail.ReadUnitStats(bytes.NewReader(in), "fuzz", agg)
		if err != nil {
			if want, ok := recordsOf(in); ok {
				t.Fatalf("valid JSON with %d records not read: %v", want, err)
			}
			return
		}
		if st.Records != st.Decoded+st.Skipped+st.Oversized {
			t.Fatalf("stats do not add up: %+v", st)
		}
		if ev := agg.Result().Events; ev != st.Records {
			t.Fatalf("aggregated %d events of %d records", ev, st.Records)
		}
		if want, ok := recordsOf(in); ok && want != st.Records {
			t.Fatalf("read %d records, encoding/json finds %d", st.Records, want)
		}
		// Window boundaries must not change what is read.
		st2, err := trail.ReadUnitStats(iotest.OneByteReader(bytes.NewReader(in)), "fuzz", newAgg())
		if err != nil || st2 != st {
			t.Fatalf("bytewise read %+v, %v; whole read %+v", st2, err, st)
		}
	})
}

// recordsOf counts the records of in when it is one valid JSON document
// that is a trail: an array of records, an object with a Records array or
// null, or (NDJSON of one line) an object without Records. ok is false
// when in is anything else.
func recordsOf(in []byte) (n int64, ok bool) {
	if !json.Valid(in) {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(in))
	tok, _ := dec.Token()
	switch tok {
	case json.Delim('['):
		for dec.More() {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0, false
			}
			n++
		}
		return n, true
	case json.Delim('{'):
		wrapper := false
		for dec.More() {
			key, _ := dec.Token()
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				return 0, false
			}
			if key != "Records" {
				continue
			}
			wrapper = true
			var recs []json.RawMessage
			if json.Unmarshal(v, &recs) != nil {
				return 0, false // Records holds neither an array nor null: an error
			}
			n += int64(len(recs))
		}
		if !wrapper {
			n = 1
		}
		return n, true
	}
	return 0, false
}

// BenchmarkReadUnit reads a generated hour of trail (gzipped as CloudTrail
// delivers it, ~1.4 KB per event, 2% interesting) and reports events and
// bytes of JSON per second of wall time, and per second of CPU time, which
// stays meaningful on a machine shared with other work.
func BenchmarkReadUnit(b *testing.B) {
	var files, plain [][]byte
	var ndjson bytes.Buffer
	sum, err := trailgen.Generate(trailgen.Options{Events: 48000, Seed: 1}, func(_ string, body []byte) error {
		files = append(files, body)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		plain = append(plain, raw)
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(raw, &doc); err != nil {
			return err
		}
		for _, r := range doc.Records {
			ndjson.Write(r)
			ndjson.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	facts := make([]trail.KeyFacts, len(sum.Keys))
	for i, k := range sum.Keys {
		facts[i] = trail.KeyFacts{ARN: k}
	}
	ctx := trail.NewContext(facts, nil)
	read := func(units [][]byte) func(b *testing.B) {
		return func(b *testing.B) {
			cpu0 := cpuSeconds()
			for b.Loop() {
				for _, u := range units {
					if err := trail.ReadUnit(bytes.NewReader(u), "unit", trail.NewAggregator(ctx)); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b, sum, cpuSeconds()-cpu0)
		}
	}
	b.Run("gzip", read(files))
	b.Run("plain", read(plain))
	b.Run("ndjson", read([][]byte{ndjson.Bytes()}))
	// The floor: gunzip alone, what any reader of the files must pay.
	b.Run("gunzip-only", func(b *testing.B) {
		cpu0 := cpuSeconds()
		for b.Loop() {
			for _, u := range files {
				zr, err := gzip.NewReader(bytes.NewReader(u))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, zr); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b, sum, cpuSeconds()-cpu0)
	})
}

func report(b *testing.B, sum trailgen.Summary, cpu float64) {
	b.SetBytes(sum.RawBytes)
	n := float64(b.N)
	b.ReportMetric(float64(sum.Events)*n/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(sum.Events)*n/cpu, "events/cpu-s")
		b.ReportMetric(float64(sum.RawBytes)*n/cpu/1e6, "MB/cpu-s")
	}
}

// cpuSeconds is the CPU time this process has used, from Linux's
// /proc/self/stat (utime and stime, in the USER_HZ=100 ticks Linux always
// reports there); 0 elsewhere.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may
	// hold spaces: state is the first, utime the 12th, stime the 13th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return (utime + stime) / 100
}
