package athena

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

// SettleDelay is how long after a UTC day ends its trail is taken to be
// complete. CloudTrail delivers a record typically within minutes of the
// call but promises no bound, and a unit whose ETag says "complete" is
// never read again: a day read too soon would keep its missing records for
// ever, while one read as partial only costs a query the next run.
const SettleDelay = time.Hour

// row is one result row by column name; NULL reads as "".
type row map[string]string

// eventOf rebuilds the event a row stands for: the fields the query
// selected, everything else empty, Weight and Samples from a grouped row.
// A row of a grouped query carries its UTC day as the event time, which
// is all the Aggregator reads of it for counted groups.
func eventOf(r row) (trail.Event, error) {
	ev := trail.Event{
		EventID: r[colEventID], EventSource: r[colEventSource], EventName: r[colEventName], AWSRegion: r[colAWSRegion],
		SourceIPAddress: r[colSourceIP], UserAgent: r[colUserAgent], ErrorCode: r[colErrorCode],
		RecipientAccountID: r[colRecipient],
		UserIdentity: trail.UserIdentity{Type: r[colIdentityType], PrincipalID: r[colPrincipalID], ARN: r[colIdentityARN],
			AccountID: r[colIdentityAccount], InvokedBy: r[colInvokedBy],
			SessionContext: trail.SessionContext{SessionIssuer: trail.SessionIssuer{ARN: r[colIssuerARN]}}},
	}
	if s := r[colEventTime]; s != "" {
		t, err := time.Parse(time.RFC3339, s) // as encoding/json reads eventTime
		if err != nil {
			return trail.Event{}, fmt.Errorf("eventtime %q: %w", s, err)
		}
		ev.EventTime = t
	} else {
		day, err := time.Parse(time.DateOnly, r[colDay])
		if err != nil {
			return trail.Event{}, fmt.Errorf("%s %q: %w", colDay, r[colDay], err)
		}
		ev.EventTime = day
	}
	// The blocked query keeps the part of the message addBlocked reads.
	ev.ErrorMessage = r[colDenyMessage]
	if raw := r[colRequestParams]; raw != "" {
		ev.RequestParameters = json.RawMessage(raw)
	} else {
		params := map[string]string{}
		for name, c := range map[string]string{"keyId": colKeyID, "aliasName": colAliasName, "targetKeyId": colTargetKeyID} {
			if v := r[c]; v != "" {
				params[name] = v
			}
		}
		if len(params) > 0 {
			b, err := json.Marshal(params)
			if err != nil {
				return trail.Event{}, err
			}
			ev.RequestParameters = b
		}
	}
	if raw := r[colResponseElements]; raw != "" {
		ev.ResponseElements = json.RawMessage(raw)
	}
	for _, arn := range strings.Fields(r[colKMSKeys]) {
		ev.Resources = append(ev.Resources, trail.EventResource{ARN: arn, Type: "AWS::KMS::Key"})
	}
	if s, ok := r[colCount]; ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return trail.Event{}, fmt.Errorf("%s %q is not a positive count", colCount, s)
		}
		ev.Weight = n
	}
	for _, id := range strings.Split(r[colSamples], ",") {
		if id != "" {
			ev.Samples = append(ev.Samples, id)
		}
	}
	return ev, nil
}

// unitState is what one unit has gathered so far.
type unitState struct {
	// agg is made on the first row that needs it: most units of a long
	// window see only their record count.
	agg *trail.Aggregator
	// records is what the records query counted; fed is what went into
	// agg (weights and problems). The rest were of no interest.
	records, fed int64
}

// collector sorts rows into units, one per account, region and UTC day.
type collector struct {
	tc     *trail.Context
	source string
	// accounts and regions are the selection; empty takes them from the
	// rows.
	accounts, regions []string
	days              []time.Time
	units             map[string]*unitState
}

func newCollector(tc *trail.Context, source string, sel selection) *collector {
	return &collector{tc: tc, source: source, accounts: sel.accounts, regions: sel.regions, days: sel.days,
		units: map[string]*unitState{}}
}

