package report

import (
	"io"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/trail"
	"github.com/sagekey/sagekey/internal/version"
)

// OCSF 1.3.0 Detection Finding events (class 2004 in the Findings
// category), the class SIEMs and data lakes (Security Lake, Splunk,
// Sentinel) ingest for alerts and posture findings alike.
const (
	OCSFVersion       = "1.3.0"
	ocsfClassUID      = 2004
	ocsfCategoryUID   = 2
	ocsfActivityID    = 1 // Create: every scan reports its findings afresh
	ocsfAnalyticRule  = 1 // analytic type_id Rule
	ocsfAccountTypeID = 10
)

// ocsfEvent is one Detection Finding. Attributes the schema requires have
// no omitempty: activity_id, category_uid, class_uid, type_uid, time,
// severity_id, metadata, finding_info, and cloud (the cloud profile).
type ocsfEvent struct {
	ActivityID   int              `json:"activity_id"`
	ActivityName string           `json:"activity_name"`
	CategoryUID  int              `json:"category_uid"`
	CategoryName string           `json:"category_name"`
	ClassUID     int              `json:"class_uid"`
	ClassName    string           `json:"class_name"`
	TypeUID      int              `json:"type_uid"`
	TypeName     string           `json:"type_name"`
	Time         int64            `json:"time"`
	StartTime    int64            `json:"start_time"`
	EndTime      int64            `json:"end_time"`
	Message      string           `json:"message,omitempty"`
	SeverityID   int              `json:"severity_id"`
	Severity     string           `json:"severity"`
	StatusID     int              `json:"status_id"`
	Status       string           `json:"status"`
	StatusCode   string           `json:"status_code"`
	StatusDetail string           `json:"status_detail,omitempty"`
	Metadata     ocsfMetadata     `json:"metadata"`
	FindingInfo  ocsfFindingInfo  `json:"finding_info"`
	Cloud        ocsfCloud        `json:"cloud"`
	Resources    []ocsfResource   `json:"resources"`
	Remediation  *ocsfRemediation `json:"remediation,omitempty"`
	Evidences    []ocsfEvidence   `json:"evidences,omitempty"`
	Unmapped     ocsfUnmapped     `json:"unmapped"`
}

