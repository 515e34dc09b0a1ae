package remediate

import (
	"bufio"
	"fmt"
	"io"
)

// WriteMarkdown writes the plan for people: variables, a summary table,
// the findings to verify first, then one section per item. AWS-derived
// text is escaped outside code blocks, and code fences are longer than any
// backtick run inside them.
func WriteMarkdown(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	pf := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	pf("# sagekey remediation plan\n\n")
	pf("%d fix(es), %d finding(s) to verify first. Nothing in this plan has been applied: review it, then run the "+
		"commands (or `sagekey remediate --format shell`). Destructive steps ask for an explicit yes.\n\n",
		len(p.Items), len(p.VerifyFirst))
	if len(p.Variables) > 0 {
		pf("## Variables\n\n| Variable | Value | Meaning |\n|---|---|---|\n")
		for _, v := range p.Variables {
			val := "**not set**: export it before running"
			if v.Value != "" {
				val = md(v.Value)
			}
			pf("| %s | %s | %s |\n", md(v.Name), val, md(v.Description))
		}
		pf("\n")
	}
	if len(p.Items) > 0 {
		pf("## Summary\n\n| # | Priority | Check | Resource | Region | Strategy | Automatable |\n|---|---|---|---|---|---|---|\n")
		for _, it := range p.Items {
			r := it.Finding.Resource
			pf("| %d | %s | %s | %s | %s | %s | %s |\n", it.Number, it.Priority, md(it.Finding.CheckID),
				md(r.Kind+" "+r.Name), md(r.Region), md(it.Strategy), yesNo(it.Automatable))
		}
		pf("\n")
	}
	if len(p.VerifyFirst) > 0 {
		pf("## Verify first\n\nsagekey could not verify these, so no fix is proposed until someone looks:\n\n")
		for _, u := range p.VerifyFirst {
			r := u.Finding.Resource
			pf("- %s on %s %s (%s): verify first: %s\n", md(u.Finding.CheckID), md(r.Kind), md(r.Name), md(r.ARN), md(u.Reason))
		}
		pf("\n")
	}
	for _, it := range p.Items {
		writeMarkdownItem(pf, it)
	}
	return bw.Flush()
}

func writeMarkdownItem(pf func(string, ...any), it Item) {
	f, r := it.Finding, it.Finding.Resource
	pf("## %d. %s: %s %s\n\n", it.Number, md(f.CheckID), md(r.Kind), md(r.Name))
	pf("- **Resource:** %s (account %s, region %s)\n", md(r.ARN), md(r.Account), md(r.Region))
	pf("- **Severity:** %s, **priority:** %s\n", f.Severity, it.Priority)
	pf("- **Finding:** %s\n", md(f.Message))
	if c := it.CreatedBy; c != nil {
		pf("- %s\n", md(c.Ask()))
	}
	for _, s := range f.Failing {
		pf("- **Failing slot** %s: %s\n", md(s.Name), md(s.Reason))
	}
	pf("- **Strategy:** %s: %s\n", md(it.Strategy), md(it.Summary))
	if it.Automatable {
		pf("- **Automatable:** yes, `sagekey remediate --apply` performs it\n")
	} else {
		pf("- **Automatable:** no, review and run the steps\n")
	}
	pf("\n")
	writeList(pf, "Preconditions", it.Preconditions)
	writeList(pf, "Warnings", it.Warnings)
	for i, s := range it.Steps {
		pf("### Step %d: %s\n\n%s\n\n", i+1, md(s.Title), md(s.Why))
		for _, c := range s.Commands {
			lang := "sh"
			switch {
			case c.Lang == LangPython:
				lang = "python"
				pf("boto3 equivalent:\n\n")
			case c.Confirm:
				pf("Destructive or deliberate; the script asks first (%s):\n\n", md(c.Prompt))
			case c.Manual:
				pf("Run by hand (or adapt first):\n\n")
			}
			fc := fence(c.Text)
			pf("%s%s\n%s\n%s\n\n", fc, lang, c.Text, fc)
		}
	}
	if it.PolicyDiff != "" {
		fc := fence(it.PolicyDiff)
		title := "Proposed key policy (diff against the current one)"
		if it.Strategy == "key-access-grant" {
			title = "Proposed policy changes (diff against the policies the scan read)"
		}
		pf("### %s\n\n%sdiff\n%s%s\n\n", title, fc, it.PolicyDiff, fc)
	}
}

func writeList(pf func(string, ...any), title string, items []string) {
	if len(items) == 0 {
		return
	}
	pf("### %s\n\n", title)
	for _, s := range items {
		pf("- %s\n", md(s))
	}
	pf("\n")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
