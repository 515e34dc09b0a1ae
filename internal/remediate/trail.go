package remediate

import (
	"cmp"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/trail"
)

// Trail is the part of CloudTrail a plan uses (sagekey trail): who created
// each resource, so a plan says whom to ask, and who changed each key, so a
// key plan names who disabled it or scheduled its deletion instead of
// sending the reader to CloudTrail. The zero value knows nothing, and plans
// then say how to look.
type Trail struct {
	// Creators maps a resource ARN to its create event. Keys are matched
	// without regard to case (report.TrailFacts keys them in lower case).
	Creators map[string]trail.Creator
	// KeyEvents are lifecycle events on keys, in any order.
	KeyEvents []trail.KeyEvent
}

// Creator is the create event of a resource as an item names it
// (created_by), with the same fields as the scan report's created_by. Time
// is RFC 3339 in UTC, empty when unknown.
type Creator struct {
	Principal string `json:"principal"`
	Identity  string `json:"identity"`
	Time      string `json:"time"`
	Tool      string `json:"tool"`
	SourceIP  string `json:"source_ip"`
	UserAgent string `json:"user_agent"`
	EventID   string `json:"event_id"`
	Action    string `json:"action"`
}

// Ask is the sentence a plan says about the creator: whom to ask.
func (c *Creator) Ask() string {
	t, _ := time.Parse(time.RFC3339, c.Time) // the zero time when unknown
	return "Ask " + trail.Who(c.Principal, c.Identity) + ", who created it with " + trail.ToolText(c.Tool) + onDate(t) + "."
}

// trailIndex is Trail prepared for lookups: creators by lower-case ARN,
// and the latest event per lower-case key ARN and action.
type trailIndex struct {
	creators map[string]trail.Creator
	latest   map[[2]string]trail.KeyEvent
}

func newTrailIndex(t Trail) trailIndex {
	ix := trailIndex{creators: make(map[string]trail.Creator, len(t.Creators)), latest: map[[2]string]trail.KeyEvent{}}
	for arn, c := range t.Creators {
		ix.creators[strings.ToLower(arn)] = c
	}
	for _, e := range t.KeyEvents {
		k := [2]string{strings.ToLower(e.KeyARN), e.Action}
		// The latest event decides; the event id breaks a tie so the plan
		// does not depend on the order events were given in.
		if have, ok := ix.latest[k]; !ok || cmp.Or(e.Time.Compare(have.Time), cmp.Compare(e.EventID, have.EventID)) > 0 {
			ix.latest[k] = e
		}
	}
	return ix
}

// creator returns the create event of the resource arn, when known.
func (ix trailIndex) creator(arn string) (*Creator, bool) {
	c, ok := ix.creators[strings.ToLower(arn)]
	if !ok || arn == "" {
		return nil, false
	}
	cr := &Creator{Principal: c.Principal, Identity: c.Identity, Tool: c.Tool, SourceIP: c.SourceIP,
		UserAgent: c.UserAgent, EventID: c.EventID, Action: c.Action}
	if !c.Time.IsZero() {
		cr.Time = c.Time.UTC().Format(time.RFC3339)
	}
	return cr, true
}

// keyEvent returns the latest event of action ("kms:DisableKey") on the
// key, when the trail has one.
func (ix trailIndex) keyEvent(keyARN, action string) (trail.KeyEvent, bool) {
	e, ok := ix.latest[[2]string{strings.ToLower(keyARN), action}]
	return e, ok && keyARN != ""
}

// eventText says who made a key event, when, with what and from where, and
// which CloudTrail event to open for the rest.
func eventText(e trail.KeyEvent, did string) string {
	s := trail.Who(e.Principal, e.Identity) + " " + did
	if !e.Time.IsZero() {
		s += " on " + e.Time.UTC().Format("2006-01-02 15:04 UTC")
	}
	s += " with " + trail.ToolText(e.Tool)
	if e.SourceIP != "" {
		s += " from " + e.SourceIP
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.EventID != "" {
		s += ", CloudTrail event " + e.EventID
	}
	return s
}

// onDate is " on 2026-11-20", or nothing for an unknown time.
func onDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " on " + t.UTC().Format(time.DateOnly)
}
