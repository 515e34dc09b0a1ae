package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/finding"
)

func asffOf(t *testing.T, r *Report) ([]byte, []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteASFF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("ASFF output is not a JSON array: %v\n%s", err, buf.Bytes())
	}
	return buf.Bytes(), doc
}

func TestASFFGolden(t *testing.T) {
	out, _ := asffOf(t, fixture())
	golden(t, "report.asff", out)
}

// TestASFFSyntax checks every finding against AWS's published ASFF syntax:
// required attributes, JSON types, enumerations, lengths and formats.
func TestASFFSyntax(t *testing.T) {
	_, doc := asffOf(t, fixture())
	if len(doc) == 0 {
		t.Fatal("no findings")
	}
	for i, f := range doc {
		for _, problem := range asffProblems(f) {
			t.Errorf("finding %d (%v): %s", i, f["Id"], problem)
		}
	}
}

var (
	asffNamespaces = []string{"Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications"}
	asffLabels     = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	asffWorkflows  = []string{"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
	asffCompliance = []string{"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
	asffPartitions = []string{"aws", "aws-cn", "aws-us-gov"}
	productARN     = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product/(\d{12})/default$`)
	twelveDigits   = regexp.MustCompile(`^\d{12}$`)
)

// asffProblems validates one finding decoded into generic maps.
func asffProblems(f map[string]any) []string {
	var p []string
	bad := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }
	str := func(m map[string]any, key string, lo, hi int) string {
		v, ok := m[key]
		if !ok {
			bad("missing %s", key)
			return ""
		}
		s, ok := v.(string)
		if !ok {
			bad("%s is %T, want string", key, v)
			return ""
		}
		if n := utf16.Encode([]rune(s)); len(n) < lo || len(n) > hi || utf8.RuneCountInString(s) > hi {
			bad("%s has length %d, want %d..%d", key, len(n), lo, hi)
		}
		if lo > 0 && strings.TrimSpace(s) == "" {
			bad("%s is blank", key)
		}
		return s
	}
	obj := func(m map[string]any, key string) map[string]any {
		o, ok := m[key].(map[string]any)
		if !ok {
			bad("%s is %T, want object", key, m[key])
		}
		return o
	}
	arr := func(m map[string]any, key string, lo, hi int) []any {
		a, ok := m[key].([]any)
		if !ok {
			bad("%s is %T, want array", key, m[key])
		} else if len(a) < lo || len(a) > hi {
			bad("%s has %d items, want %d..%d", key, len(a), lo, hi)
		}
		return a
	}
	stamp := func(key string, required bool) {
		if _, ok := f[key]; !ok && !required {
			return
		}
		if _, err := time.Parse(time.RFC3339Nano, str(f, key, 1, 64)); err != nil {
			bad("%s: %v", key, err)
		}
	}
	oneOf := func(what, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			bad("%s %q not in %v", what, v, allowed)
		}
	}
	types := func(m map[string]any, key string) {
		for _, v := range arr(m, key, 1, 50) {
			s, _ := v.(string)
			parts := strings.Split(s, "/")
			if len(parts) < 1 || len(parts) > 3 || slices.Contains(parts, "") {
				bad("type %q is not namespace/category/classifier", s)
				continue
			}
			oneOf("type namespace", parts[0], asffNamespaces)
		}
	}
	severity := func(m map[string]any) {
		oneOf("severity label", str(m, "Label", 1, 16), asffLabels)
		if _, ok := m["Original"]; ok {
			str(m, "Original", 1, 64)
		}
	}

	if v := str(f, "SchemaVersion", 1, 16); v != "2018-10-08" {
		bad("SchemaVersion %q", v)
	}
	str(f, "Id", 1, 512)
	str(f, "GeneratorId", 1, 512)
	account := str(f, "AwsAccountId", 12, 12)
	if !twelveDigits.MatchString(account) {
		bad("AwsAccountId %q is not 12 digits", account)
	}
	types(f, "Types")
	stamp("CreatedAt", true)
	stamp("UpdatedAt", true)
	stamp("FirstObservedAt", false)
	stamp("LastObservedAt", false)
	severity(obj(f, "Severity"))
	str(f, "Title", 1, 256)
	str(f, "Description", 1, 1024)
	resources := arr(f, "Resources", 1, 32)
	region := ""
	for _, r := range resources {
		res, _ := r.(map[string]any)
		str(res, "Type", 1, 256)
		str(res, "Id", 1, 2048)
		if _, ok := res["Partition"]; ok {
			oneOf("partition", str(res, "Partition", 1, 16), asffPartitions)
		}
		if _, ok := res["Region"]; ok && region == "" {
			region = str(res, "Region", 1, 16)
		}
		if _, ok := res["Tags"]; ok {
			obj(res, "Tags")
		}
	}
	m := productARN.FindStringSubmatch(str(f, "ProductArn", 12, 2048))
	switch {
	case m == nil:
		bad("ProductArn %q does not match %s", f["ProductArn"], productARN)
	case m[2] != region || m[3] != account || m[4] != account:
		bad("ProductArn %q is not the default product of account %s in region %s", f["ProductArn"], account, region)
	}
	if c, ok := f["Compliance"]; ok {
		comp, _ := c.(map[string]any)
		oneOf("compliance status", str(comp, "Status", 1, 16), asffCompliance)
		if _, ok := comp["StatusReasons"]; ok {
			for _, r := range arr(comp, "StatusReasons", 1, 10) {
				reason, _ := r.(map[string]any)
				str(reason, "ReasonCode", 1, 256)
				str(reason, "Description", 1, 2048)
			}
		}
	}
	if w, ok := f["Workflow"]; ok {
		wf, _ := w.(map[string]any)
		oneOf("workflow status", str(wf, "Status", 1, 16), asffWorkflows)
	}
	if _, ok := f["RecordState"]; ok {
		oneOf("record state", str(f, "RecordState", 1, 16), []string{"ACTIVE", "ARCHIVED"})
	}
	if _, ok := f["Remediation"]; ok {
		rec := obj(obj(f, "Remediation"), "Recommendation")
		if _, ok := rec["Text"]; ok {
			str(rec, "Text", 1, 512)
		}
		if _, ok := rec["Url"]; ok {
			str(rec, "Url", 1, 2048)
		}
	}
	if _, ok := f["ProductFields"]; ok {
		pf := obj(f, "ProductFields")
		if len(pf) > 50 {
			bad("%d ProductFields, want at most 50", len(pf))
		}
		for k := range pf {
			if utf8.RuneCountInString(k) > 128 {
				bad("ProductFields key %q longer than 128", k)
			}
			str(pf, k, 1, 2048)
		}
	}
	if _, ok := f["UserDefinedFields"]; ok {
		udf := obj(f, "UserDefinedFields")
		if len(udf) == 0 || len(udf) > 50 {
			bad("%d UserDefinedFields, want 1..50", len(udf))
		}
		for k := range udf {
			if n := len(utf16.Encode([]rune(k))); n == 0 || n > 128 {
				bad("UserDefinedFields key %q has length %d, want 1..128", k, n)
			}
			str(udf, k, 1, 1024)
		}
	}
	if _, ok := f["FindingProviderFields"]; ok {
		fpf := obj(f, "FindingProviderFields")
		severity(obj(fpf, "Severity"))
		types(fpf, "Types")
	}
	return p
}

// nonNA are the fixture's findings that the finding formats must carry,
// by FindingID.
func nonNA(r *Report) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range r.Findings.All() {
		if f.Status != finding.NotApplicable {
			m[FindingID(f)] = f
		}
	}
	return m
}

func TestASFFStatusesAndExclusion(t *testing.T) {
	r := fixture()
	_, doc := asffOf(t, r)
	want := nonNA(r)
	seen := map[string]int{}
	for _, a := range doc {
		id := strings.TrimPrefix(a["Id"].(string), "sagekey/")
		seen[id]++
		f, ok := want[id]
		if !ok {
			t.Errorf("unexpected finding %s (NOT_APPLICABLE leaked?)", id)
			continue
		}
		wantCompliance := map[finding.Status]string{finding.Fail: "FAILED", finding.Muted: "FAILED", finding.Pass: "PASSED", finding.Error: "NOT_AVAILABLE"}[f.Status]
		wantWorkflow := map[finding.Status]string{finding.Fail: "NEW", finding.Error: "NEW", finding.Muted: "SUPPRESSED", finding.Pass: "RESOLVED"}[f.Status]
		comp := a["Compliance"].(map[string]any)
		if comp["Status"] != wantCompliance || a["Workflow"].(map[string]any)["Status"] != wantWorkflow {
			t.Errorf("%s %s: compliance %v workflow %v, want %s %s", f.CheckID, f.Status, comp["Status"], a["Workflow"], wantCompliance, wantWorkflow)
		}
		if _, has := comp["StatusReasons"]; has != (f.Status == finding.Error) {
			t.Errorf("%s %s: StatusReasons present = %v", f.CheckID, f.Status, has)
		}
		if a["GeneratorId"] != "sagekey/"+f.CheckID || a["RecordState"] != "ACTIVE" {
			t.Errorf("%s: GeneratorId %v RecordState %v", f.CheckID, a["GeneratorId"], a["RecordState"])
		}
		if got := a["Severity"].(map[string]any)["Original"]; got != f.Severity.String() {
			t.Errorf("%s: Severity.Original %v", f.CheckID, got)
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("finding %s appears %d times, want once", id, seen[id])
		}
	}
	if len(doc) != len(want) {
		t.Errorf("%d findings written, want %d", len(doc), len(want))
	}
}

// The builder the importer uses and the writer agree.
func TestASFFFindingsMatchesWriter(t *testing.T) {
	var built, written bytes.Buffer
	if err := EncodeJSON(&built, ASFFFindings(fixture())); err != nil {
		t.Fatal(err)
	}
	if err := WriteASFF(&written, fixture()); err != nil {
		t.Fatal(err)
	}
	if built.String() != written.String() {
		t.Errorf("ASFFFindings and WriteASFF differ:\n%s\n---\n%s", built.String(), written.String())
	}
}

func TestASFFEmpty(t *testing.T) {
	r := &Report{Started: time.Unix(0, 0), Finished: time.Unix(1, 0)}
	out, doc := asffOf(t, r)
	if string(out) != "[]\n" || len(doc) != 0 {
		t.Errorf("empty report = %q", out)
	}
	if got := ASFFFindings(r); got == nil || len(got) != 0 {
		t.Errorf("ASFFFindings(empty) = %#v, want an empty slice", got)
	}
}

// Long text with multi-byte characters, characters outside the BMP and
// control characters is cut to the limits without splitting a character.
func TestASFFTextLimits(t *testing.T) {
	r := fixture()
	f := r.Findings.At(0)
	f.Message = strings.Repeat("é😀\n\t", 600)
	f.Remediation = strings.Repeat("x", 600)
	f.CheckID = "notebook-instance." + strings.Repeat("z", 300) // unknown check: title falls back to the id
	r.Findings = finding.NewList([]finding.Finding{f})
	_, doc := asffOf(t, r)
	for _, problem := range asffProblems(doc[0]) {
		t.Error(problem)
	}
	desc := doc[0]["Description"].(string)
	if !utf8.ValidString(desc) || !strings.HasSuffix(desc, "…") || strings.ContainsAny(desc, "\n\t") {
		t.Errorf("description not cut cleanly: %q", desc)
	}
	if n := len(utf16.Encode([]rune(desc))); n > asffDescMax || n < asffDescMax-2 {
		t.Errorf("description is %d UTF-16 units, want just under %d", n, asffDescMax)
	}
}

func TestASFFPartitionsAndRegions(t *testing.T) {
	for _, tc := range []struct{ arn, partition, productARN string }{
		{"arn:aws-cn:sagemaker:cn-north-1:111122223333:notebook-instance/nb", "aws-cn",
			"arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default"},
		{"arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/k", "aws-us-gov",
			"arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default"},
		{"arn:aws-iso:sagemaker:us-iso-east-1:111122223333:domain/d", "",
			"arn:aws-iso:securityhub:us-iso-east-1:111122223333:product/111122223333/default"},
	} {
		// Account and region come from the ARN when the resource lacks them.
		f := finding.Finding{CheckID: "domain.cmk", Status: finding.Fail, Severity: finding.High,
			Message: "m", Resource: finding.Resource{ARN: tc.arn, Kind: "domain"}}
		got := ASFFFindings(&Report{Findings: finding.NewList([]finding.Finding{f})})[0]
		if got.ProductArn != tc.productARN || got.Resources[0].Partition != tc.partition || got.AwsAccountId != "111122223333" {
			t.Errorf("%s: ProductArn %s, Partition %q, account %s", tc.arn, got.ProductArn, got.Resources[0].Partition, got.AwsAccountId)
		}
	}
}

func TestASFFResourceTypes(t *testing.T) {
	for kind, want := range map[string]string{"notebook-instance": "AwsSageMakerNotebookInstance", "kms-key": "AwsKmsKey", "endpoint-config": "Other"} {
		if got := asffResourceType(kind); got != want {
			t.Errorf("%s: %s, want %s", kind, got, want)
		}
	}
}

// writeJSONArray streams exactly what encoding the whole slice gives.
func TestWriteJSONArrayMatchesWholeEncoding(t *testing.T) {
	for _, items := range [][]map[string]any{nil, {{"a": 1}}, {{"a": "<&>"}, {"b": []int{1, 2}}}} {
		var streamed, whole bytes.Buffer
		if err := writeJSONArray(&streamed, slices.Values(items)); err != nil {
			t.Fatal(err)
		}
		if items == nil {
			items = []map[string]any{}
		}
		if err := EncodeJSON(&whole, items); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != whole.String() {
			t.Errorf("streamed %q, whole %q", streamed.String(), whole.String())
		}
	}
}
