package athena

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/trail"
)

// Query is one SELECT that Read runs.
type Query struct {
	// Name says what the rows are: one of the Query* names.
	Name string
	SQL  string
}

// Query names, in the order Queries returns them. The first five are named
// after the Aggregates lists their rows end up in.
const (
	QueryDenials   = "kms_access_denials"
	QueryBlocked   = "violations_blocked"
	QueryCreators  = "creators"
	QueryKeyEvents = "key_events"
	QueryRequests  = "kms_requests"
	// QueryRecords counts every record per account, region and day, and
	// the records trail.AddRecord would reject, so the Aggregates count
	// what was read (Events) as the S3 reader's do.
	QueryRecords = "records"
)

// queryDoc is the comment PrintSQL writes above a query.
func queryDoc(name string) string {
	switch name {
	case QueryDenials:
		return "KMS requests refused by policy (AccessDenied), per day, key reference and caller; " +
			"sagekey keeps those on keys that protect SageMaker data or made through SageMaker"
	case QueryBlocked:
		return "SageMaker create and key-update requests refused by an explicit deny, per day, action, policy and caller"
	case QueryCreators:
		return "successful SageMaker create events, one row per event"
	case QueryKeyEvents:
		return "KMS key lifecycle events (disable, schedule deletion, policy, alias, rotation), one row per event"
	case QueryRequests:
		return "KMS requests SageMaker made on a caller's behalf, per day, key reference and operation"
	case QueryRecords:
		return "every record per account, region and day, and those sagekey cannot use"
	}
	return ""
}

// Result column names. Read maps a row's values by these names (Athena
// returns them lower case), so a query may list them in any order and
// leave out those it does not need.
const (
	colLogAccount       = "log_account" // partition: whose logs the row was read from
	colLogRegion        = "log_region"
	colDay              = "event_day" // UTC day of eventtime, yyyy-MM-dd
	colEventTime        = "eventtime"
	colEventID          = "eventid"
	colRecipient        = "recipientaccountid"
	colIdentityAccount  = "useridentity_accountid"
	colAWSRegion        = "awsregion"
	colEventSource      = "eventsource"
	colEventName        = "eventname"
	colErrorCode        = "errorcode"
	colDenyMessage      = "deny_message" // the error message from "with an explicit deny" on
	colIdentityType     = "useridentity_type"
	colPrincipalID      = "useridentity_principalid"
	colIdentityARN      = "useridentity_arn"
	colInvokedBy        = "useridentity_invokedby"
	colIssuerARN        = "sessionissuer_arn"
	colSourceIP         = "sourceipaddress"
	colUserAgent        = "useragent"
	colRequestParams    = "requestparameters"
	colResponseElements = "responseelements"
	colKMSKeys          = "kms_key_arns" // space-separated ARNs of the AWS::KMS::Key resources
	colKeyID            = "key_id"
	colAliasName        = "alias_name"
	colTargetKeyID      = "target_key_id"
	colProblem          = "problem"
	colCount            = "event_count"
	colSamples          = "sample_event_ids" // comma-separated
)

// SQL fragments. They mirror trail.Aggregator's decisions; the
// equivalence test feeds the same records through both and compares.
const (
	issuerARN = "useridentity.sessioncontext.sessionissuer.arn"
	// validRecord is what trail.AddRecord demands of a record (eventsource
	// and eventname are pinned by every query's own conditions; eventtime
	// by the window).
	validRecord = "split_part(eventversion, '.', 1) = '1' AND coalesce(eventid, '') <> '' AND coalesce(awsregion, '') <> ''"
	noError     = "coalesce(errorcode, '') = ''"
	// ownerCopy is addKMS's rule for a call across accounts: of the two
	// copies CloudTrail delivers, only the key owner's counts.
	ownerCopy = "(coalesce(sharedeventid, '') = '' OR coalesce(element_at(filter(resources, r -> r.type = 'AWS::KMS::Key'), 1).accountid, " +
		"recipientaccountid) = recipientaccountid)"
	// viaSageMaker is trail's viaSageMaker.
	viaSageMaker = "(useridentity.invokedby = 'sagemaker.amazonaws.com' OR sourceipaddress = 'sagemaker.amazonaws.com' " +
		"OR useragent = 'sagemaker.amazonaws.com')"
	// explicitDeny finds what addBlocked looks for in the error message:
	// it reads nothing before the first "with an explicit deny" (any case)
	// and, after it, only the policy type and ARN. The part before names
	// the session and the resource, so grouping by the whole message would
	// make a group per request; grouping by the tail keeps one per policy.
	explicitDeny = "(?i)with an explicit deny"
	kmsKeyARNs   = "array_join(transform(filter(resources, r -> r.type = 'AWS::KMS::Key' AND coalesce(r.arn, '') <> ''), " +
		"r -> r.arn), ' ')"
)

