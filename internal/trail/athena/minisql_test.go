package athena

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/trail"
)

// This file evaluates Queries in Go over raw records: the same WHERE,
// the same SELECT list (masks included) and the same GROUP BY, written
// out clause by clause from the SQL in queries.go. The equivalence test
// runs Read on its rows and compares with the S3 reader's aggregation of
// the same records, which proves the grouped columns carry everything the
// Aggregator decides by.

// logFile is one CloudTrail log object: its partition and records.
type logFile struct {
	account, region string
	day             string // the folder, yyyy/MM/dd: the delivery day
	records         [][]byte
}

// tableRecord is a record as the Athena table's columns see it (the JSON
// SerDe matches keys without case, as encoding/json does).
type tableRecord struct {
	EventVersion, EventID, EventTime, EventSource, EventName, AWSRegion     string
	SourceIPAddress, UserAgent, ErrorCode, ErrorMessage, RecipientAccountID string
	UserIdentity                                                            struct {
		Type, PrincipalID, ARN, AccountID, InvokedBy string
		SessionContext                               struct{ SessionIssuer struct{ ARN string } }
	}
	RequestParameters, ResponseElements json.RawMessage
	Resources                           []struct{ ARN, Type, AccountID string }
	SharedEventID                       string
}

// miniAthena answers Queries over files.
type miniAthena struct {
	files []logFile
	sel   selection
}

// jsonText is a STRING column holding JSON: its text, or NULL ("").
func jsonText(raw json.RawMessage) string {
	if s := strings.TrimSpace(string(raw)); s != "null" {
		return s
	}
	return ""
}

