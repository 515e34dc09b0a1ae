package guardrails

import (
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
)

// NotEnforceable lists, from the catalog, every slot the deny statements do
// not fully enforce, with the detective controls covering it: slots without
// a condition key, slots whose kind's create call carries none, optional
// slots (pinned at most), and required slots with a local-NVMe exemption
// (a request naming any NVMe type is exempt as a whole).
func NotEnforceable(s Settings) []Gap {
	var out []Gap
	for _, k := range catalog.Kinds() {
		for _, slot := range k.Slots {
			reason := gapReason(k, slot, len(s.ApprovedKeys) > 0)
			if reason == "" {
				continue
			}
			out = append(out, Gap{Kind: k.ID, Slot: slot.ID, Reason: reason, Detective: detective(k, slot.ID)})
		}
	}
	return out
}

func gapReason(k catalog.Kind, slot catalog.SlotSpec, pinned bool) string {
	switch {
	case len(slot.ConditionKeys) == 0:
		return "no IAM condition key carries this key at creation, so no SCP can require it"
	case len(k.CreateActions) == 0:
		return "no action that creates this kind carries the slot's condition keys, so no SCP can require it " +
			"here (where the key is set, for example on an endpoint configuration, it is enforced)"
	case slot.OptionalAtCreate != "" && pinned:
		return "optional at creation (" + slot.OptionalAtCreate + "); only pinned to the approved keys when given, never required"
	case slot.OptionalAtCreate != "":
		return "optional at creation (" + slot.OptionalAtCreate + "); not enforced: without approved keys there is nothing to pin it to"
	case slot.LocalStorage != catalog.TableNone:
		return "requests naming any local-NVMe instance type (" + strings.Join(patterns(slot.LocalStorage), ", ") +
			") are exempt as a whole under ForAllValues, so a request that mixes NVMe and EBS instance types " +
			"(for example an endpoint configuration with both kinds of variants) is not denied"
	}
	return ""
}

// detective names the sagekey check and the Config rules covering a slot.
func detective(k catalog.Kind, slot string) []string {
	out := []string{"sagekey check " + k.ID + ".cmk (run sagekey scan on a schedule)"}
	for _, r := range k.ConfigRules {
		for _, s := range r.Slots {
			if s == slot {
				out = append(out, "AWS Config rule "+r.Name)
			}
		}
	}
	return out
}

// patterns are the instance-type patterns of a table's local-NVMe families,
// the same table the scan uses to judge a slot not applicable.
func patterns(t catalog.Table) []string {
	var out []string
	for _, f := range catalog.LocalStorageFamilies(t) {
		out = append(out, "ml."+f+".*")
	}
	sort.Strings(out)
	return out
}