// Principal columns. principalOf picks, in order, the session issuer, the
// caller's ARN, invokedBy, the source IP of an AWS service, the principal
// ID; the grouped queries null out what cannot change its answer (or, for
// sourceipaddress and useragent, whether the call came through SageMaker),
// so requests by the same caller fall into one group.
const (
	principalIDIfDecisive = "CASE WHEN coalesce(" + issuerARN + ", '') = '' AND coalesce(useridentity.arn, '') = '' " +
		"AND coalesce(useridentity.invokedby, '') = '' AND coalesce(useridentity.type, '') <> 'AWSService' " +
		"THEN useridentity.principalid END"
	// The session's own ARN matters beside its issuer only where the key
	// policy may name it (denials).
	identityARNIfDecisive = "CASE WHEN coalesce(" + issuerARN + ", '') = '' THEN useridentity.arn END"
	sourceIPIfDecisive    = "CASE WHEN sourceipaddress = 'sagemaker.amazonaws.com' OR useridentity.type = 'AWSService' " +
		"THEN sourceipaddress END"
	sourceIPIfService = "CASE WHEN useridentity.type = 'AWSService' THEN sourceipaddress END"
	sourceIPIfVia     = "CASE WHEN sourceipaddress = 'sagemaker.amazonaws.com' THEN sourceipaddress END"
	userAgentIfVia    = "CASE WHEN useragent = 'sagemaker.amazonaws.com' THEN useragent END"
)

// column is one SELECT item: expr AS name.
type column struct{ name, expr string }

func col(name, expr string) column { return column{name: name, expr: expr} }

// unitColumns place a row in its unit: the partition it was read from
// and the UTC day of the event.
func unitColumns() []column {
	return []column{col(colLogAccount, "account"), col(colLogRegion, "region"), col(colDay, "substr(eventtime, 1, 10)")}
}

// eventColumns are what every event row carries: AccountOf's inputs, the
// region, source and name.
func eventColumns() []column {
	return []column{
		col(colRecipient, "recipientaccountid"), col(colIdentityAccount, "useridentity.accountid"),
		col(colAWSRegion, "awsregion"), col(colEventSource, "eventsource"), col(colEventName, "eventname"),
	}
}

// keyRefColumns are what kmsKeysOf reads: the resources of type
// AWS::KMS::Key, in order, then the keyId, aliasName and targetKeyId
// request parameters.
func keyRefColumns() []column {
	return []column{
		col(colKMSKeys, kmsKeyARNs),
		col(colKeyID, "json_extract_scalar(requestparameters, '$.keyId')"),
		col(colAliasName, "json_extract_scalar(requestparameters, '$.aliasName')"),
		col(colTargetKeyID, "json_extract_scalar(requestparameters, '$.targetKeyId')"),
	}
}

// wholeIdentity is the caller as recorded, for per-event rows.
func wholeIdentity() []column {
	return []column{
		col(colIdentityType, "useridentity.type"), col(colPrincipalID, "useridentity.principalid"),
		col(colIdentityARN, "useridentity.arn"), col(colInvokedBy, "useridentity.invokedby"),
		col(colIssuerARN, issuerARN), col(colSourceIP, "sourceipaddress"), col(colUserAgent, "useragent"),
	}
}

// spec is one query before it is written out.
type spec struct {
	name  string
	cols  []column
	where []string
	// group makes the query aggregate: GROUP BY every column, with the
	// count, and samples when the list keeps them.
	group, samples bool
}

// selection is what a filter asks of a table, validated.
type selection struct {
	accounts, regions []string
	days              []time.Time
}

// selectFrom validates t's name and f, and resolves what to read: the
// filter's accounts and regions, else the table's projected ones, else
// (both empty) every partition the table has.
func selectFrom(t Table, f trail.Filter) (selection, error) {
	if err := validateName("database", t.Database); err != nil {
		return selection{}, err
	}
	if err := validateName("table", t.Name); err != nil {
		return selection{}, err
	}
	for _, list := range [][]string{t.Accounts, f.Accounts} {
		if err := validateAccounts(list); err != nil {
			return selection{}, err
		}
	}
	for _, list := range [][]string{t.Regions, f.Regions} {
		if err := validateRegions(list); err != nil {
			return selection{}, err
		}
	}
	if err := validateDay("window start", f.From); err != nil {
		return selection{}, err
	}
	if err := validateDay("window end", f.To); err != nil {
		return selection{}, err
	}
	if f.To.Before(f.From) {
		return selection{}, errors.New("athena: the window ends before it starts")
	}
	if !t.From.IsZero() && trail.Day(f.From).Before(trail.Day(t.From)) {
		// Partition projection returns no rows before its range: the days
		// would read as quiet instead of unread.
		return selection{}, fmt.Errorf("athena: the window starts %s, before the table's projection range (%s)",
			trail.Day(f.From).Format(time.DateOnly), trail.Day(t.From).Format(time.DateOnly))
	}
	accounts, err := narrow("account", f.Accounts, t.Accounts)
	if err != nil {
		return selection{}, err
	}
	regions, err := narrow("region", f.Regions, t.Regions)
	if err != nil {
		return selection{}, err
	}
	return selection{accounts: accounts, regions: regions, days: trail.Days(f.From, f.To)}, nil
}

