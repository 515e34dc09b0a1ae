package terraform

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/iac/model"
)

const ignoreDirective = "sagekey:ignore"

// ignoresAbove reads the comment lines directly above a block (no blank
// line between) and returns the sagekey:ignore directives among them. The
// lines are read from the file bytes because HCL's AST drops comments.
func (f *file) ignoresAbove(line int) []model.Ignore {
	var out []model.Ignore
	for n := line - 1; n >= 1; n-- {
		raw := f.line(n)
		text := strings.TrimSpace(raw)
		var body string
		switch {
		case strings.HasPrefix(text, "#"):
			body = strings.TrimSpace(text[1:])
		case strings.HasPrefix(text, "//"):
			body = strings.TrimSpace(text[2:])
		default:
			return out // the comment run ends at the first other line
		}
		if !strings.HasPrefix(body, ignoreDirective) {
			continue
		}
		ig := parseIgnore(strings.TrimPrefix(body, ignoreDirective))
		ig.Range = model.Range{File: f.path, Start: model.Pos{Line: n, Column: 1}, End: model.Pos{Line: n, Column: len(raw) + 1}}
		out = append([]model.Ignore{ig}, out...)
	}
	return out
}

// line returns line n (1-based) of the file without its line ending.
// Line starts are indexed once per file, so reading the comments above
// every block of a long file stays linear.
func (f *file) line(n int) string {
	if f.lineStarts == nil {
		f.lineStarts = []int{0}
		for i, c := range f.src {
			if c == '\n' {
				f.lineStarts = append(f.lineStarts, i+1)
			}
		}
	}
	if n < 1 || n > len(f.lineStarts) {
		return ""
	}
	end := len(f.src)
	if n < len(f.lineStarts) {
		end = f.lineStarts[n]
	}
	return strings.TrimRight(string(f.src[f.lineStarts[n-1]:end]), "\r\n")
}

// parseIgnore parses `<check> reason="..." expires=YYYY-MM-DD`. It records
// what is written even when it is malformed, with Problem saying why, so
// the judge can report a suppression that does not count.
func parseIgnore(s string) model.Ignore {
	var ig model.Ignore
	var problems []string
	rest := strings.TrimSpace(s)
	if s != "" && s[0] != ' ' && s[0] != '\t' {
		problems = append(problems, "no space after "+ignoreDirective)
	}
	for rest != "" {
		var tok string
		tok, rest = nextToken(rest)
		key, val, isKV := strings.Cut(tok, "=")
		switch {
		case !isKV && ig.Check == "" && !strings.Contains(tok, `"`):
			ig.Check = tok
		case isKV && key == "reason":
			v, err := unquote(val)
			if err != nil {
				problems = append(problems, "reason: "+err.Error())
			}
			ig.Reason = v
		case isKV && key == "expires":
			v, _ := unquote(val)
			ig.Expires = v
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				problems = append(problems, fmt.Sprintf("expires %q is not a YYYY-MM-DD date", v))
			}
		default:
			problems = append(problems, fmt.Sprintf("unexpected %q", tok))
		}
	}
	if ig.Check == "" {
		problems = append(problems, "missing check id")
	}
	if strings.TrimSpace(ig.Reason) == "" {
		problems = append(problems, `missing reason="..."`)
	}
	if ig.Expires == "" {
		problems = append(problems, "missing expires=YYYY-MM-DD")
	}
	ig.Problem = strings.Join(problems, "; ")
	return ig
}

// nextToken splits off one space-separated token; a double-quoted part
// may contain spaces and \" escapes.
func nextToken(s string) (tok, rest string) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case (c == ' ' || c == '\t') && !inQuote:
			return s[:i], strings.TrimSpace(s[i:])
		}
	}
	return s, ""
}

func unquote(v string) (string, error) {
	if !strings.HasPrefix(v, `"`) {
		return v, nil
	}
	if len(v) < 2 || !strings.HasSuffix(v, `"`) || strings.HasSuffix(v, `\"`) && !strings.HasSuffix(v, `\\"`) {
		return strings.Trim(v, `"`), fmt.Errorf("unterminated quote")
	}
	return strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`), nil
}
