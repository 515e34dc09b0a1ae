package events

import "strings"

// ResourceARN is the ARN of the resource t names: the event's own when it
// carried one, else built from the kind's ARN type, the account, the region
// and the name, lower-cased as SageMaker writes names in ARNs. It is ""
// when the name is not what the ARN ends in (a cluster's ARN ends in its
// ID, not the name a create or delete gives) and for KMS targets.
//
// A check needs it for a resource that turns out to be gone: the ARN is
// how its stored findings are found to resolve them.
func (t Target) ResourceARN(partition string) string {
	if t.ARN != "" || t.Kind == KindKMSKey {
		return t.ARN
	}
	if t.Name == "" || t.Account == "" || t.Region == "" {
		return ""
	}
	for _, r := range resources() {
		if r.kind != t.Kind {
			continue
		}
		id := t.Name
		switch {
		case r.kind == "cluster" || (r.parent != "" && !r.parentInARN):
			return ""
		case r.parentInARN:
			if t.Parent == "" {
				return ""
			}
			id = t.Parent + "/" + t.Name
		}
		return "arn:" + partition + ":sagemaker:" + t.Region + ":" + t.Account + ":" + r.arnType + "/" + strings.ToLower(id)
	}
	return ""
}
