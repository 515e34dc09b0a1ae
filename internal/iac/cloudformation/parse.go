package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// doc is one parsed file. root is nil when it could not be read (a Gap
// says why).
type doc struct {
	path     string // as given or joined from a parent's, for ranges
	abs      string
	root     *yaml.Node // the top-level mapping
	template bool
}

// load parses a file once per Read.
func (r *reader) load(path string) *doc {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if d, ok := r.docs[abs]; ok {
		return d
	}
	d := &doc{path: path, abs: abs}
	r.docs[abs] = d
	root, reason, line := r.parse(path)
	if reason != "" {
		var rng *model.Range
		if line > 0 {
			rng = at(path, line, 1)
		}
		r.gap(path, rng, reason)
		return d
	}
	d.root = root
	d.template = isTemplate(root)
	if d.template {
		r.cfg.Files++
	}
	return d
}

var lineRe = regexp.MustCompile(`^line (\d+): `)

// syntaxError words a parse failure and finds its line. JSON's own
// parser gives the exact offset. The YAML parser's message carries a line
// that is 1-based for scanner errors but 0-based for parser errors ("did
// not find expected ..."), where it is the line the enclosing collection
// starts on.
func syntaxError(data []byte, err error) (string, int) {
	if looksJSON(data) && !json.Valid(data) {
		var v any
		var se *json.SyntaxError
		if jerr := json.Unmarshal(data, &v); errors.As(jerr, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte{'\n'})
			return "syntax error: " + se.Error(), line
		}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	for _, p := range []string{"did not find expected", "found duplicate", "found incompatible", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			line++
			break
		}
	}
	return "syntax error: " + msg, max(line, 1)
}

// looksJSON: the first thing in the file opens a JSON object.
func looksJSON(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// parse reads and parses a file; on failure it returns why and the line
// when the parser gave one.
func (r *reader) parse(path string) (*yaml.Node, string, int) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "not read: " + err.Error(), 0
	}
	defer f.Close()
	// Read one byte past the limit rather than trusting Stat, which a
	// FIFO or a growing file would defeat.
	data, err := io.ReadAll(io.LimitReader(f, r.opts.MaxFileSize+1))
	if err != nil {
		return nil, "not read: " + err.Error(), 0
	}
	if int64(len(data)) > r.opts.MaxFileSize {
		return nil, fmt.Sprintf("larger than %d bytes; not read", r.opts.MaxFileSize), 1
	}
	if isBinary(data) {
		return nil, "binary content, not YAML or JSON; not read", 1
	}
	data = jsonTabs(data)
	var top yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		reason, line := syntaxError(data, err)
		return nil, reason, line
	}
	if top.Kind != yaml.DocumentNode || len(top.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode}, "", 0
	}
	return top.Content[0], "", 0
}

// isBinary spots files that are not text: a NUL byte early on, or bytes
// that are not UTF-8 (the YAML parser would report them as a confusing
// syntax error, or worse, accept them).
func isBinary(data []byte) bool {
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	return bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(data)
}

// jsonTabs turns tabs into spaces in a valid JSON document. YAML rejects
// tab indentation, but in valid JSON a tab byte can only be whitespace
// (inside strings it must be escaped), so the swap changes no value and
// keeps every line and column.
func jsonTabs(data []byte) []byte {
	if !looksJSON(data) || bytes.IndexByte(data, '\t') < 0 || !json.Valid(data) {
		return data
	}
	return bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
}

// isTemplate: a mapping with AWSTemplateFormatVersion or a Resources map.
func isTemplate(root *yaml.Node) bool {
	if root.Kind != yaml.MappingNode {
		return false
	}
	if key(root, "AWSTemplateFormatVersion") != nil {
		return true
	}
	res := key(root, "Resources")
	return res != nil && res.Kind == yaml.MappingNode
}

// key returns the value of a mapping key, or nil.
func key(m *yaml.Node, name string) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	// The last of duplicate keys wins, as it does for properties (pairs).
	for i := len(m.Content) - 2; i >= 0; i -= 2 {
		if m.Content[i].Value == name {
			return deref(m.Content[i+1])
		}
	}
	return nil
}

// deref follows an alias to its anchored node. The parser resolves each
// alias to a node that is not itself an alias, so one step suffices.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

// str is a plain scalar's text: "" for anything else, including a
// short-form intrinsic, which is not a literal.
func str(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || isShortForm(n) {
		return ""
	}
	return n.Value
}
