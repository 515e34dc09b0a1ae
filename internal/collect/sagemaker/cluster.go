package sagemaker

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

const restrictedUnsupported = "restricted instance groups do not support customer-managed keys"

func clusterCollector(api API) collect.Collector {
	spec := kindSpec{
		kind:       kindCluster,
		listOp:     "sagemaker:ListClusters",
		describeOp: "sagemaker:DescribeCluster",
		source:     "sagemaker:DescribeCluster",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListClustersPaginator(api, &sm.ListClustersInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListClustersOutput) []listed {
				items := make([]listed, 0, len(o.ClusterSummaries))
				for _, c := range o.ClusterSummaries {
					items = append(items, listed{
						name:      aws.ToString(c.ClusterName),
						arn:       aws.ToString(c.ClusterArn),
						createdAt: aws.ToTime(c.CreationTime),
					})
				}
				return items
			})
		},
		// item.name is the cluster's name, or its ARN when an event named
		// it (see onlyListed): DescribeCluster takes either.
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeCluster(ctx, &sm.DescribeClusterInput{ClusterName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.ClusterArn),
				Name:           aws.ToString(out.ClusterName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          clusterSlots(out),
				ExecutionRoles: clusterRoles(out),
			}, nil
		},
	}
	return collector{
		name:  "sagemaker:clusters",
		kinds: []string{kindCluster},
		run: func(ctx context.Context, t collect.Target, sink collect.Sink) error {
			return collectKind(ctx, api, t, sink, spec)
		},
	}
}

// clusterRoles are the roles the cluster's instances run as, one per
// instance group. ClusterRole is left out: HyperPod's autoscaler uses it,
// not the workload.
func clusterRoles(out *sm.DescribeClusterOutput) []string {
	var roles []string
	for _, g := range out.InstanceGroups {
		roles = append(roles, aws.ToString(g.ExecutionRole))
	}
	for _, g := range out.RestrictedInstanceGroups {
		roles = append(roles, aws.ToString(g.ExecutionRole))
	}
	return executionRoles(roles...)
}

func clusterSlots(out *sm.DescribeClusterOutput) []inventory.Slot {
	names := slotNames{}
	var slots []inventory.Slot
	for _, g := range out.InstanceGroups {
		slots = append(slots, groupSlots(names, "instance group", aws.ToString(g.InstanceGroupName),
			string(g.InstanceType), aws.ToString(g.ExecutionRole), g.InstanceStorageConfigs, "")...)
	}
	for _, g := range out.RestrictedInstanceGroups {
		slots = append(slots, groupSlots(names, "restricted instance group", aws.ToString(g.InstanceGroupName),
			string(g.InstanceType), aws.ToString(g.ExecutionRole), g.InstanceStorageConfigs, restrictedUnsupported)...)
	}
	return slots
}

// groupSlots records an instance group's EBS volumes. Every group has a
// root volume, so a root-volume slot is recorded even when no storage
// entry names it: an empty key there means the AWS-owned default key. Each
// slot carries its group's execution role: only that role attaches the
// group's volumes, so key access is judged per group.
func groupSlots(names slotNames, what, group, instanceType, role string,
	storage []types.ClusterInstanceStorageConfig, unsupported string) []inventory.Slot {
	var instanceTypes []string
	if instanceType != "" {
		instanceTypes = []string{instanceType}
	}
	slot := func(typ, label, key string) inventory.Slot {
		return inventory.Slot{
			Type:          typ,
			Name:          names.unique(typ + ":" + group),
			Label:         fmt.Sprintf("%s %s: %s", what, group, label),
			KeyRef:        key,
			InstanceTypes: slices.Clone(instanceTypes),
			Unsupported:   unsupported,
			Role:          role,
		}
	}
	var root *types.ClusterEbsVolumeConfig
	var secondary []types.ClusterEbsVolumeConfig
	for _, sc := range storage {
		// FSx mounts are file systems, not instance volumes; they carry no
		// key here.
		ebs, ok := sc.(*types.ClusterInstanceStorageConfigMemberEbsVolumeConfig)
		if !ok {
			continue
		}
		if aws.ToBool(ebs.Value.RootVolume) && root == nil {
			root = &ebs.Value
			continue
		}
		secondary = append(secondary, ebs.Value)
	}
	rootKey := ""
	if root != nil {
		rootKey = aws.ToString(root.VolumeKmsKeyId)
	}
	slots := []inventory.Slot{slot("root-volume", "root volume", rootKey)}
	for _, v := range secondary {
		slots = append(slots, slot("ebs-volume", "secondary EBS volume", aws.ToString(v.VolumeKmsKeyId)))
	}
	return slots
}
