package trailreport

import (
	"io"
	"math"
	"slices"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/trail"
)

// The JSON document (sagekey.trail/v1, docs/trail.md). Lists are never
// null; a value that cannot be stated is null and docs/trail.md says when.
type jsonDoc struct {
	Schema    string          `json:"schema"`
	Source    string          `json:"source"`
	Window    jsonWindow      `json:"window"`
	Read      ReadStats       `json:"read"`
	Coverage  jsonCoverage    `json:"coverage"`
	Gaps      []inventory.Gap `json:"gaps"`
	Problems  []trail.Problem `json:"problems"`
	Denials   jsonDenials     `json:"kms_access_denials"`
	Blocked   jsonBlocked     `json:"violations_blocked"`
	Creators  []trail.Creator `json:"creators"`
	KeyEvents []jsonKeyEvent  `json:"key_events"`
	Requests  jsonRequests    `json:"kms_requests"`
	APICalls  report.APICalls `json:"api_calls"`
}

type jsonWindow struct {
	// From and To are null when the window is open at that end.
	From *string `json:"from"`
	To   *string `json:"to"`
}

type jsonCoverage struct {
	Sources  []string `json:"sources"`
	Accounts []string `json:"accounts"`
	Regions  []string `json:"regions"`
	Days     int      `json:"days"`
	// FirstDay and LastDay are null when no day is covered.
	FirstDay *string `json:"first_day"`
	LastDay  *string `json:"last_day"`
	Cells    int     `json:"cells"`
	// WindowDays is null when the window is open.
	WindowDays *int       `json:"window_days"`
	Pairs      []jsonPair `json:"by_account_region"`
}

type jsonPair struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Days    int    `json:"days"`
	// MissingDays is null when the window is open.
	MissingDays *int `json:"missing_days"`
}

type jsonDenials struct {
	Total         int64 `json:"total"`
	Unauthorized  int64 `json:"unauthorized"`
	PolicyUnknown int64 `json:"policy_unknown"`
	// UnauthorizedShare is null when no denial has a known relation to
	// its key policy.
	UnauthorizedShare *float64          `json:"unauthorized_share"`
	Groups            []jsonDenialGroup `json:"groups"`
}

// jsonDenialGroup is a denial group as trail.Denial writes it, with the
// key-access verdict added to it (null when no check judged the group).
type jsonDenialGroup struct {
	trail.Denial
	KeyAccess *jsonKeyAccess `json:"key_access"`
}

type jsonKeyAccess struct {
	Verdict  string   `json:"verdict"`
	CheckIDs []string `json:"check_ids"`
	Missing  []string `json:"missing"`
	Note     string   `json:"note"`
}

type jsonBlocked struct {
	Total        int64           `json:"total"`
	Guardrail    int64           `json:"guardrail"`
	Other        int64           `json:"other"`
	Unattributed int64           `json:"unattributed"`
	Groups       []trail.Blocked `json:"groups"`
}

type jsonRequests struct {
	Total int64 `json:"total"`
	// EstimatedMonthlyUSD and EstimateBasis are null when request charges
	// were not estimated.
	EstimatedMonthlyUSD *float64             `json:"estimated_monthly_usd"`
	EstimateBasis       *string              `json:"estimate_basis"`
	Groups              []trail.RequestCount `json:"groups"`
}

type jsonKeyEvent struct {
	trail.KeyEvent
	MakesDataUnreadable bool               `json:"makes_data_unreadable"`
	Protects            []finding.Resource `json:"protects"`
}

// WriteJSON writes the sagekey.trail/v1 document.
func WriteJSON(w io.Writer, r *Report) error {
	c := r.Coverage
	doc := jsonDoc{
		Schema:   orSchema(r.Schema),
		Source:   r.Source,
		Window:   jsonWindow{From: timeOrNull(r.Window.From), To: timeOrNull(r.Window.To)},
		Read:     r.Read,
		Gaps:     nonNil(r.Gaps),
		Problems: nonNil(r.Problems),
		Coverage: jsonCoverage{Sources: nonNil(c.Sources), Accounts: nonNil(c.Accounts), Regions: nonNil(c.Regions),
			Days: c.Days, FirstDay: timeOrNull(c.FirstDay), LastDay: timeOrNull(c.LastDay), Cells: c.Cells,
			WindowDays: intOrNull(c.WindowDays), Pairs: []jsonPair{}},
		Denials: jsonDenials{Total: r.Denials.Total, Unauthorized: r.Denials.Unauthorized,
			PolicyUnknown: r.Denials.PolicyUnknown, UnauthorizedShare: rounded(r.Denials.UnauthorizedShare),
			Groups: []jsonDenialGroup{}},
		Blocked: jsonBlocked{Total: r.Blocked.Total, Guardrail: r.Blocked.Guardrail, Other: r.Blocked.Other,
			Unattributed: r.Blocked.Unattributed, Groups: []trail.Blocked{}},
		Creators:  []trail.Creator{},
		KeyEvents: []jsonKeyEvent{},
		Requests: jsonRequests{Total: r.Requests.Total, EstimatedMonthlyUSD: r.Requests.EstimatedUSD,
			Groups: []trail.RequestCount{}},
		APICalls: (&report.Report{APICalls: r.APICalls}).Calls(),
	}
	if r.Requests.EstimatedUSD != nil {
		basis := r.Requests.EstimateBasis
		doc.Requests.EstimateBasis = &basis
	}
	for _, p := range c.Pairs {
		jp := jsonPair{Account: p.Account, Region: p.Region, Days: p.Days}
		if c.WindowDays > 0 {
			jp.MissingDays = &p.Missing
		}
		doc.Coverage.Pairs = append(doc.Coverage.Pairs, jp)
	}
	for _, d := range r.Denials.Groups {
		g := jsonDenialGroup{Denial: d.Denial}
		g.Day, g.Samples = d.Day.UTC(), nonNil(d.Samples)
		if k := d.KeyAccess; k != nil {
			g.KeyAccess = &jsonKeyAccess{Verdict: k.Verdict, CheckIDs: nonNil(k.CheckIDs), Missing: nonNil(k.Missing), Note: k.Note()}
		}
		doc.Denials.Groups = append(doc.Denials.Groups, g)
	}
	for _, b := range r.Blocked.Groups {
		b.Day, b.Samples = b.Day.UTC(), nonNil(b.Samples)
		doc.Blocked.Groups = append(doc.Blocked.Groups, b)
	}
	for _, q := range r.Requests.Groups {
		q.Day = q.Day.UTC()
		doc.Requests.Groups = append(doc.Requests.Groups, q)
	}
	for _, cr := range r.Creators {
		cr.Time = cr.Time.UTC()
		doc.Creators = append(doc.Creators, cr)
	}
	for _, e := range r.KeyEvents {
		je := jsonKeyEvent{KeyEvent: e.KeyEvent, MakesDataUnreadable: e.MakesDataUnreadable(), Protects: []finding.Resource{}}
		je.Time = je.Time.UTC()
		for _, res := range e.Protects {
			if res.Tags == nil {
				res.Tags = map[string]string{}
			}
			je.Protects = append(je.Protects, res)
		}
		doc.KeyEvents = append(doc.KeyEvents, je)
	}
	return report.EncodeJSON(w, doc)
}

func orSchema(s string) string {
	if s == "" {
		return trail.Schema
	}
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clone(s)
}

func timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func intOrNull(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// rounded keeps four decimals of a share, so the document does not carry
// float noise (0.38461538461538464).
func rounded(f *float64) *float64 {
	if f == nil {
		return nil
	}
	v := math.Round(*f*1e4) / 1e4
	return &v
}
