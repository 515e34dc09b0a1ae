package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SlackConfig configures a Slack incoming-webhook sink.
type SlackConfig struct {
	Name   string // the sink's name; "slack" when empty
	URL    string // secret: the webhook URL is its own credential
	Client *http.Client
	Now    func() time.Time
}

// Slack posts a Block Kit message to an incoming webhook. Slack has no
// idempotency key, so an alert retried after a lost response can appear
// twice; the alert id in the context line lets people tell.
type Slack struct {
	name string
	post *poster
}

// NewSlack checks cfg. Slack's webhooks are https only.
func NewSlack(cfg SlackConfig) (*Slack, error) {
	name := cfg.Name
	if name == "" {
		name = "slack"
	}
	p, err := newPoster(name, cfg.URL, cfg.Client, false, cfg.Now)
	if err != nil {
		return nil, err
	}
	return &Slack{name: name, post: p}, nil
}

// Name is the configured name.
func (s *Slack) Name() string { return s.name }

// Send posts the message for a.
func (s *Slack) Send(ctx context.Context, a Alert) error {
	if err := a.Validate(); err != nil {
		return Permanent(fmt.Errorf("%s: %w", s.name, err))
	}
	body, err := json.Marshal(SlackMessage(a))
	if err != nil {
		return Permanent(fmt.Errorf("%s: encode alert %s: %w", s.name, a.ID, err))
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return s.post.post(ctx, body, h)
}

// Block Kit limits (characters) we stay under, so Slack never refuses a
// message because a resource name or message was long.
const (
	slackHeaderMax  = 150
	slackTextMax    = 3000
	slackFieldMax   = 2000
	slackBlastShown = 5
)

// SlackPayload is the body of an incoming-webhook request.
type SlackPayload struct {
	Text   string       `json:"text"` // the notification and fallback text
	Blocks []SlackBlock `json:"blocks"`
}

// SlackBlock is the subset of Block Kit blocks the message uses.
type SlackBlock struct {
	Type     string      `json:"type"`
	Text     *SlackText  `json:"text,omitempty"`
	Fields   []SlackText `json:"fields,omitempty"`
	Elements []SlackText `json:"elements,omitempty"`
}

// SlackText is a Block Kit text object.
type SlackText struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

// SlackMessage renders a: a header with the title, a section with the
// message and the severity, account, region and check, the resource or key,
// the remediation, and a context line with the alert id.
//
// Every string that is not sagekey's own literal goes through slackEscape:
// Slack parses <...> in text as mentions and links (<!channel>,
// <https://x|click>), so a tag value or resource name could otherwise ping
// a channel or disguise a link.
func SlackMessage(a Alert) SlackPayload {
	title := a.Title
	if title == "" {
		title = string(a.Kind)
	}
	sev := strings.ToUpper(a.Severity.String())
	fields := []SlackText{
		mrkdwnField("Severity", sev),
		mrkdwnField("Kind", string(a.Kind)),
		mrkdwnField("Account", a.Account),
		mrkdwnField("Region", a.Region),
	}
	if a.CheckID != "" {
		fields = append(fields, mrkdwnField("Check", a.CheckID))
	}
	if r := a.Resource; r != nil {
		fields = append(fields, mrkdwnField("Resource", r.Kind+" "+r.Name+"\n"+r.ARN))
	}
	if k := a.Key; k != nil {
		fields = append(fields, mrkdwnField("Key", k.ARN+"\n"+k.State))
	}
	section := SlackBlock{Type: "section", Fields: fields}
	if a.Message != "" {
		section.Text = &SlackText{Type: "mrkdwn", Text: slackEscape(a.Message, slackTextMax)}
	}
	blocks := []SlackBlock{
		{Type: "header", Text: &SlackText{Type: "plain_text", Text: slackEscape(title, slackHeaderMax)}},
		section,
	}
	if k := a.Key; k != nil && k.BlastRadius.Count > 0 {
		blocks = append(blocks, SlackBlock{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: blastText(k.BlastRadius)}})
	}
	if a.Remediation != "" {
		blocks = append(blocks, SlackBlock{Type: "section", Text: &SlackText{Type: "mrkdwn",
			Text: "*Remediation*\n" + slackEscape(a.Remediation, slackTextMax-len("*Remediation*\n"))}})
	}
	ctxLine := fmt.Sprintf("sagekey alert %s · %s", slackEscape(a.ID, 100), a.Time.UTC().Format(time.RFC3339))
	for _, l := range a.Links {
		if u, err := url.Parse(l.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			// Inside <url|title> the characters |, < and > end the link, so
			// the url is sent escaped and the title escaped and without |.
			ctxLine += fmt.Sprintf(" · <%s|%s>", slackEscape(l.URL, 500),
				slackEscape(strings.ReplaceAll(l.Title, "|", "/"), 100))
		}
	}
	blocks = append(blocks, SlackBlock{Type: "context", Elements: []SlackText{{Type: "mrkdwn", Text: ctxLine}}})
	return SlackPayload{
		Text:   slackEscape(fmt.Sprintf("[%s] %s", sev, title), slackTextMax),
		Blocks: blocks,
	}
}

func mrkdwnField(label, value string) SlackText {
	prefix := "*" + label + "*\n"
	return SlackText{Type: "mrkdwn", Text: prefix + slackEscape(value, slackFieldMax-len(prefix))}
}

func blastText(b BlastRadius) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Blast radius:* %d resource(s)", b.Count)
	for i, r := range b.Resources {
		if i == slackBlastShown {
			break
		}
		sb.WriteString("\n• " + slackEscape(r.Kind+" "+r.Name, 300))
	}
	if more := b.Count - min(len(b.Resources), slackBlastShown); more > 0 {
		fmt.Fprintf(&sb, "\n…and %d more", more)
	}
	return sb.String()
}

// slackEscape replaces &, < and > with the entities Slack documents and
// keeps the result within max characters, cutting only between whole
// characters or entities and marking the cut with an ellipsis.
func slackEscape(s string, max int) string {
	var sb strings.Builder
	n := 0
	runes := []rune(strings.ToValidUTF8(s, "\uFFFD"))
	for i, r := range runes {
		var piece string
		switch r {
		case '&':
			piece = "&amp;"
		case '<':
			piece = "&lt;"
		case '>':
			piece = "&gt;"
		default:
			piece = string(r)
		}
		w := len([]rune(piece))
		// Reserve one character for the ellipsis unless this is the end.
		if n+w > max || (n+w == max && i < len(runes)-1) {
			sb.WriteString("…")
			return sb.String()
		}
		sb.WriteString(piece)
		n += w
	}
	return sb.String()
}
