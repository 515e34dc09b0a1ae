package cloudformation

import (
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sagekey/sagekey/internal/iac/model"
)

// ignores reads a resource's inline suppressions:
//
//	Metadata:
//	  sagekey:
//	    ignore:
//	      - check: notebook-instance.cmk
//	        reason: "..."
//	        expires: "2027-01-31"
//
// It records what is written; whether a reason and expiry are present is
// judged later, as for sagekey.yaml. An entry that cannot be parsed is
// kept with a Problem, so a typo surfaces instead of silently not
// suppressing (or suppressing) anything.
func (s *stack) ignores(meta *yaml.Node) []model.Ignore {
	sk := key(meta, "sagekey")
	if sk == nil {
		return nil
	}
	list := key(sk, "ignore")
	if list == nil || list.Kind != yaml.SequenceNode {
		where := sk
		if list != nil {
			where = list
		}
		return []model.Ignore{{Problem: "Metadata.sagekey.ignore must be a list of {check, reason, expires}", Range: *s.rng(where)}}
	}
	var out []model.Ignore
	for _, item := range list.Content {
		out = append(out, s.ignore(deref(item)))
	}
	return out
}

func (s *stack) ignore(n *yaml.Node) model.Ignore {
	ig := model.Ignore{Range: *s.rng(n)}
	if n.Kind != yaml.MappingNode {
		ig.Problem = "an ignore entry must be a mapping with check, reason and expires"
		return ig
	}
	var problems []string
	for _, kv := range pairs(n) {
		name, v := kv[0].Value, deref(kv[1])
		if v.Kind != yaml.ScalarNode || isShortForm(v) {
			problems = append(problems, name+" must be a plain string")
			continue
		}
		switch name {
		case "check":
			ig.Check = v.Value
		case "reason":
			ig.Reason = v.Value
		case "expires":
			ig.Expires = v.Value
		default:
			problems = append(problems, "unknown key "+name)
		}
	}
	if ig.Check == "" {
		problems = append(problems, "check is missing")
	}
	if ig.Expires != "" {
		if _, err := time.Parse(time.DateOnly, ig.Expires); err != nil {
			problems = append(problems, "expires "+ig.Expires+" is not a date (YYYY-MM-DD)")
		}
	}
	ig.Problem = strings.Join(problems, "; ")
	return ig
}
