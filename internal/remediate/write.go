package remediate

import (
	"encoding/json"
	"fmt"
	"io"
)

// Schema is the version of the JSON plan contract.
const Schema = "sagekey.remediation/v1"

// Writer writes a plan in one format.
type Writer func(w io.Writer, p *Plan) error

var formats = map[string]Writer{
	"markdown": WriteMarkdown,
	"json":     WriteJSON,
	"shell":    WriteShell,
}

// Lookup returns the writer of a format.
func Lookup(format string) (Writer, error) {
	if w, ok := formats[format]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("unknown format %q (want markdown, json or shell)", format)
}

// WriteJSON writes the sagekey.remediation/v1 document: the plan with a
// schema field, indented, HTML characters unescaped (they occur in
// commands).
func WriteJSON(w io.Writer, p *Plan) error {
	doc := struct {
		Schema string `json:"schema"`
		*Plan
	}{Schema, p}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
