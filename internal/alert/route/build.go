package route

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagekey/sagekey/internal/alert"
)

// Deps is what Build needs from the outside world; tests replace it.
type Deps struct {
	Getenv     func(string) string          // nil = os.Getenv
	ReadFile   func(string) ([]byte, error) // nil = os.ReadFile
	AWS        aws.Config                   // for SNS (endpoint override and credentials come from here)
	HTTPClient *http.Client                 // nil = sinks' default
	// SNS, when set, publishes for every sns sink instead of a client
	// built from AWS (tests, or a client shared with other code).
	SNS alert.SNSAPI
}

// Build validates cfg, reads each sink's URL and secret and builds the
// sinks. Its errors name the sink, the file or the variable, never the
// value read from it.
func Build(cfg Config, deps Deps) (*Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Getenv == nil {
		deps.Getenv = os.Getenv
	}
	if deps.ReadFile == nil {
		deps.ReadFile = os.ReadFile
	}
	r := &Router{sinks: map[string]alert.Sink{}, def: slices.Clone(cfg.Default)}
	var errs []error
	for _, sc := range cfg.Sinks {
		s, err := buildSink(sc, deps)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.sinks[sc.Name] = s
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("alert sinks: %w", err)
	}
	for _, rule := range cfg.Routes {
		r.rules = append(r.rules, compile(rule))
	}
	r.names = slices.Sorted(maps.Keys(r.sinks))
	return r, nil
}

func buildSink(sc SinkConfig, deps Deps) (alert.Sink, error) {
	switch sc.Type {
	case TypeSNS:
		s, err := alert.NewSNS(alert.SNSConfig{Name: sc.Name, TopicARN: sc.TopicARN, AWS: deps.AWS, Client: deps.SNS})
		if err != nil {
			return nil, fmt.Errorf("sink %q: %w", sc.Name, err) // the topic ARN is not secret
		}
		return s, nil
	case TypeSlack:
		url, err := readSecret(sc.Name, "URL", sc.URLFile, sc.URLEnv, deps)
		if err != nil {
			return nil, err
		}
		s, err := alert.NewSlack(alert.SlackConfig{Name: sc.Name, URL: url, Client: deps.HTTPClient})
		if err != nil {
			return nil, safeError(sc.Name, err, url)
		}
		return s, nil
	case TypeWebhook:
		url, err := readSecret(sc.Name, "URL", sc.URLFile, sc.URLEnv, deps)
		if err != nil {
			return nil, err
		}
		secret, err := readSecret(sc.Name, "signing secret", sc.SecretFile, sc.SecretEnv, deps)
		if err != nil {
			return nil, err
		}
		s, err := alert.NewWebhook(alert.WebhookConfig{Name: sc.Name, URL: url, Secret: []byte(secret),
			Client: deps.HTTPClient, AllowHTTP: sc.AllowHTTP})
		if err != nil {
			return nil, safeError(sc.Name, err, url, secret)
		}
		return s, nil
	}
	return nil, fmt.Errorf("sink %q: unknown type %q", sc.Name, sc.Type)
}

// readSecret reads a value from a file or the environment (Validate made
// sure exactly one is set), trimmed of the newline editors and `echo` add.
// An error names where it looked, never what it found.
func readSecret(sink, what, file, env string, deps Deps) (string, error) {
	var v string
	if file != "" {
		b, err := deps.ReadFile(file)
		if err != nil {
			// The *PathError names the file, not its contents.
			return "", fmt.Errorf("sink %q: read the %s: %w", sink, what, err)
		}
		v = strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("sink %q: the %s file %s is empty", sink, what, file)
		}
		return v, nil
	}
	v = strings.TrimSpace(deps.Getenv(env))
	if v == "" {
		return "", fmt.Errorf("sink %q: the %s variable %s is unset or empty", sink, what, env)
	}
	return v, nil
}

// safeError rewords a sink constructor's error with every secret removed.
// The alert package already keeps URLs out of its errors; this is the
// second lock, since a leak here would land in a start-up log. The cause
// is not wrapped, so no caller can print it by unwrapping.
func safeError(sink string, err error, secrets ...string) error {
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	msg = strings.TrimPrefix(msg, sink+": ")
	return fmt.Errorf("sink %q: %s", sink, msg)
}
