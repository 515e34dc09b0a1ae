package route

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/finding"
)

const (
	secretURL  = "https://hooks.example.com/services/T000/B000/XXXXSECRETXXXX"
	hmacSecret = "hmac-s3cr3t-value"
	topic      = "arn:aws:sns:eu-west-1:111122223333:sagekey-alerts"
)

func webhook(name string) SinkConfig {
	return SinkConfig{Name: name, Type: TypeWebhook, URLEnv: "HOOK_URL", SecretEnv: "HOOK_SECRET"}
}

func TestValidate(t *testing.T) {
	slack := SinkConfig{Name: "slack", Type: TypeSlack, URLFile: "/run/secrets/slack"}
	snsSink := SinkConfig{Name: "sns", Type: TypeSNS, TopicARN: topic}
	cases := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none means valid
	}{
		{name: "empty is valid (no alerting)", cfg: Config{}},
		{name: "one of each", cfg: Config{Sinks: []SinkConfig{webhook("hook"), slack, snsSink},
			Routes:  []Rule{{Sinks: []string{"slack"}, Owners: []string{"ml-*"}, MinSeverity: "HIGH", Kinds: []string{"violation_opened"}}},
			Default: []string{"sns"}}},
		{name: "duplicate name", cfg: Config{Sinks: []SinkConfig{webhook("a"), webhook("a")}}, want: []string{`"a": name used twice`}},
		{name: "bad name", cfg: Config{Sinks: []SinkConfig{webhook("https://x")}}, want: []string{"must be 1-64"}},
		{name: "unknown type", cfg: Config{Sinks: []SinkConfig{{Name: "x", Type: "email"}}}, want: []string{`type "email"`}},
		{name: "two URL sources", cfg: Config{Sinks: []SinkConfig{{Name: "s", Type: TypeSlack, URLFile: "f", URLEnv: "E"}}},
			want: []string{"exactly one of url_file and url_env"}},
		{name: "no URL source", cfg: Config{Sinks: []SinkConfig{{Name: "s", Type: TypeSlack}}},
			want: []string{"exactly one of url_file and url_env"}},
		{name: "webhook without secret", cfg: Config{Sinks: []SinkConfig{{Name: "w", Type: TypeWebhook, URLEnv: "E"}}},
			want: []string{"secret_file and secret_env"}},
		{name: "slack with secret and allow_http", cfg: Config{Sinks: []SinkConfig{{Name: "s", Type: TypeSlack, URLEnv: "E", SecretEnv: "S", AllowHTTP: true}}},
			want: []string{"secret_file and secret_env are for webhook", "allow_http is for webhook"}},
		{name: "sns with URL and bad topic", cfg: Config{Sinks: []SinkConfig{{Name: "n", Type: TypeSNS, URLEnv: "E", TopicARN: "arn:aws:sqs:eu-west-1:1:q"}}},
			want: []string{"not for sns", "not an SNS topic ARN"}},
		{name: "route names unknown sink, bad severity, kind, glob", cfg: Config{Sinks: []SinkConfig{slack},
			Routes: []Rule{{Sinks: []string{"pager"}, MinSeverity: "urgent", Kinds: []string{"violation-opened"}, Owners: []string{"[a"}}}},
			want: []string{`route 1: no sink is named "pager"`, "unknown severity", `unknown alert kind "violation-opened"`, `pattern "[a"`}},
		{name: "route without sinks", cfg: Config{Sinks: []SinkConfig{slack}, Routes: []Rule{{Owners: []string{"x"}}}},
			want: []string{"sinks is required"}},
		{name: "default names unknown sink", cfg: Config{Sinks: []SinkConfig{slack}, Default: []string{"nope"}},
			want: []string{`default: no sink is named "nope"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("valid configuration refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid configuration accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParse(t *testing.T) {
	c, err := Parse([]byte(`
sinks:
  - {name: sec-slack, type: slack, url_env: SLACK_URL}
  - {name: siem, type: sns, topic_arn: "` + topic + `"}
routes:
  - {sinks: [sec-slack], min_severity: high}
default: [siem]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sinks) != 2 || c.Routes[0].MinSeverity != "high" || c.Default[0] != "siem" {
		t.Errorf("parsed %+v", c)
	}
	if _, err := Parse([]byte("sinks:\n  - {name: a, type: slack, url_flie: x}\n")); err == nil || !strings.Contains(err.Error(), "url_flie") {
		t.Errorf("misspelt field: %v", err)
	}
	if c, err := Parse(nil); err != nil || len(c.Sinks) != 0 {
		t.Errorf("empty document: %+v, %v", c, err)
	}
}

// fakeSNS satisfies alert.SNSAPI without AWS.
type fakeSNS struct{}

func (fakeSNS) Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return &sns.PublishOutput{}, nil
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func files(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		v, ok := m[p]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		}
		return []byte(v), nil
	}
}

