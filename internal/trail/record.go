package trail

import (
	"encoding/json"
	"strings"
)

// AddRecord decodes one CloudTrail record and folds it into agg. A record
// that is not JSON, lacks a field every record has, or has an event version
// other than 1.x is recorded as a problem of unit and otherwise ignored.
func AddRecord(b []byte, unit string, agg *Aggregator) {
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		agg.AddProblem(unit, ProblemBadRecord, "not a JSON CloudTrail record")
		return
	}
	if missing := missingField(&ev); missing != "" {
		agg.AddProblem(unit, ProblemBadRecord, "record without "+missing)
		return
	}
	if major, _, _ := strings.Cut(ev.EventVersion, "."); major != "1" {
		agg.AddProblem(unit, ProblemUnknownVersion, "event version "+ev.EventVersion)
		return
	}
	agg.Add(&ev)
}

// missingField names the first field every CloudTrail record carries that
// ev lacks, or "" when it has them all.
func missingField(ev *Event) string {
	switch {
	case ev.EventVersion == "":
		return "eventVersion"
	case ev.EventID == "":
		return "eventID"
	case ev.EventTime.IsZero():
		return "eventTime"
	case ev.EventSource == "":
		return "eventSource"
	case ev.EventName == "":
		return "eventName"
	case ev.AWSRegion == "":
		return "awsRegion"
	}
	return ""
}
