package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"iter"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/rules"
)

// Helpers shared by the ASFF and OCSF writers. They carry the asff prefix
// only to keep clear of the other writers' names in this package.

// arnParts is the part of an ARN the report formats need.
type arnParts struct{ partition, region, account string }

// parseARN reads arn:partition:service:region:account:resource; any other
// string yields the zero value.
func parseARN(s string) arnParts {
	p := strings.SplitN(s, ":", 6)
	if len(p) < 6 || p[0] != "arn" {
		return arnParts{}
	}
	return arnParts{partition: p[1], region: p[3], account: p[4]}
}

// asffPartition is the partition as ASFF's Resource.Partition enum spells
// it; a partition the enum lacks is left out rather than rejected.
func asffPartition(p string) string {
	switch p {
	case "aws", "aws-cn", "aws-us-gov":
		return p
	}
	return ""
}

// asffResourceType is the ASFF resource type of a kind. Security Hub has a
// type for notebook instances and KMS keys; every other SageMaker kind is
// "Other", as the ASFF asks for resources without a type of their own.
func asffResourceType(kind string) string {
	switch kind {
	case "notebook-instance":
		return "AwsSageMakerNotebookInstance"
	case rules.KeyKind:
		return "AwsKmsKey"
	}
	return "Other"
}

// asffType classifies a check: ownership-tag checks are not about
// encryption, every other check is about the keys that encrypt the data.
func asffType(checkID string) string {
	if strings.HasSuffix(checkID, ".tags") {
		return asffTypeTags
	}
	return asffTypeCMK
}

func asffFirst(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// asffVerdict is the finding's message with the verdict of every key slot
// and, when muted, the suppression: the description a reader of Security
// Hub or a SIEM sees without opening sagekey's own report.
func asffVerdict(f finding.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	for i, s := range f.Slots {
		if i == 0 {
			b.WriteString(" | Key slots: ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(s.Name + " " + string(s.Status))
		if s.Reason != "" {
			b.WriteString(" (" + s.Reason + ")")
		}
	}
	if sup := f.Suppression; sup != nil {
		switch {
		case sup.Expired:
			b.WriteString(" | Suppression expired: " + sup.Reason)
		case f.Status == finding.Muted:
			b.WriteString(" | Muted: " + sup.Reason)
			if !sup.Expires.IsZero() {
				b.WriteString(" (until " + sup.Expires.UTC().Format("2006-01-02") + ")")
			}
		}
	}
	return b.String()
}

// asffText makes s fit an ASFF string attribute: control characters become
// spaces (AWS validates strings against patterns such as .*\S.*, whose dot
// does not match a newline), and the text is cut to limit characters,
// counted as UTF-16 code units as the service's Java backend counts them,
// so a cut never splits a character and an ellipsis shows it was cut.
func asffText(s string, limit int) string {
	s = strings.TrimSpace(OneLine(strings.ToValidUTF8(s, "\uFFFD")))
	if utf16Len(s) <= limit {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := utf16.RuneLen(r)
		if n+w > limit-1 { // keep one unit for the ellipsis
			break
		}
		b.WriteRune(r)
		n += w
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// asffProductFields are sagekey's own facts about the finding. ASFF allows
// 50 pairs with keys up to 128 and values up to 2048 characters; these are
// a handful, and empty values are left out: a blank field says nothing.
func asffProductFields(f finding.Finding) map[string]string {
	m := map[string]string{}
	put := func(k, v string) {
		if v = asffText(v, asffFieldValueMax); v != "" {
			m["sagekey/"+k] = v
		}
	}
	put("CheckId", f.CheckID)
	put("Status", string(f.Status))
	put("ResourceKind", f.Resource.Kind)
	put("ResourceName", f.Resource.Name)
	put("KeyArns", asffKeyARNs(f.Slots))
	if len(f.Protects) > 0 {
		put("ProtectedResources", strconv.Itoa(len(f.Protects)))
	}
	if sup := f.Suppression; sup != nil {
		put("SuppressionReason", sup.Reason)
		if !sup.Expires.IsZero() {
			put("SuppressionExpires", asffTime(sup.Expires))
		}
	}
	return m
}

// asffUserFields are the CloudTrail facts of a failing finding: who created
// its resource, when and with what. They are UserDefinedFields, which a
// Security Hub user filters and sorts on (ProductFields are the provider's
// own bookkeeping). ASFF allows 50 pairs with keys up to 128 and values up
// to 1024 characters; three fit, and a value is cut to fit. Nil without a
// known creator, so the attribute is left out.
func asffUserFields(r *Report, f finding.Finding) map[string]string {
	c, ok := r.creatorShown(f)
	if !ok {
		return nil
	}
	m := map[string]string{}
	put := func(k, v string) {
		if v = asffText(v, asffUserValueMax); v != "" {
			m["sagekey:"+k] = v
		}
	}
	put("createdBy", c.Principal)
	if !c.Time.IsZero() {
		put("createdAt", asffTime(c.Time))
	}
	put("createdWith", c.Tool)
	if len(m) == 0 {
		return nil
	}
	return m
}

// asffKeyARNs lists the distinct key ARNs of the slots, whole ARNs only,
// as many as fit one ProductFields value.
func asffKeyARNs(slots []finding.Slot) string {
	var out []string
	seen, n := map[string]bool{}, 0
	for _, s := range slots {
		if s.KeyARN == "" || seen[s.KeyARN] {
			continue
		}
		seen[s.KeyARN] = true
		if n+len(s.KeyARN)+1 > asffFieldValueMax {
			break
		}
		out = append(out, s.KeyARN)
		n += len(s.KeyARN) + 1
	}
	return strings.Join(out, ",")
}

// writeJSONArray writes the items as an indented JSON array, byte for byte
// what EncodeJSON writes for the whole slice, but one item at a time: a
// scan of a large job history has hundreds of thousands of findings.
func writeJSONArray[T any](w io.Writer, items iter.Seq[T]) error {
	bw := bufio.NewWriter(w)
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	n := 0
	for v := range items {
		item.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		sep := ",\n  "
		if n == 0 {
			sep = "[\n  "
		}
		bw.WriteString(sep)
		if _, err := bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n"))); err != nil {
			return err // the underlying writer failed; stop early
		}
		n++
	}
	if n == 0 {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
}