// narrow picks the asked values, else the projected ones. An asked value
// the projection does not enumerate is an error: Athena would return no
// rows for it, and its days would read as quiet.
func narrow(what string, asked, projected []string) ([]string, error) {
	if len(asked) == 0 {
		return sortedSet(projected), nil
	}
	if len(projected) > 0 {
		for _, a := range asked {
			if !slices.Contains(projected, a) {
				return nil, fmt.Errorf("athena: %s %s is not among the table's projected %ss", what, a, what)
			}
		}
	}
	return sortedSet(asked), nil
}

// Queries returns the SELECTs that compute, for the window and the
// accounts and regions of f, what trail.Aggregator computes from the same
// records (see Read for how accounts and regions are chosen).
//
// Every query restricts the partition columns, so Athena reads only the
// chosen accounts' and regions' prefixes of the window's days; each query
// still scans those prefixes once (CloudTrail's gzipped JSON has no
// columns to skip), so the bytes billed are the window's size times
// len(Queries). The day partition runs one day past the window: CloudTrail
// files a record by its delivery time, so an event just before midnight
// can sit in the next day's folder. Events are then kept by their own
// time, whole UTC days, because units and coverage are days.
//
// The event names come from the catalog (create and key-update actions),
// trail.CreatorActions and trail.KeyLifecycleActions, so the SQL follows
// the Go aggregation when either changes.
func Queries(t Table, f trail.Filter) ([]Query, error) {
	sel, err := selectFrom(t, f)
	if err != nil {
		return nil, err
	}
	return buildQueries(t, sel), nil
}

func buildQueries(t Table, sel selection) []Query {
	var blockable, creates []string
	for _, kind := range catalog.Kinds() {
		for _, a := range slices.Concat(kind.CreateActions, kind.KeyUpdateActions) {
			blockable = append(blockable, strings.TrimPrefix(a, "sagemaker:"))
		}
		creates = append(creates, trail.CreatorActions(kind)...)
	}
	denied := "errorcode IN ('AccessDenied', 'AccessDeniedException')"
	kms, sagemaker := "eventsource = "+lit(trail.SourceKMS), "eventsource = "+lit(trail.SourceSageMaker)
	specs := []spec{{
		name: QueryDenials,
		cols: slices.Concat(unitColumns(), eventColumns(), []column{col(colErrorCode, "errorcode")}, keyRefColumns(), []column{
			col(colIdentityType, "useridentity.type"), col(colPrincipalID, principalIDIfDecisive), col(colIdentityARN, "useridentity.arn"),
			col(colInvokedBy, "useridentity.invokedby"), col(colIssuerARN, issuerARN), col(colSourceIP, sourceIPIfDecisive),
			col(colUserAgent, userAgentIfVia),
		}),
		where: []string{validRecord, kms, ownerCopy, denied},
		group: true, samples: true,
	}, {
		name: QueryBlocked,
		cols: slices.Concat(unitColumns(), eventColumns(), []column{
			col(colErrorCode, "errorcode"),
			col(colDenyMessage, "regexp_extract(errormessage, "+lit(explicitDeny+".*")+")"),
			col(colIdentityType, "useridentity.type"), col(colPrincipalID, principalIDIfDecisive),
			col(colIdentityARN, identityARNIfDecisive),
			col(colInvokedBy, "useridentity.invokedby"), col(colIssuerARN, issuerARN), col(colSourceIP, sourceIPIfService),
		}),
		where: []string{validRecord, sagemaker, denied, "eventname IN " + litList(blockable),
			"regexp_like(errormessage, " + lit(explicitDeny) + ")"},
		group: true, samples: true,
	}, {
		name: QueryCreators,
		cols: slices.Concat(unitColumns(), []column{col(colEventTime, "eventtime"), col(colEventID, "eventid")}, eventColumns(),
			wholeIdentity(), []column{col(colResponseElements, "responseelements")}),
		// createdARN wants an ARN of a SageMaker resource in the response.
		where: []string{validRecord, sagemaker, noError, "eventname IN " + litList(creates),
			"responseelements LIKE '%arn:%:sagemaker:%'"},
	}, {
		name: QueryKeyEvents,
		cols: slices.Concat(unitColumns(), []column{col(colEventTime, "eventtime"), col(colEventID, "eventid")}, eventColumns(),
			// keyEventDetail reads the response too (the pending window KMS applied).
			wholeIdentity(), []column{col(colRequestParams, "requestparameters"), col(colResponseElements, "responseelements"),
				col(colKMSKeys, kmsKeyARNs)}),
		where: []string{validRecord, kms, ownerCopy, noError, "eventname IN " + litList(trail.KeyLifecycleActions())},
	}, {
		name: QueryRequests,
		cols: slices.Concat(unitColumns(), eventColumns(), keyRefColumns(), []column{
			col(colInvokedBy, "useridentity.invokedby"), col(colSourceIP, sourceIPIfVia), col(colUserAgent, userAgentIfVia),
		}),
		// trail's kmsRequestOp.
		where: []string{validRecord, kms, ownerCopy, noError,
			"(eventname LIKE 'GenerateDataKey%' OR eventname LIKE 'ReEncrypt%' OR eventname IN ('CreateGrant', 'Decrypt', 'Encrypt'))",
			viaSageMaker},
		group: true,
	}, {
		name:  QueryRecords,
		cols:  slices.Concat(unitColumns(), []column{col(colProblem, recordProblem)}),
		group: true,
	}}
	from := `"` + t.Database + `"."` + t.Name + `"`
	base := windowPredicates(sel)
	out := make([]Query, 0, len(specs))
	for _, s := range specs {
		out = append(out, Query{Name: s.name, SQL: s.sql(from, base)})
	}
	return out
}

