package sagemaker

import (
	"strings"

	"github.com/sagekey/sagekey/internal/collect"
	kmskeys "github.com/sagekey/sagekey/internal/keys"
)

// An event-driven check (collect.Target.Only) names the resources to read
// instead of listing their kinds. collectKind then describes exactly those,
// and each kind's describe func must receive the same listed value a List
// call would have given it. Events name resources the way the API's own
// calls do (events.Target), which for most kinds is what List gives as the
// name, but not for all of them; the differences live here, in one place,
// so that no describe func needs to know whether its item came from a List
// call or from an event:
//
//   - user-profile: List names a profile "<domain id>/<profile name>", which
//     its describe func splits; an event gives the domain as the Parent.
//   - model-customization-job: DescribeJob needs the job's category, which
//     List remembers per ARN; an event gives it as the Parent (a tag event
//     cannot, and the describe func then tries every category).
//   - partner-app: DescribePartnerApp takes the ARN; an event that names the
//     app only by its ARN's resource ID has it built here.
//   - model-package: a versioned package ("<group>/<version>") is only
//     addressable by ARN; built here when the event did not carry it.
//   - cluster: a tag event names a cluster by its ARN's resource ID (the
//     cluster ID), which DescribeCluster does not accept as a name; it does
//     accept the ARN, so that is used whenever the event carried one.
//   - domain: an event names a domain by its ID, which is what
//     DescribeDomain takes; its describe func falls back to the name when
//     no listing recorded an ID for the ARN.
//
// Every other kind is described by the name the event gives.
func onlyListed(t collect.Target, kind string) []listed {
	refs := t.OnlyOf(kind)
	if len(refs) == 0 {
		return nil
	}
	items := make([]listed, 0, len(refs))
	for _, r := range refs {
		items = append(items, listedFromRef(t, r))
	}
	return items
}

// listedFromRef is one ref as the listed item its kind's describe func
// expects. createdAt stays zero: an event does not say when the resource
// was created, and Describe does.
func listedFromRef(t collect.Target, r collect.Ref) listed {
	item := listed{name: r.Name, arn: r.ARN}
	if strings.HasPrefix(item.name, "arn:") { // a ref named by its full ARN
		if item.arn == "" {
			item.arn = item.name
		}
		item.name = arnResourceID(item.name)
	}
	switch r.Kind {
	case kindUserProfile:
		if r.Parent != "" && !strings.Contains(item.name, "/") {
			item.name = r.Parent + "/" + item.name
		}
	case kindCustomizationJob:
		item.parent = r.Parent
	case kindPartnerApp:
		if item.arn == "" {
			item.arn = sageMakerARN(t, "partner-app", item.name)
		}
	case kindModelPackage:
		if item.arn == "" && strings.Contains(item.name, "/") {
			item.arn = sageMakerARN(t, "model-package", item.name)
		}
	case kindCluster:
		if item.arn != "" {
			item.name = item.arn
		}
	}
	return item
}

// sageMakerARN builds the ARN of a resource in t from its type and ID.
func sageMakerARN(t collect.Target, typ, id string) string {
	return "arn:" + kmskeys.PartitionOf(t.Region) + ":sagemaker:" + t.Region + ":" + t.Account + ":" + typ + "/" + id
}

// arnResourceID is the part of an ARN after "<type>/".
func arnResourceID(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	if _, id, ok := strings.Cut(parts[5], "/"); ok {
		return id
	}
	return parts[5]
}
