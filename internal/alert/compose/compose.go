package compose

import (
	"strconv"
	"time"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/alert/detect"
	"github.com/sagekey/sagekey/internal/finding"
)

// DefaultOwnerTag is the tag that names a resource's owning team when
// Options.OwnerTag is empty.
const DefaultOwnerTag = "owner"

// Options say how to compose.
type Options struct {
	// OwnerTag names the tag whose value goes into Details[alert.DetailOwner]
	// (default "owner"), so routes can send an alert to its team.
	OwnerTag string
	// DashboardURL is the base URL of the serve dashboard; may be empty.
	// When set, alerts link to the finding ("/findings/<fingerprint>"), the
	// key ("/keys/<escaped key ARN>") or the runs ("/runs").
	DashboardURL string
	// ComplianceThreshold is detect.Options.ComplianceThreshold; a
	// compliance_dropped alert reports it in Details[alert.DetailThreshold]
	// when positive (the event itself does not carry it).
	ComplianceThreshold float64
}

func (o Options) ownerTag() string {
	if o.OwnerTag == "" {
		return DefaultOwnerTag
	}
	return o.OwnerTag
}

// AlertKind maps a detection kind to the document's kind; false for a kind
// added to detect but not yet here, which is skipped rather than sent with
// an invalid kind.
func AlertKind(k detect.Kind) (alert.Kind, bool) {
	switch k {
	case detect.ViolationOpened:
		return alert.ViolationOpened, true
	case detect.ViolationReopened:
		return alert.ViolationReopened, true
	case detect.KeyStateChanged:
		return alert.KeyStateChanged, true
	case detect.ComplianceDropped:
		return alert.ComplianceDropped, true
	case detect.ScanFailed:
		return alert.ScanFailed, true
	case detect.NewGaps:
		return alert.NewGaps, true
	case detect.KMSDenialSpike:
		return alert.KMSDenialSpike, true
	case detect.KeyLifecycleEvent:
		return alert.KeyLifecycleEvent, true
	}
	return "", false
}

// FromEvents composes one alert per event, in the events' order. Every
// alert returned passes alert.Validate.
func FromEvents(events []detect.Event, opts Options) []alert.Alert {
	out := make([]alert.Alert, 0, len(events))
	for _, e := range events {
		if a, ok := FromEvent(e, opts); ok {
			out = append(out, a)
		}
	}
	return out
}

// FromEvent composes the alert of one event; false when the event's kind
// has no alert kind.
func FromEvent(e detect.Event, opts Options) (alert.Alert, bool) {
	kind, ok := AlertKind(e.Kind)
	if !ok {
		return alert.Alert{}, false
	}
	a := alert.New(kind, e.Key, transition(e), at(e))
	// Clamped so that an out-of-range severity still alerts, loudly.
	a.Severity = min(max(e.Severity, finding.Info), finding.Critical)
	if e.RunID != 0 {
		a.RunID = strconv.FormatInt(e.RunID, 10)
	}
	a.Account, a.Region = e.Account, e.Region
	a.CheckID = e.CheckID
	a.Message = e.Message
	a.Details = map[string]string{}
	switch e.Kind {
	case detect.ViolationOpened, detect.ViolationReopened:
		violation(&a, e, opts)
	case detect.KeyStateChanged:
		keyState(&a, e, opts)
	case detect.ComplianceDropped:
		complianceDropped(&a, e, opts)
	case detect.ScanFailed:
		scanFailed(&a, e, opts)
	case detect.NewGaps:
		newGaps(&a, e, opts)
	case detect.KMSDenialSpike:
		denialSpike(&a, e, opts)
	case detect.KeyLifecycleEvent:
		lifecycle(&a, e, opts)
	}
	if a.Validate() != nil {
		return alert.Alert{}, false
	}
	return a, true
}

// transition tells apart two alerts on the same subject. The event key
// already includes the run, so the run id adds nothing to uniqueness but
// keeps the id's parts readable: a failed or trail event has no run, and
// its time (part of its key already) stands in.
func transition(e detect.Event) string {
	if e.RunID != 0 {
		return strconv.FormatInt(e.RunID, 10)
	}
	return at(e).UTC().Format(time.RFC3339Nano)
}

// at is the alert's time; an event detected without one (never from
// Detect, but a zero time would make the alert invalid) gets the Unix
// epoch so that composing stays deterministic.
func at(e detect.Event) time.Time {
	if e.At.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return e.At
}