type ocsfMetadata struct {
	Version  string      `json:"version"`
	Product  ocsfProduct `json:"product"`
	Profiles []string    `json:"profiles"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

type ocsfFindingInfo struct {
	UID         string       `json:"uid"`
	Title       string       `json:"title"`
	Desc        string       `json:"desc,omitempty"`
	CreatedTime int64        `json:"created_time"`
	FirstSeen   int64        `json:"first_seen_time"`
	LastSeen    int64        `json:"last_seen_time"`
	Types       []string     `json:"types"`
	Analytic    ocsfAnalytic `json:"analytic"`
}

// ocsfAnalytic names the check that produced the finding.
type ocsfAnalytic struct {
	UID    string `json:"uid"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfCloud struct {
	Provider string       `json:"provider"`
	Region   string       `json:"region,omitempty"`
	Account  *ocsfAccount `json:"account,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfResource struct {
	UID            string    `json:"uid"`
	Name           string    `json:"name,omitempty"`
	Type           string    `json:"type"`
	Region         string    `json:"region,omitempty"`
	CloudPartition string    `json:"cloud_partition,omitempty"`
	Owner          *ocsfUser `json:"owner,omitempty"`
	// Labels are the resource's tags as key=value: OCSF 1.3.0 resources
	// have no key/value tags attribute.
	Labels []string `json:"labels,omitempty"`
}

// ocsfUser is the owner of a resource: here only its AWS account.
type ocsfUser struct {
	Account ocsfAccount `json:"account"`
}

type ocsfRemediation struct {
	Desc       string   `json:"desc"`
	References []string `json:"references,omitempty"`
}

// ocsfEvidence is the CloudTrail create call behind a failing resource, as
// OCSF Evidence Artifacts: who made it (actor: the caller, the role its
// session came from, the tool), which API (api) and from where
// (src_endpoint). The evidence object requires at least one of these.
type ocsfEvidence struct {
	Actor       *ocsfActor    `json:"actor,omitempty"`
	API         *ocsfAPI      `json:"api,omitempty"`
	SrcEndpoint *ocsfEndpoint `json:"src_endpoint,omitempty"`
}

type ocsfActor struct {
	User    *ocsfActorUser `json:"user,omitempty"`
	Session *ocsfSession   `json:"session,omitempty"`
	AppName string         `json:"app_name,omitempty"`
}

type ocsfActorUser struct {
	UID     string       `json:"uid"`
	Account *ocsfAccount `json:"account,omitempty"`
}

type ocsfSession struct {
	Issuer string `json:"issuer"`
}

type ocsfAPI struct {
	Operation string       `json:"operation"`
	Service   *ocsfService `json:"service,omitempty"`
}

type ocsfService struct {
	Name string `json:"name"`
}

// ocsfEndpoint is where a call came from: an IP address, or the name
// CloudTrail records instead (a service such as sagemaker.amazonaws.com,
// or "AWS Internal"), which OCSF's ip_t would reject.
type ocsfEndpoint struct {
	IP   string `json:"ip,omitempty"`
	Name string `json:"name,omitempty"`
}

// ocsfUnmapped keeps what OCSF has no attribute for: the check and the
// verdict of every key slot, the blast radius of a key, the suppression,
// and the create event as the JSON report has it (its time, user agent and
// event id have no place in the evidence).
type ocsfUnmapped struct {
	CheckID     string               `json:"check_id"`
	Slots       []finding.Slot       `json:"slots,omitempty"`
	Protects    []string             `json:"protects,omitempty"`
	Suppression *finding.Suppression `json:"suppression,omitempty"`
	CreatedBy   *jsonCreator         `json:"created_by,omitempty"`
}

// WriteOCSF writes the findings as a JSON array of OCSF 1.3.0 Detection
// Finding events. Every status but NOT_APPLICABLE is written: PASS as a
// resolved finding, so a consumer sees a failure go away, and MUTED as a
// suppressed one.
func WriteOCSF(w io.Writer, r *Report) error { return writeOCSF(w, r, version.String()) }

// writeOCSF takes the product version so golden files do not depend on
// the build.
func writeOCSF(w io.Writer, r *Report, productVersion string) error {
	return writeJSONArray(w, func(yield func(ocsfEvent) bool) {
		for _, f := range r.Findings.All() {
			if e, ok := ocsfFinding(r, f, productVersion); ok && !yield(e) {
				return
			}
		}
	})
}

var ocsfStatuses = map[finding.Status]struct {
	id      int
	caption string
}{
	finding.Fail:  {1, "New"},
	finding.Error: {1, "New"},
	finding.Muted: {3, "Suppressed"},
	finding.Pass:  {4, "Resolved"},
}

var ocsfSeverities = []string{"Informational", "Low", "Medium", "High", "Critical"}

func ocsfFinding(r *Report, f finding.Finding, productVersion string) (ocsfEvent, bool) {
	status, ok := ocsfStatuses[f.Status]
	if !ok {
		return ocsfEvent{}, false // NOT_APPLICABLE: nothing to act on
	}
	sev := min(max(f.Severity, finding.Info), finding.Critical)
	arn := parseARN(f.Resource.ARN)
	account := asffFirst(f.Resource.Account, arn.account)
	region := asffFirst(f.Resource.Region, arn.region)
	rule, _ := CheckInfo(f.CheckID)
	title := asffFirst(rule.Title, f.CheckID)
	var acct *ocsfAccount
	var owner *ocsfUser
	if account != "" {
		acct = &ocsfAccount{UID: account, Type: "AWS Account", TypeID: ocsfAccountTypeID}
		owner = &ocsfUser{Account: *acct}
	}
	started := ocsfTime(r.Started)
	var evidences []ocsfEvidence
	var createdBy *jsonCreator
	if c, ok := r.creatorShown(f); ok {
		createdBy = newJSONCreator(c)
		if e, ok := ocsfCreateEvidence(c); ok {
			evidences = []ocsfEvidence{e}
		}
	}
	seen := r.historyOf(f)
	firstSeen := ocsfTime(seen.FirstSeen)
	if !seen.FailingSince.IsZero() {
		firstSeen = ocsfTime(seen.FailingSince)
	}
	return ocsfEvent{
		ActivityID: ocsfActivityID, ActivityName: "Create",
		CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
		ClassUID: ocsfClassUID, ClassName: "Detection Finding",
		TypeUID: ocsfClassUID*100 + ocsfActivityID, TypeName: "Detection Finding: Create",
		Time: started, StartTime: started, EndTime: ocsfTime(r.Finished),
		Message:    f.Message,
		SeverityID: int(sev) + 1, Severity: ocsfSeverities[sev],
		StatusID: status.id, Status: status.caption,
		StatusCode: string(f.Status), StatusDetail: f.Message,
		Metadata: ocsfMetadata{
			Version:  OCSFVersion,
			Product:  ocsfProduct{Name: "sagekey", VendorName: "sagekey", Version: productVersion},
			Profiles: []string{"cloud"},
		},
		FindingInfo: ocsfFindingInfo{
			UID: FindingID(f), Title: title, Desc: asffVerdict(f), CreatedTime: ocsfTime(seen.FirstSeen),
			FirstSeen: firstSeen, LastSeen: ocsfTime(r.Finished),
			Types:    []string{asffType(f.CheckID)},
			Analytic: ocsfAnalytic{UID: f.CheckID, Name: title, Type: "Rule", TypeID: ocsfAnalyticRule},
		},
		Cloud: ocsfCloud{Provider: "AWS", Region: region, Account: acct},
		Resources: []ocsfResource{{
			UID: f.Resource.ARN, Name: f.Resource.Name, Type: f.Resource.Kind, Region: region,
			CloudPartition: arn.partition, Owner: owner, Labels: ocsfLabels(f.Resource.Tags),
		}},
		Remediation: &ocsfRemediation{
			Desc:       asffFirst(f.Remediation, rule.Remediation, "See "+DocsURL(f.CheckID)),
			References: []string{DocsURL(f.CheckID)},
		},
		Evidences: evidences,
		Unmapped: ocsfUnmapped{CheckID: f.CheckID, Slots: f.Slots, Protects: ocsfARNs(f.Protects),
			Suppression: f.Suppression, CreatedBy: createdBy},
	}, true
}

// ocsfCreateEvidence maps a create event to an evidence object; false when
// it names nothing the object has room for.
func ocsfCreateEvidence(c trail.Creator) (ocsfEvidence, bool) {
	var e ocsfEvidence
	if uid := asffFirst(c.Identity, c.Principal); uid != "" || c.Tool != "" {
		e.Actor = &ocsfActor{AppName: c.Tool}
		if uid != "" {
			e.Actor.User = &ocsfActorUser{UID: uid}
			if c.Account != "" {
				e.Actor.User.Account = &ocsfAccount{UID: c.Account, Type: "AWS Account", TypeID: ocsfAccountTypeID}
			}
		}
		if c.Identity != "" && c.Principal != "" && c.Identity != c.Principal {
			e.Actor.Session = &ocsfSession{Issuer: c.Principal}
		}
	}
	if service, op, ok := strings.Cut(c.Action, ":"); ok && op != "" {
		e.API = &ocsfAPI{Operation: op, Service: &ocsfService{Name: service}}
	} else if c.Action != "" {
		e.API = &ocsfAPI{Operation: c.Action}
	}
	if ip, err := netip.ParseAddr(c.SourceIP); err == nil {
		e.SrcEndpoint = &ocsfEndpoint{IP: ip.String()}
	} else if c.SourceIP != "" {
		e.SrcEndpoint = &ocsfEndpoint{Name: c.SourceIP}
	}
	return e, e.Actor != nil || e.API != nil || e.SrcEndpoint != nil
}

// ocsfTime is an OCSF timestamp_t: milliseconds since the Unix epoch.
func ocsfTime(t time.Time) int64 { return t.UnixMilli() }

func ocsfLabels(tags map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, k+"="+tags[k])
	}
	return out
}

func ocsfARNs(rs []finding.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ARN)
	}
	return out
}
