package guardrails

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/sagekey/sagekey/internal/iampolicy"
)

// WriteEvents writes the event infrastructure in format: the JSON document,
// a Terraform configuration or a CloudFormation template.
func WriteEvents(w io.Writer, e *Events, format string) error {
	return writeIn(w, format, renders{
		FormatJSON:           func() ([]byte, error) { return eventsJSON(e) },
		FormatTerraform:      func() ([]byte, error) { return eventsTerraform(e) },
		FormatCloudFormation: func() ([]byte, error) { return eventsCloudFormation(e) },
	})
}

// EventsFiles returns one file per artifact, for --out DIR: the format's
// main file (events.json, events.tf or events.yaml) and, whatever the
// format, event-pattern-<name>.json as EventBridge takes it.
func EventsFiles(e *Events, format string) (map[string][]byte, error) {
	var main bytes.Buffer
	if err := WriteEvents(&main, e, format); err != nil {
		return nil, err
	}
	ext := map[string]string{FormatJSON: "json", FormatTerraform: "tf", FormatCloudFormation: "yaml"}[format]
	files := map[string][]byte{"events." + ext: main.Bytes()}
	for _, p := range e.Patterns {
		files["event-pattern-"+p.Name+".json"] = append(p.JSON(), '\n')
	}
	return files, nil
}

// jsonEvents is the JSON format's document. ARNs hold {braced} parts known
// only at deploy time; Parameters says what each is.
type jsonEvents struct {
	Parameters   map[string]string  `json:"parameters"`
	Patterns     []jsonPattern      `json:"event_patterns"`
	Queue        QueueSpec          `json:"queue"`
	DeadLetter   QueueSpec          `json:"dead_letter_queue"`
	Encryption   string             `json:"queue_encryption"`
	QueuePolicy  iampolicy.Document `json:"queue_policy"`
	Organization jsonOrganization   `json:"organization"`
	Serve        jsonServe          `json:"serve_role"`
	Notes        []string           `json:"notes"`
}

type jsonPattern struct {
	Name         string          `json:"name"`
	ConsumeRule  string          `json:"consume_rule"`
	ForwardRule  string          `json:"forward_rule"`
	Chars        int             `json:"chars"`
	Limit        int             `json:"limit"`
	EventPattern json.RawMessage `json:"event_pattern"`
}

type jsonOrganization struct {
	Bus               string             `json:"central_bus"`
	BusPolicy         iampolicy.Document `json:"central_bus_policy"`
	ForwardRoleTrust  iampolicy.Document `json:"forward_role_trust_policy"`
	ForwardRolePolicy iampolicy.Document `json:"forward_role_policy"`
}

type jsonServe struct {
	QueuePolicy    iampolicy.Document `json:"queue_policy"`
	QueueKeyPolicy iampolicy.Document `json:"queue_key_policy"`
	ScanPolicies   []jsonPolicy       `json:"scan_policies"`
}

func eventsJSON(e *Events) ([]byte, error) {
	r := readableRefs(e)
	out := jsonEvents{
		Parameters: map[string]string{
			"{account}": "the account the rule or queue is in", "{region}": "its region",
			"{bus/}":              "empty on the default bus; sagekey-events/ on the central bus",
			"{organization-id}":   "AWS Organizations ID (organization only)",
			"{central-account}":   "security account that owns the central bus and the queue (organization only)",
			"{central-region}":    "region of the central bus and the queue (organization only)",
			"{queue-kms-key-arn}": "customer-managed key of the queues, if not SQS-managed",
		},
		Queue: e.Queue, DeadLetter: e.DeadLetter,
		Encryption:  "SSE-SQS (SQS-managed keys) by default; SSE-KMS with {queue-kms-key-arn}, whose key policy must let events.amazonaws.com call kms:GenerateDataKey and kms:Decrypt",
		QueuePolicy: queuePolicy(r),
		Organization: jsonOrganization{Bus: r.CentralBus, BusPolicy: busPolicy(r),
			ForwardRoleTrust: forwardTrust(r), ForwardRolePolicy: forwardPolicy(r)},
		Serve: jsonServe{QueuePolicy: serveQueuePolicy(r), QueueKeyPolicy: serveQueueKeyPolicy(r), ScanPolicies: []jsonPolicy{}},
		Notes: eventsNotes(),
	}
	for i, p := range e.Patterns {
		doc := p.JSON()
		out.Patterns = append(out.Patterns, jsonPattern{Name: p.Name, ConsumeRule: r.ConsumeRules[i],
			ForwardRule: r.ForwardRules[i], Chars: len(doc), Limit: EventPatternMaxChars, EventPattern: doc})
	}
	for _, p := range e.ServeScanPolicies {
		n, err := size(p.Document)
		if err != nil {
			return nil, err
		}
		out.Serve.ScanPolicies = append(out.Serve.ScanPolicies, jsonPolicy{Name: p.Name, Chars: n, Limit: IAMMaxChars, Document: p.Document})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(out)
	return buf.Bytes(), err
}

func eventsNotes() []string {
	return []string{
		"EventBridge receives CloudTrail's write management events; keep a trail logging management events in every account and region (an organization trail does), which older AWS guidance requires for this delivery.",
		"Single account: deploy once in the region sagekey serve reads; rules on the default bus send to the queue.",
		"Organization: deploy everywhere (StackSet or per-account apply) with the organization parameters; every account and region forwards to the central bus, whose rules send to the queue.",
		"Forwarding rules name a role because the central bus grants access by organization (aws:PrincipalOrgID), not by account.",
		"CreateGrant and RetireGrant are not selected: AWS services call them for every job, endpoint and volume; scheduled scans still read grants.",
	}
}