// recordProblem is why trail.AddRecord would reject a KMS or SageMaker
// record, in its words, or NULL. Records of other services are only
// counted, as trail.ReadUnit's prefilter counts them without decoding: a
// malformed S3 event is not sagekey's problem.
const recordProblem = `CASE
    WHEN coalesce(eventsource, '') NOT IN ('kms.amazonaws.com', 'sagemaker.amazonaws.com') THEN NULL
    WHEN coalesce(eventversion, '') = '' THEN 'record without eventVersion'
    WHEN coalesce(eventid, '') = '' THEN 'record without eventID'
    WHEN coalesce(eventname, '') = '' THEN 'record without eventName'
    WHEN coalesce(awsregion, '') = '' THEN 'record without awsRegion'
    WHEN split_part(eventversion, '.', 1) <> '1' THEN concat('event version ', eventversion)
  END`

// windowPredicates restrict the partitions (what Athena reads) and the
// event time (what it keeps).
func windowPredicates(sel selection) []string {
	var out []string
	if len(sel.accounts) > 0 {
		out = append(out, "account IN "+litList(sel.accounts))
	}
	if len(sel.regions) > 0 {
		out = append(out, "region IN "+litList(sel.regions))
	}
	first, last := sel.days[0], sel.days[len(sel.days)-1]
	out = append(out,
		`"timestamp" BETWEEN `+lit(first.Format("2006/01/02"))+" AND "+lit(last.AddDate(0, 0, 1).Format("2006/01/02")),
		"substr(eventtime, 1, 10) BETWEEN "+lit(first.Format(time.DateOnly))+" AND "+lit(last.Format(time.DateOnly)))
	return out
}

// sql writes the query out.
func (s spec) sql(from string, base []string) string {
	var b strings.Builder
	b.WriteString("SELECT\n")
	items := make([]string, 0, len(s.cols)+2)
	for _, c := range s.cols {
		if c.expr == c.name {
			items = append(items, c.name)
		} else {
			items = append(items, c.expr+" AS "+c.name)
		}
	}
	if s.group {
		items = append(items, "count(*) AS "+colCount)
		if s.samples {
			// The smallest IDs, as trail keeps them (so samples do not
			// depend on the order records are read in); min(x, n) keeps
			// n values per group, not the group's every ID.
			items = append(items, fmt.Sprintf("array_join(min(eventid, %d), ',') AS %s", trail.MaxSamples, colSamples))
		}
	}
	b.WriteString("  " + strings.Join(items, ",\n  ") + "\n")
	b.WriteString("FROM " + from + "\n")
	b.WriteString("WHERE " + strings.Join(slices.Concat(base, s.where), "\n  AND "))
	if s.group {
		ordinals := make([]string, len(s.cols))
		for i := range s.cols {
			ordinals[i] = fmt.Sprint(i + 1)
		}
		b.WriteString("\nGROUP BY " + strings.Join(ordinals, ", "))
	}
	return b.String()
}

// litList is ('a', 'b', ...) of the distinct values, sorted.
func litList(values []string) string {
	set := sortedSet(values)
	quoted := make([]string, len(set))
	for i, v := range set {
		quoted[i] = lit(v)
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}
