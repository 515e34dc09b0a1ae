package remediate

import (
	"encoding/json"
	"strings"

	"github.com/sagekey/sagekey/internal/shellquote"
)

// q quotes s as one bash word. Resource names, tags and ARNs come from AWS
// and may hold anything, so every AWS-derived value passes through here;
// the shared escaper single-quotes anything not plainly harmless. Never put
// its result inside double quotes: splice it between closed ones instead.
func q(s string) string { return shellquote.Quote(s) }

// py is s as a Python string literal. A JSON string is one (Go escapes
// quotes, backslashes and control characters), so AWS-derived values can
// appear in the boto3 snippets without being able to end the literal.
func py(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// mdEscaper escapes text that markdown would otherwise interpret: table
// pipes, code backticks, emphasis, links and HTML.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "|", `\|`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "#", `\#`, "\r", " ", "\n", " ",
)

// md escapes AWS-derived or free text for markdown prose and table cells.
func md(s string) string { return mdEscaper.Replace(s) }

// fence returns a code fence longer than any backtick run in text, so a
// hostile value cannot close the block early.
func fence(text string) string {
	longest, run := 0, 0
	for _, c := range text {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
