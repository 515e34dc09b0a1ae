package route

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/alert"
	"github.com/sagekey/sagekey/internal/finding"
)

// Sink types.
const (
	TypeWebhook = "webhook"
	TypeSlack   = "slack"
	TypeSNS     = "sns"
)

// SinkConfig is one configured sink. The URL and secret are read from a
// file or an environment variable, never written in the configuration.
type SinkConfig struct {
	Name       string `yaml:"name"`
	Type       string `yaml:"type"`        // webhook | slack | sns
	URLFile    string `yaml:"url_file"`    // webhook/slack URL from a file (trimmed) ...
	URLEnv     string `yaml:"url_env"`     // ... or from an environment variable; exactly one for webhook/slack
	SecretFile string `yaml:"secret_file"` // webhook HMAC secret from a file or env; exactly one, required for webhook
	SecretEnv  string `yaml:"secret_env"`
	TopicARN   string `yaml:"topic_arn"`  // sns (not secret)
	AllowHTTP  bool   `yaml:"allow_http"` // webhook to a non-loopback http URL
}

// Rule sends the alerts it matches to Sinks. A criterion left empty
// matches every alert; an alert must meet all the criteria given.
type Rule struct {
	Sinks       []string `yaml:"sinks"`        // required, must name configured sinks
	Owners      []string `yaml:"owners"`       // match Details[owner]; path.Match globs allowed
	Accounts    []string `yaml:"accounts"`     // match the alert's account; globs allowed
	MinSeverity string   `yaml:"min_severity"` // finding.ParseSeverity
	Kinds       []string `yaml:"kinds"`        // alert kinds (violation_opened, ...)
}

// Config is the alerting section of the serve configuration.
type Config struct {
	Sinks   []SinkConfig `yaml:"sinks"`
	Routes  []Rule       `yaml:"routes"`
	Default []string     `yaml:"default"` // sinks for an alert no rule matches; empty = every sink
}

// Parse reads a Config from YAML, refusing unknown fields so a misspelt
// key (say "url_flie") fails at start-up rather than leaving a sink without
// its URL.
func Parse(b []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	// An empty document is an empty configuration: no alerting.
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("alert configuration: %w", err)
	}
	return c, c.Validate()
}

// sinkName keeps names fit for metric labels, log fields and the outbox
// (which refuses anything that looks like a URL).
var sinkName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate reports every problem at once: unique, well-formed names, known
// types, exactly one source for each URL and secret, and rules and the
// default that name configured sinks with severities and kinds that parse.
func (c Config) Validate() error {
	var errs []error
	names := map[string]bool{}
	for i, s := range c.Sinks {
		if !sinkName.MatchString(s.Name) {
			errs = append(errs, fmt.Errorf("sink %d: name %q must be 1-64 letters, digits, '.', '_' or '-'", i+1, s.Name))
		} else if names[s.Name] {
			errs = append(errs, fmt.Errorf("sink %q: name used twice", s.Name))
		}
		names[s.Name] = true
		if err := s.validate(); err != nil {
			errs = append(errs, fmt.Errorf("sink %q: %w", s.Name, err))
		}
	}
	for i, r := range c.Routes {
		if err := r.validate(names); err != nil {
			errs = append(errs, fmt.Errorf("route %d: %w", i+1, err))
		}
	}
	for _, n := range c.Default {
		if !names[n] {
			errs = append(errs, fmt.Errorf("default: no sink is named %q", n))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("alert configuration: %w", err)
	}
	return nil
}

func (s SinkConfig) validate() error {
	var errs []error
	switch s.Type {
	case TypeWebhook, TypeSlack:
		if (s.URLFile == "") == (s.URLEnv == "") {
			errs = append(errs, errors.New("set exactly one of url_file and url_env"))
		}
		if s.TopicARN != "" {
			errs = append(errs, fmt.Errorf("topic_arn is for sns sinks, not %s", s.Type))
		}
	case TypeSNS:
		if s.URLFile != "" || s.URLEnv != "" {
			errs = append(errs, errors.New("url_file and url_env are not for sns sinks"))
		}
		if a, err := arn.Parse(s.TopicARN); err != nil || a.Service != "sns" || a.Region == "" {
			errs = append(errs, fmt.Errorf("topic_arn %q is not an SNS topic ARN", s.TopicARN))
		}
	default:
		return fmt.Errorf("type %q is not one of %s, %s, %s", s.Type, TypeWebhook, TypeSlack, TypeSNS)
	}
	if s.Type == TypeWebhook {
		// An unsigned webhook is refused: receivers could not tell
		// sagekey's alerts from anyone's POSTs.
		if (s.SecretFile == "") == (s.SecretEnv == "") {
			errs = append(errs, errors.New("set exactly one of secret_file and secret_env (the signing secret is required)"))
		}
	} else {
		if s.SecretFile != "" || s.SecretEnv != "" {
			errs = append(errs, fmt.Errorf("secret_file and secret_env are for webhook sinks, not %s", s.Type))
		}
		if s.AllowHTTP {
			errs = append(errs, fmt.Errorf("allow_http is for webhook sinks, not %s", s.Type))
		}
	}
	return errors.Join(errs...)
}

func (r Rule) validate(names map[string]bool) error {
	var errs []error
	if len(r.Sinks) == 0 {
		errs = append(errs, errors.New("sinks is required"))
	}
	for _, n := range r.Sinks {
		if !names[n] {
			errs = append(errs, fmt.Errorf("no sink is named %q", n))
		}
	}
	for _, list := range [][]string{r.Owners, r.Accounts} {
		for _, p := range list {
			if _, err := path.Match(p, ""); err != nil {
				errs = append(errs, fmt.Errorf("pattern %q: %w", p, err))
			}
		}
	}
	if r.MinSeverity != "" {
		if _, err := finding.ParseSeverity(r.MinSeverity); err != nil {
			errs = append(errs, fmt.Errorf("min_severity: %w", err))
		}
	}
	for _, k := range r.Kinds {
		if !alert.Kind(k).Valid() {
			errs = append(errs, fmt.Errorf("unknown alert kind %q", k))
		}
	}
	return errors.Join(errs...)
}
