package checkdoc

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
)

// controls describes, from the catalog, what `sagekey guardrails` and AWS
// Config can do for a kind's key slots, so each check page says whether the
// finding could have been prevented.
func controls(kindID string) string {
	k, ok := catalog.Lookup(kindID)
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Preventive and detective controls\n\n")
	if len(k.CreateActions) == 0 {
		b.WriteString("No action that creates this kind carries a KMS condition key, so no SCP can require a key; " +
			"`sagekey guardrails` lists its slots as not enforceable preventively.\n")
	} else {
		fmt.Fprintf(&b, "`sagekey guardrails` writes deny statements on %s", code(strings.Join(k.CreateActions, "`, `")))
		if len(k.KeyUpdateActions) > 0 {
			fmt.Fprintf(&b, " (and pins keys on %s)", code(strings.Join(k.KeyUpdateActions, "`, `")))
		}
		b.WriteString(":\n\n")
		for _, s := range k.Slots {
			switch {
			case len(s.ConditionKeys) == 0:
				fmt.Fprintf(&b, "- `%s`: no condition key; detected only after the fact\n", s.ID)
			case s.OptionalAtCreate != "":
				fmt.Fprintf(&b, "- `%s`: optional at creation (%s); pinned to approved keys only\n", s.ID, s.OptionalAtCreate)
			case s.LocalStorage != catalog.TableNone:
				fmt.Fprintf(&b, "- `%s`: required (Null-deny on %s), except for requests naming a local-NVMe instance type "+
					"of the %s table\n", s.ID, code(strings.Join(s.ConditionKeys, "`, `")), s.LocalStorage)
			default:
				fmt.Fprintf(&b, "- `%s`: required (Null-deny on %s)\n", s.ID, code(strings.Join(s.ConditionKeys, "`, `")))
			}
		}
	}
	if len(k.ConfigRules) == 0 {
		b.WriteString("\nNo AWS Config managed rule checks this kind's keys: run `sagekey scan` on a schedule.\n")
		return b.String()
	}
	b.WriteString("\nAWS Config managed rules:\n\n")
	for _, r := range k.ConfigRules {
		fmt.Fprintf(&b, "- `%s` (`%s`, %s trigger", r.Name, r.Identifier, r.Trigger)
		if r.KeyParam != "" {
			fmt.Fprintf(&b, ", approved keys in `%s`", r.KeyParam)
		}
		b.WriteString(")")
		if r.Caveat != "" {
			b.WriteString(": " + r.Caveat)
		}
		b.WriteString("\n")
	}
	return b.String()
}