func routingConfig() Config {
	return Config{
		Sinks: []SinkConfig{
			{Name: "ml-slack", Type: TypeSlack, URLFile: "/s/ml"},
			{Name: "sec-slack", Type: TypeSlack, URLEnv: "SEC_URL"},
			{Name: "siem", Type: TypeSNS, TopicARN: topic},
			{Name: "hook", Type: TypeWebhook, URLFile: "/s/hook", SecretFile: "/s/hook-secret"},
		},
		Routes: []Rule{
			{Sinks: []string{"ml-slack"}, Owners: []string{"ml-*"}},
			{Sinks: []string{"sec-slack", "siem"}, MinSeverity: "high"},
			{Sinks: []string{"siem"}, Accounts: []string{"444455556666"}, Kinds: []string{"scan_failed", "new_gaps"}},
		},
		Default: []string{"hook"},
	}
}

func routingDeps() Deps {
	return Deps{
		Getenv:   env(map[string]string{"SEC_URL": "https://hooks.slack.com/services/SEC\n"}),
		ReadFile: files(map[string]string{"/s/ml": "https://hooks.slack.com/services/ML", "/s/hook": secretURL, "/s/hook-secret": hmacSecret + "\n"}),
		SNS:      fakeSNS{},
	}
}

func TestRoute(t *testing.T) {
	r, err := Build(routingConfig(), routingDeps())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Names(); !slices.Equal(got, []string{"hook", "ml-slack", "sec-slack", "siem"}) {
		t.Errorf("names %v", got)
	}
	mk := func(kind alert.Kind, sev finding.Severity, account, owner string) alert.Alert {
		a := alert.New(kind, "s", "t", time.Unix(1, 0))
		a.Severity, a.Account = sev, account
		a.Details = map[string]string{}
		if owner != "" {
			a.Details[alert.DetailOwner] = owner
		}
		return a
	}
	cases := []struct {
		name string
		a    alert.Alert
		want []string
	}{
		{"owner glob", mk(alert.ViolationOpened, finding.Low, "111122223333", "ml-platform"), []string{"ml-slack"}},
		{"owner and severity: union, deduplicated, sorted", mk(alert.ViolationOpened, finding.Critical, "111122223333", "ml-research"),
			[]string{"ml-slack", "sec-slack", "siem"}},
		{"severity only", mk(alert.KeyStateChanged, finding.High, "111122223333", "finance"), []string{"sec-slack", "siem"}},
		{"account and kind", mk(alert.NewGaps, finding.Medium, "444455556666", ""), []string{"siem"}},
		{"account without the kind: default", mk(alert.ViolationOpened, finding.Medium, "444455556666", ""), []string{"hook"}},
		{"no owner never matches an owner rule", mk(alert.ViolationOpened, finding.Low, "111122223333", ""), []string{"hook"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.Route(c.a); !slices.Equal(got, c.want) {
				t.Errorf("Route = %v, want %v", got, c.want)
			}
		})
	}
	// Without a default, an unmatched alert goes to every sink.
	cfg := routingConfig()
	cfg.Default = nil
	r2, err := Build(cfg, routingDeps())
	if err != nil {
		t.Fatal(err)
	}
	if got := r2.Route(mk(alert.ViolationOpened, finding.Low, "1", "")); !slices.Equal(got, r2.Names()) {
		t.Errorf("unmatched without default: %v", got)
	}
	// The sinks map is the caller's copy.
	m := r.Sinks()
	delete(m, "hook")
	if len(r.Sinks()) != 4 || r.Sinks()["sec-slack"].Name() != "sec-slack" {
		t.Error("Sinks exposes the router's map")
	}
}

