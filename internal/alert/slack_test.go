package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/testutil/golden"
)

func TestSlackPostsBlockKit(t *testing.T) {
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		body, _ = io.ReadAll(r.Body)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	s, err := NewSlack(SlackConfig{Name: "slack-sec", URL: srv.URL + secretPath})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), resourceAlert()); err != nil {
		t.Fatal(err)
	}
	var p SlackPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	types := []string{}
	for _, b := range p.Blocks {
		types = append(types, b.Type)
	}
	if got := strings.Join(types, ","); got != "header,section,section,context" {
		t.Errorf("blocks %s", got)
	}
	if p.Blocks[0].Text.Type != "plain_text" {
		t.Errorf("header text type %s", p.Blocks[0].Text.Type)
	}
	labels := []string{}
	for _, f := range p.Blocks[1].Fields {
		labels = append(labels, strings.SplitN(f.Text, "\n", 2)[0])
	}
	if got := strings.Join(labels, ","); got != "*Severity*,*Kind*,*Account*,*Region*,*Check*,*Resource*" {
		t.Errorf("fields %s", got)
	}
	if !strings.Contains(p.Blocks[3].Elements[0].Text, resourceAlert().ID) {
		t.Errorf("context lacks the alert id: %s", p.Blocks[3].Elements[0].Text)
	}
	if !strings.HasPrefix(p.Text, "[HIGH] Notebook instance research-") {
		t.Errorf("fallback text %q", p.Text)
	}
	var pretty bytes.Buffer
	json.Indent(&pretty, body, "", "  ")
	pretty.WriteByte('\n')
	golden.Check(t, "slack_resource.json", pretty.Bytes())
}

// Every text a Slack client parses must carry the hostile value only as
// entities: no <!channel> mention, no <script>, no bare &.
func TestSlackEscapesHostileValues(t *testing.T) {
	for _, a := range []Alert{resourceAlert(), keyAlert()} {
		p := SlackMessage(a)
		texts := []string{p.Text}
		for _, b := range p.Blocks {
			if b.Text != nil {
				texts = append(texts, b.Text.Text)
			}
			for _, f := range append(b.Fields, b.Elements...) {
				texts = append(texts, f.Text)
			}
		}
		found := false
		for _, s := range texts {
			if strings.Contains(s, "&lt;!channel&gt; &amp; &lt;script&gt;") {
				found = true
			}
			// Only links sagekey built may use <...>.
			rest := s
			for {
				i := strings.Index(rest, "<")
				if i < 0 {
					break
				}
				if !strings.HasPrefix(rest[i:], "<https://github.com/sagekey/") {
					t.Errorf("unescaped < in %q", s)
					break
				}
				rest = rest[i+1:]
			}
			for i := strings.Index(s, "&"); i >= 0; i = strings.Index(s, "&") {
				if !strings.HasPrefix(s[i:], "&amp;") && !strings.HasPrefix(s[i:], "&lt;") && !strings.HasPrefix(s[i:], "&gt;") {
					t.Errorf("bare & in %q", s)
					break
				}
				s = s[i+1:]
			}
		}
		if !found {
			t.Errorf("%s: the hostile value does not appear escaped anywhere: %+v", a.Kind, texts)
		}
	}
}

func TestSlackBlastRadiusAndLimits(t *testing.T) {
	a := keyAlert()
	a.Title = strings.Repeat("<", 400)
	a.Message = strings.Repeat("é&", 4000)
	p := SlackMessage(a)
	if n := utf8.RuneCountInString(p.Blocks[0].Text.Text); n > slackHeaderMax {
		t.Errorf("header has %d characters", n)
	}
	if n := utf8.RuneCountInString(p.Blocks[1].Text.Text); n > slackTextMax {
		t.Errorf("section text has %d characters", n)
	}
	// Never cut inside an entity.
	if h := p.Blocks[0].Text.Text; !strings.HasSuffix(h, "&lt;…") {
		t.Errorf("header cut badly: ...%s", h[len(h)-10:])
	}
	blast := p.Blocks[2].Text.Text
	if !strings.Contains(blast, "*Blast radius:* 23 resource(s)") || !strings.Contains(blast, "…and 18 more") ||
		strings.Count(blast, "\n• ") != slackBlastShown {
		t.Errorf("blast radius %q", blast)
	}
}

func TestSlackEscape(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"a<b>&c", 100, "a&lt;b&gt;&amp;c"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"abcd<", 6, "abcd…"},
		{"<<", 8, "&lt;&lt;"},
		{"bad\xffutf8", 100, "bad\uFFFDutf8"},
	} {
		if got := slackEscape(tc.in, tc.max); got != tc.want {
			t.Errorf("slackEscape(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestSlackErrorsCarryCodeNotURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "no_service")
	}))
	defer srv.Close()
	s, _ := NewSlack(SlackConfig{URL: srv.URL + secretPath})
	err := s.Send(context.Background(), resourceAlert())
	if !IsPermanent(err) || !strings.Contains(err.Error(), "no_service") {
		t.Errorf("err = %v, want a permanent error naming no_service", err)
	}
	assertNoSecret(t, err)
	if _, err := NewSlack(SlackConfig{URL: "http://hooks.slack.com" + secretPath}); err == nil {
		t.Error("plain http Slack URL accepted")
	}
}
