// Package config loads and validates sagekey.yaml: required tags, the
// approved-key allow-list, severity overrides and suppressions. Command-line
// flags take precedence over the file; the file over built-in defaults.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/engine"
	"github.com/sagekey/sagekey/internal/finding"
)

// DefaultFile is read from the working directory when --config is not given.
const DefaultFile = "sagekey.yaml"

// File is the YAML document.
type File struct {
	// RequiredTags must be present on every resource and key (default owner, cost-center).
	RequiredTags []string `yaml:"required_tags"`
	// OwnerTag says which tag names the owning team (default owner).
	OwnerTag string `yaml:"owner_tag"`
	// ApprovedKeys is an optional allow-list of key ARNs.
	ApprovedKeys      []string          `yaml:"approved_keys"`
	SeverityOverrides map[string]string `yaml:"severity_overrides"`
	Suppressions      []Suppression     `yaml:"suppressions"`
	// Serve configures sagekey serve; other commands ignore it.
	Serve *Serve `yaml:"serve"`
}

// Suppression is one accepted exception.
type Suppression struct {
	Check    string            `yaml:"check"`
	Resource string            `yaml:"resource"`
	Tags     map[string]string `yaml:"tags"`
	Reason   string            `yaml:"reason"`
	Expires  string            `yaml:"expires"` // YYYY-MM-DD or RFC 3339
}

// Default returns the built-in settings.
func Default() File {
	return File{RequiredTags: []string{"owner", "cost-center"}, OwnerTag: "owner"}
}

// Load reads path. A missing file is an error only when required is true
// (the user named it); the default file may be absent.
func Load(path string, required bool) (File, error) {
	f := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !required {
			return f, nil
		}
		return f, fmt.Errorf("config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)                                             // a misspelt key must not silently disable a control
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // empty file: defaults
		return f, fmt.Errorf("config %s: %w", path, err)
	}
	_, err = f.Settings()
	if err != nil {
		return f, fmt.Errorf("config %s: %w", path, err)
	}
	return f, nil
}

// Settings validates the file and converts it to evaluation settings.
func (f File) Settings() (engine.Settings, error) {
	s := engine.Settings{RequiredTags: f.RequiredTags, OwnerTag: f.OwnerTag, ApprovedKeys: f.ApprovedKeys,
		SeverityOverrides: map[string]finding.Severity{}}
	if s.OwnerTag == "" {
		s.OwnerTag = "owner"
	}
	for _, k := range f.ApprovedKeys {
		if !strings.HasPrefix(k, "arn:") || !strings.Contains(k, ":key/") {
			return s, fmt.Errorf("approved_keys: %q is not a key ARN", k)
		}
	}
	for check, name := range f.SeverityOverrides {
		sev, err := finding.ParseSeverity(name)
		if err != nil {
			return s, fmt.Errorf("severity_overrides[%s]: %w", check, err)
		}
		s.SeverityOverrides[check] = sev
	}
	for i, sup := range f.Suppressions {
		if sup.Check == "" || strings.TrimSpace(sup.Reason) == "" {
			return s, fmt.Errorf("suppressions[%d]: check and reason are required", i)
		}
		if sup.Resource == "" && len(sup.Tags) == 0 {
			return s, fmt.Errorf("suppressions[%d]: give a resource ARN glob or tags, so a suppression never mutes a whole check by accident", i)
		}
		es := engine.Suppression{Check: sup.Check, Resource: sup.Resource, Tags: sup.Tags, Reason: sup.Reason}
		if sup.Expires != "" {
			t, err := parseDate(sup.Expires)
			if err != nil {
				return s, fmt.Errorf("suppressions[%d].expires: %w", i, err)
			}
			es.Expires = t
		}
		s.Suppressions = append(s.Suppressions, es)
	}
	return s, nil
}

func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}