func TestBuildReadsSecrets(t *testing.T) {
	cases := []struct {
		name string
		sink SinkConfig
		deps Deps
	}{
		{"webhook from env", webhook("w"), Deps{Getenv: env(map[string]string{"HOOK_URL": " " + secretURL + "\n", "HOOK_SECRET": hmacSecret})}},
		{"webhook from files", SinkConfig{Name: "w", Type: TypeWebhook, URLFile: "/u", SecretFile: "/s"},
			Deps{ReadFile: files(map[string]string{"/u": secretURL + "\n", "/s": hmacSecret})}},
		{"slack from file", SinkConfig{Name: "s", Type: TypeSlack, URLFile: "/u"}, Deps{ReadFile: files(map[string]string{"/u": secretURL})}},
		{"sns", SinkConfig{Name: "n", Type: TypeSNS, TopicARN: topic}, Deps{SNS: fakeSNS{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Build(Config{Sinks: []SinkConfig{c.sink}}, c.deps)
			if err != nil {
				t.Fatal(err)
			}
			if s := r.Sinks()[c.sink.Name]; s == nil || s.Name() != c.sink.Name {
				t.Errorf("sinks %v", r.Sinks())
			}
		})
	}
}

// TestBuildErrorsKeepSecrets: whatever goes wrong, the error names the
// sink and where the value came from, never the value.
func TestBuildErrorsKeepSecrets(t *testing.T) {
	plainHTTP := "http://hooks.example.com/services/T000/XXXXSECRETXXXX"
	garbage := "::not a url XXXXSECRETXXXX"
	cases := []struct {
		name string
		sink SinkConfig
		deps Deps
		want string
	}{
		{"plain http to a remote host", webhook("w"), Deps{Getenv: env(map[string]string{"HOOK_URL": plainHTTP, "HOOK_SECRET": hmacSecret})}, "plain http"},
		{"not a URL", webhook("w"), Deps{Getenv: env(map[string]string{"HOOK_URL": garbage, "HOOK_SECRET": hmacSecret})}, "not a valid http(s) URL"},
		{"slack over http", SinkConfig{Name: "s", Type: TypeSlack, URLEnv: "HOOK_URL"}, Deps{Getenv: env(map[string]string{"HOOK_URL": plainHTTP})}, "plain http"},
		{"secret unset", webhook("w"), Deps{Getenv: env(map[string]string{"HOOK_URL": secretURL})}, "HOOK_SECRET is unset or empty"},
		{"file missing", SinkConfig{Name: "w", Type: TypeWebhook, URLFile: "/u", SecretFile: "/missing"},
			Deps{ReadFile: files(map[string]string{"/u": secretURL})}, "/missing"},
		{"file empty", SinkConfig{Name: "s", Type: TypeSlack, URLFile: "/u"}, Deps{ReadFile: files(map[string]string{"/u": "\n"})}, "/u is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Build(Config{Sinks: []SinkConfig{c.sink}}, c.deps)
			if err == nil {
				t.Fatal("Build succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, `"`+c.sink.Name+`"`) {
				t.Errorf("error %q lacks %q or the sink name", msg, c.want)
			}
			for _, secret := range []string{"XXXXSECRETXXXX", hmacSecret, "/services/T000"} {
				for e := error(err); e != nil; e = errors.Unwrap(e) {
					if strings.Contains(e.Error(), secret) {
						t.Errorf("error reveals %q: %s", secret, e)
					}
				}
			}
		})
	}
}