// jsonScalar is json_extract_scalar(raw, '$.key'): a scalar's text, NULL
// for objects, arrays, null and absent keys.
func jsonScalar(raw json.RawMessage, key string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	switch v := m[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func (r *tableRecord) kmsKeyARNs() string {
	var arns []string
	for _, res := range r.Resources {
		if res.Type == "AWS::KMS::Key" && res.ARN != "" {
			arns = append(arns, res.ARN)
		}
	}
	return strings.Join(arns, " ")
}

// ownerCopy is the SQL's ownerCopy: of a call delivered to two accounts,
// the key owner's copy.
func (r *tableRecord) ownerCopy() bool {
	if r.SharedEventID == "" {
		return true
	}
	for _, res := range r.Resources {
		if res.Type == "AWS::KMS::Key" {
			return res.AccountID == "" || res.AccountID == r.RecipientAccountID
		}
	}
	return true
}

func (r *tableRecord) valid() bool {
	major, _, _ := strings.Cut(r.EventVersion, ".")
	return major == "1" && r.EventID != "" && r.AWSRegion != ""
}

func (r *tableRecord) viaSageMaker() bool {
	const sm = "sagemaker.amazonaws.com"
	return r.UserIdentity.InvokedBy == sm || r.SourceIPAddress == sm || r.UserAgent == sm
}

func when(cond bool, v string) string {
	if cond {
		return v
	}
	return ""
}

// records are the table's rows within the window's WHERE.
func (m *miniAthena) records() ([]*tableRecord, []logFile, error) {
	var recs []*tableRecord
	var from []logFile
	first, last := m.sel.days[0], m.sel.days[len(m.sel.days)-1]
	for _, f := range m.files {
		if len(m.sel.accounts) > 0 && !slices.Contains(m.sel.accounts, f.account) ||
			len(m.sel.regions) > 0 && !slices.Contains(m.sel.regions, f.region) ||
			f.day < first.Format("2006/01/02") || f.day > last.AddDate(0, 0, 1).Format("2006/01/02") {
			continue
		}
		for _, b := range f.records {
			r := &tableRecord{}
			if err := json.Unmarshal(b, r); err != nil {
				return nil, nil, err
			}
			day := ""
			if len(r.EventTime) >= 10 {
				day = r.EventTime[:10]
			}
			if day < first.Format(time.DateOnly) || day > last.Format(time.DateOnly) {
				continue
			}
			recs, from = append(recs, r), append(from, f)
		}
	}
	return recs, from, nil
}

// run evaluates the named query.
func (m *miniAthena) run(name string) (table, error) {
	recs, files, err := m.records()
	if err != nil {
		return table{}, err
	}
	var blockable, creates []string
	for _, kind := range catalog.Kinds() {
		for _, a := range slices.Concat(kind.CreateActions, kind.KeyUpdateActions) {
			blockable = append(blockable, strings.TrimPrefix(a, "sagemaker:"))
		}
		creates = append(creates, trail.CreatorActions(kind)...)
	}
	kmsRequest := func(n string) bool {
		return strings.HasPrefix(n, "GenerateDataKey") || strings.HasPrefix(n, "ReEncrypt") ||
			n == "CreateGrant" || n == "Decrypt" || n == "Encrypt"
	}
	type out struct {
		cols []string
		vals []string
	}
	g := newGrouping()
	for i, r := range recs {
		f, id := files[i], &r.UserIdentity
		issuer := id.SessionContext.SessionIssuer.ARN
		unit := []string{f.account, f.region, r.EventTime[:10]}
		unitCols := []string{colLogAccount, colLogRegion, colDay}
		event := []string{r.RecipientAccountID, id.AccountID, r.AWSRegion, r.EventSource, r.EventName}
		eventCols := []string{colRecipient, colIdentityAccount, colAWSRegion, colEventSource, colEventName}
		keyRefs := []string{r.kmsKeyARNs(), jsonScalar(r.RequestParameters, "keyId"),
			jsonScalar(r.RequestParameters, "aliasName"), jsonScalar(r.RequestParameters, "targetKeyId")}
		keyRefCols := []string{colKMSKeys, colKeyID, colAliasName, colTargetKeyID}
		principalIDIf := when(issuer == "" && id.ARN == "" && id.InvokedBy == "" && id.Type != "AWSService", id.PrincipalID)
		whole := []string{id.Type, id.PrincipalID, id.ARN, id.InvokedBy, issuer, r.SourceIPAddress, r.UserAgent}
		wholeCols := []string{colIdentityType, colPrincipalID, colIdentityARN, colInvokedBy, colIssuerARN, colSourceIP, colUserAgent}
		denied := r.ErrorCode == "AccessDenied" || r.ErrorCode == "AccessDeniedException"
		var o *out
		grouped, samples := true, true
		switch name {
		case QueryDenials:
			if r.valid() && r.EventSource == trail.SourceKMS && r.ownerCopy() && denied {
				o = &out{
					cols: slices.Concat(unitCols, eventCols, []string{colErrorCode}, keyRefCols, []string{colIdentityType,
						colPrincipalID, colIdentityARN, colInvokedBy, colIssuerARN, colSourceIP, colUserAgent}),
					vals: slices.Concat(unit, event, []string{r.ErrorCode}, keyRefs, []string{id.Type, principalIDIf, id.ARN,
						id.InvokedBy, issuer,
						when(r.SourceIPAddress == trail.SourceSageMaker || id.Type == "AWSService", r.SourceIPAddress),
						when(r.UserAgent == trail.SourceSageMaker, r.UserAgent)}),
				}
			}
		case QueryBlocked:
			lower := strings.ToLower(r.ErrorMessage)
			if i := strings.Index(lower, "with an explicit deny"); i >= 0 && r.valid() && r.EventSource == trail.SourceSageMaker &&
				denied && slices.Contains(blockable, r.EventName) {
				o = &out{
					cols: slices.Concat(unitCols, eventCols, []string{colErrorCode, colDenyMessage, colIdentityType, colPrincipalID,
						colIdentityARN, colInvokedBy, colIssuerARN, colSourceIP}),
					vals: slices.Concat(unit, event, []string{r.ErrorCode, r.ErrorMessage[i:], id.Type, principalIDIf,
						when(issuer == "", id.ARN), id.InvokedBy, issuer, when(id.Type == "AWSService", r.SourceIPAddress)}),
				}
			}
		case QueryCreators:
			grouped = false
			if r.valid() && r.EventSource == trail.SourceSageMaker && r.ErrorCode == "" && slices.Contains(creates, r.EventName) &&
				strings.Contains(jsonText(r.ResponseElements), ":sagemaker:") && strings.Contains(jsonText(r.ResponseElements), "arn:") {
				o = &out{
					cols: slices.Concat(unitCols, []string{colEventTime, colEventID}, eventCols, wholeCols, []string{colResponseElements}),
					vals: slices.Concat(unit, []string{r.EventTime, r.EventID}, event, whole, []string{jsonText(r.ResponseElements)}),
				}
			}
		case QueryKeyEvents:
			grouped = false
			if r.valid() && r.EventSource == trail.SourceKMS && r.ownerCopy() && r.ErrorCode == "" && slices.Contains(trail.KeyLifecycleActions(), r.EventName) {
				o = &out{
					cols: slices.Concat(unitCols, []string{colEventTime, colEventID}, eventCols, wholeCols,
						[]string{colRequestParams, colResponseElements, colKMSKeys}),
					vals: slices.Concat(unit, []string{r.EventTime, r.EventID}, event, whole,
						[]string{jsonText(r.RequestParameters), jsonText(r.ResponseElements), r.kmsKeyARNs()}),
				}
			}
		case QueryRequests:
			samples = false
			if r.valid() && r.EventSource == trail.SourceKMS && r.ownerCopy() && r.ErrorCode == "" && kmsRequest(r.EventName) && r.viaSageMaker() {
				o = &out{
					cols: slices.Concat(unitCols, eventCols, keyRefCols, []string{colInvokedBy, colSourceIP, colUserAgent}),
					vals: slices.Concat(unit, event, keyRefs, []string{id.InvokedBy,
						when(r.SourceIPAddress == trail.SourceSageMaker, r.SourceIPAddress),
						when(r.UserAgent == trail.SourceSageMaker, r.UserAgent)}),
				}
			}
		case QueryRecords:
			samples = false
			problem := ""
			if r.EventSource == trail.SourceKMS || r.EventSource == trail.SourceSageMaker {
				switch {
				case r.EventVersion == "":
					problem = "record without eventVersion"
				case r.EventID == "":
					problem = "record without eventID"
				case r.EventName == "":
					problem = "record without eventName"
				case r.AWSRegion == "":
					problem = "record without awsRegion"
				case !r.valid():
					problem = "event version " + r.EventVersion
				}
			}
			o = &out{cols: slices.Concat(unitCols, []string{colProblem}), vals: slices.Concat(unit, []string{problem})}
		default:
			return table{}, fmt.Errorf("no query %s", name)
		}
		if o == nil {
			continue
		}
		if !grouped {
			g.single(o.cols, o.vals)
			continue
		}
		g.add(o.cols, o.vals, r.EventID, samples)
	}
	return g.table(), nil
}

// grouping is GROUP BY every selected column with count(*) and
// array_join(min(eventid, 3), ',').
type grouping struct {
	cols    []string
	order   []string
	groups  map[string]*group
	samples bool
	grouped bool
}

type group struct {
	vals  []string
	count int
	ids   []string
}

func newGrouping() *grouping { return &grouping{groups: map[string]*group{}} }

func (g *grouping) add(cols, vals []string, eventID string, samples bool) {
	g.cols, g.samples, g.grouped = cols, samples, true
	k := strings.Join(vals, "\x00")
	gr := g.groups[k]
	if gr == nil {
		gr = &group{vals: vals}
		g.groups[k] = gr
		g.order = append(g.order, k)
	}
	gr.count++
	gr.ids = append(gr.ids, eventID)
}

func (g *grouping) single(cols, vals []string) {
	g.cols = cols
	k := fmt.Sprint(len(g.order))
	g.groups[k] = &group{vals: vals}
	g.order = append(g.order, k)
}

// table returns the rows, NULL for "", in first-seen order.
func (g *grouping) table() table {
	t := table{columns: slices.Clone(g.cols)}
	if g.grouped {
		t.columns = append(t.columns, colCount)
		if g.samples {
			t.columns = append(t.columns, colSamples)
		}
	}
	for _, k := range g.order {
		gr := g.groups[k]
		vals := slices.Clone(gr.vals)
		if g.grouped {
			vals = append(vals, strconv.Itoa(gr.count))
			if g.samples {
				ids := slices.Clone(gr.ids)
				slices.Sort(ids)
				vals = append(vals, strings.Join(ids[:min(len(ids), trail.MaxSamples)], ","))
			}
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			if v != "" {
				row[i] = &vals[i]
			}
		}
		t.rows = append(t.rows, row)
	}
	return t
}