func unitKey(account, region string, day time.Time) string {
	return account + "/" + region + "/" + day.Format(time.DateOnly)
}

// add folds one row of query into its unit. A row outside the selection is
// an error: it means the SQL and this code disagree, and its counts would
// land in no unit or in one nobody asked for.
func (c *collector) add(query string, r row) error {
	account, region := r[colLogAccount], r[colLogRegion]
	if !accountPattern.MatchString(account) || !regionPattern.MatchString(region) {
		return fmt.Errorf("row for account %q, region %q", account, region)
	}
	if (len(c.accounts) > 0 && !slices.Contains(c.accounts, account)) ||
		(len(c.regions) > 0 && !slices.Contains(c.regions, region)) {
		return fmt.Errorf("row for %s/%s, outside the accounts and regions asked for", account, region)
	}
	day, err := time.Parse(time.DateOnly, r[colDay])
	if err != nil {
		return fmt.Errorf("%s %q: %w", colDay, r[colDay], err)
	}
	if day.Before(c.days[0]) || day.After(c.days[len(c.days)-1]) {
		return fmt.Errorf("row for %s, outside the window", r[colDay])
	}
	key := unitKey(account, region, day)
	u := c.units[key]
	if u == nil {
		u = &unitState{}
		c.units[key] = u
	}
	if query == QueryRecords {
		n, err := strconv.ParseInt(r[colCount], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%s %q is not a count", colCount, r[colCount])
		}
		u.records += n
		if problem := r[colProblem]; problem != "" {
			kind := trail.ProblemBadRecord
			if strings.HasPrefix(problem, "event version ") {
				kind = trail.ProblemUnknownVersion
			}
			agg := u.aggregator(c.tc)
			for range n {
				agg.AddProblem(key, kind, problem)
			}
			u.fed += n
		}
		return nil
	}
	ev, err := eventOf(r)
	if err != nil {
		return err
	}
	u.aggregator(c.tc).Add(&ev)
	u.fed += max(ev.Weight, 1)
	return nil
}

func (u *unitState) aggregator(tc *trail.Context) *trail.Aggregator {
	if u.agg == nil {
		u.agg = trail.NewAggregator(tc)
	}
	return u.agg
}

// finish returns one unit and one coverage row per account × region × day
// of the selection, sorted by account, region and day. A day counts as
// complete when it ended SettleDelay or more before started.
func (c *collector) finish(started time.Time) ([]trail.UnitResult, []trail.Coverage) {
	accounts, regions := c.accounts, c.regions
	if len(accounts) == 0 || len(regions) == 0 {
		var seenA, seenR []string
		for key := range c.units {
			parts := strings.SplitN(key, "/", 3)
			seenA, seenR = append(seenA, parts[0]), append(seenR, parts[1])
		}
		if len(accounts) == 0 {
			accounts = sortedSet(seenA)
		}
		if len(regions) == 0 {
			regions = sortedSet(seenR)
		}
	}
	partial := "partial@" + started.UTC().Format(time.RFC3339)
	var units []trail.UnitResult
	var covered []trail.Coverage
	for _, account := range accounts {
		for _, region := range regions {
			for _, day := range c.days {
				key := unitKey(account, region, day)
				u := c.units[key]
				if u == nil {
					u = &unitState{}
				}
				agg := u.aggregator(c.tc)
				agg.CountSkipped(max(u.records-u.fed, 0))
				etag := partial
				if !day.AddDate(0, 0, 1).Add(SettleDelay).After(started) {
					etag = "complete"
				}
				units = append(units, trail.UnitResult{
					Unit:       trail.Unit{Source: c.source, Key: key, ETag: etag, Account: account, Region: region, Day: day},
					Aggregates: agg.Result(),
				})
				covered = append(covered, trail.Coverage{Source: c.source, Account: account, Region: region, Day: day})
			}
		}
	}
	return units, covered
}
