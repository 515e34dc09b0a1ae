package remediate

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// shellPreamble holds the helpers every script uses. confirm reads the
// answer from stdin, so a script run without a terminal (or with stdin
// from /dev/null) skips every destructive command instead of running it.
const shellPreamble = `set -euo pipefail

# confirm asks before a destructive or deliberate command; only "yes" runs it.
confirm() {
  local answer
  printf '\n%s\nType yes to continue: ' "$1" >&2
  read -r answer || return 1
  [[ "$answer" == yes ]]
}

# require stops the run before anything changes when a variable is unset.
require() {
  if [[ -z "${!1:-}" ]]; then
    printf 'sagekey plan: %s is not set: %s\n' "$1" "$2" >&2
    exit 1
  fi
}

# done_by_hand waits for a person to run the commands printed above it.
done_by_hand() {
  confirm "$1" || { echo "stopping: run the commands shown above first, then run this item again" >&2; exit 1; }
}

SAGEKEY_WORKDIR="${SAGEKEY_WORKDIR:-$(mktemp -d -t sagekey-remediation.XXXXXX)}"
echo "sagekey plan: working files in $SAGEKEY_WORKDIR" >&2
`

var varRef = regexp.MustCompile(`\$\{?([A-Z][A-Z0-9_]*)`)

// WriteShell writes one bash script: variables first, one function per
// item, and a dispatcher that runs every item (or those named as
// arguments) in its own working directory after checking the variables
// they need. Comments carry AWS-derived text with line breaks removed, so
// a hostile name cannot escape a comment.
func WriteShell(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	pf := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	pf("#!/usr/bin/env bash\n# sagekey remediation plan (%s). Review it before running.\n", Schema)
	pf("# Usage: bash plan.sh [ITEM...]   (no arguments: every item, in order)\n")
	pf("# Destructive steps ask for \"yes\" on stdin; any other answer skips them.\n")
	pf("%s\n", shellPreamble)
	known := map[string]bool{}
	for _, v := range p.Variables {
		known[v.Name] = true
		pf("# %s\n", comment(v.Description))
		if v.Value != "" {
			pf("if [[ -z \"${%s:-}\" ]]; then %s=%s; fi\n", v.Name, v.Name, q(v.Value))
		}
		pf("export %s=\"${%s:-}\"\n", v.Name, v.Name)
	}
	pf("\n# var_help says what a variable is for, when it is missing.\nvar_help() {\n  case \"$1\" in\n")
	for _, v := range p.Variables {
		pf("    %s) echo %s ;;\n", v.Name, q(v.Description))
	}
	pf("  esac\n}\n")
	for _, u := range p.VerifyFirst {
		r := u.Finding.Resource
		pf("# Verify first (no fix proposed): %s\n", comment(u.Finding.CheckID+" on "+r.ARN+": "+u.Reason))
	}
	for _, it := range p.Items {
		writeShellItem(pf, it)
	}
	pf("\n# item_vars lists the variables an item's commands read.\nitem_vars() {\n  case \"$1\" in\n")
	for _, it := range p.Items {
		pf("    %d) echo '%s' ;;\n", it.Number, strings.Join(itemVars(it, known), " "))
	}
	pf("  esac\n}\n\n")
	pf("all_items=(")
	for i, it := range p.Items {
		if i > 0 {
			pf(" ")
		}
		pf("%d", it.Number)
	}
	pf(`)
selected=("$@")
if [[ ${#selected[@]} -eq 0 ]]; then selected=("${all_items[@]}"); fi
for n in "${selected[@]}"; do
  declare -F "item_$n" >/dev/null || { echo "sagekey plan: no item $n" >&2; exit 2; }
  for v in $(item_vars "$n"); do
    require "$v" "$(var_help "$v")"
  done
done
for n in "${selected[@]}"; do
  mkdir -p "$SAGEKEY_WORKDIR/item-$n"
  (
    cd "$SAGEKEY_WORKDIR/item-$n"
    "item_$n"
  )
done
echo "sagekey plan: done" >&2
`)
	return bw.Flush()
}

func writeShellItem(pf func(string, ...any), it Item) {
	f, r := it.Finding, it.Finding.Resource
	pf("\n# === Item %d: %s on %s %s (priority %s) ===\n", it.Number, comment(f.CheckID), comment(r.Kind),
		comment(r.Name), it.Priority)
	pf("# Resource: %s\n# Finding: %s\n", comment(r.ARN), comment(f.Message))
	if c := it.CreatedBy; c != nil {
		pf("# %s\n", comment(c.Ask()))
	}
	pf("# Strategy: %s: %s\n", comment(it.Strategy), comment(it.Summary))
	for _, s := range it.Preconditions {
		pf("# Precondition: %s\n", comment(s))
	}
	for _, s := range it.Warnings {
		pf("# Warning: %s\n", comment(s))
	}
	for _, line := range strings.Split(strings.TrimSuffix(it.PolicyDiff, "\n"), "\n") {
		if it.PolicyDiff != "" {
			pf("#   %s\n", comment(line))
		}
	}
	// ":" keeps the body valid when a step has only comments (a manual
	// step): bash refuses an empty function body.
	pf("item_%d() {\n:\n", it.Number)
	for i, s := range it.Steps {
		pf("# Step %d: %s\n# Why: %s\n", i+1, comment(s.Title), comment(s.Why))
		for _, c := range s.Commands {
			writeShellCommand(pf, c)
		}
	}
	pf("}\n")
}

func writeShellCommand(pf func(string, ...any), c Command) {
	switch {
	case c.Lang != LangShell:
		pf("# (a boto3 equivalent of this step is in the markdown and json plans)\n")
	case c.Manual:
		pf("# Run by hand:\n")
		for _, line := range strings.Split(c.Text, "\n") {
			pf("#   %s\n", comment(line))
		}
		if c.Prompt != "" {
			pf("done_by_hand %s\n", q(c.Prompt))
		}
	case c.Confirm:
		// Command text stays at column 0: it may hold here-documents,
		// whose terminators must start their line.
		pf("if confirm %s; then\n%s\nelse\n  echo \"skipped: \"%s >&2\nfi\n", q(c.Prompt), c.Text, q(c.Prompt))
	default:
		pf("%s\n", c.Text)
	}
}

// itemVars are the plan variables an item's commands reference.
func itemVars(it Item, known map[string]bool) []string {
	var out []string
	for _, s := range it.Steps {
		for _, c := range s.Commands {
			if c.Lang != LangShell {
				continue
			}
			for _, m := range varRef.FindAllStringSubmatch(c.Text, -1) {
				if known[m[1]] && !slices.Contains(out, m[1]) {
					out = append(out, m[1])
				}
			}
		}
	}
	return out
}

// comment makes text safe inside a "#" comment: no line breaks or other
// control characters that could end the comment.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
