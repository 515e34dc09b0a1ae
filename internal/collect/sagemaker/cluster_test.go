package sagemaker

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

func ebs(root bool, key string) types.ClusterInstanceStorageConfig {
	v := types.ClusterEbsVolumeConfig{VolumeSizeInGB: aws.Int32(100)}
	if root {
		v.RootVolume = aws.Bool(true)
	}
	if key != "" {
		v.VolumeKmsKeyId = aws.String(key)
	}
	return &types.ClusterInstanceStorageConfigMemberEbsVolumeConfig{Value: v}
}

func group(name string, storage ...types.ClusterInstanceStorageConfig) types.ClusterInstanceGroupDetails {
	return types.ClusterInstanceGroupDetails{
		InstanceGroupName:      aws.String(name),
		InstanceType:           types.ClusterInstanceTypeMlM5Large,
		InstanceStorageConfigs: storage,
	}
}

func TestClusterSlots(t *testing.T) {
	m5 := []string{"ml.m5.large"}
	tests := []struct {
		name string
		out  *sm.DescribeClusterOutput
		want []inventory.Slot
	}{
		{
			name: "root and secondary volumes",
			out: &sm.DescribeClusterOutput{InstanceGroups: []types.ClusterInstanceGroupDetails{
				group("workers", ebs(false, "key-2nd"), ebs(true, "key-root")),
			}},
			want: []inventory.Slot{
				{Type: "root-volume", Name: "root-volume:workers", Label: "instance group workers: root volume", KeyRef: "key-root", InstanceTypes: m5},
				{Type: "ebs-volume", Name: "ebs-volume:workers", Label: "instance group workers: secondary EBS volume", KeyRef: "key-2nd", InstanceTypes: m5},
			},
		},
		{
			// No root entry: the root volume keeps the AWS-owned key, which
			// must show up as an empty key, not as no slot.
			name: "missing root entry, FSx ignored",
			out: &sm.DescribeClusterOutput{InstanceGroups: []types.ClusterInstanceGroupDetails{
				group("ctl", &types.ClusterInstanceStorageConfigMemberFsxLustreConfig{}),
			}},
			want: []inventory.Slot{
				{Type: "root-volume", Name: "root-volume:ctl", Label: "instance group ctl: root volume", InstanceTypes: m5},
			},
		},
		{
			name: "several secondary volumes",
			out: &sm.DescribeClusterOutput{InstanceGroups: []types.ClusterInstanceGroupDetails{
				group("g", ebs(false, "k1"), ebs(false, "")),
			}},
			want: []inventory.Slot{
				{Type: "root-volume", Name: "root-volume:g", Label: "instance group g: root volume", InstanceTypes: m5},
				{Type: "ebs-volume", Name: "ebs-volume:g", Label: "instance group g: secondary EBS volume", KeyRef: "k1", InstanceTypes: m5},
				{Type: "ebs-volume", Name: "ebs-volume:g#2", Label: "instance group g: secondary EBS volume", InstanceTypes: m5},
			},
		},
		{
			name: "restricted instance group",
			out: &sm.DescribeClusterOutput{
				InstanceGroups: []types.ClusterInstanceGroupDetails{group("a", ebs(true, "k"))},
				RestrictedInstanceGroups: []types.ClusterRestrictedInstanceGroupDetails{{
					InstanceGroupName:      aws.String("r"),
					InstanceType:           types.ClusterInstanceTypeMlM5Large,
					InstanceStorageConfigs: []types.ClusterInstanceStorageConfig{ebs(false, "k2")},
				}},
			},
			want: []inventory.Slot{
				{Type: "root-volume", Name: "root-volume:a", Label: "instance group a: root volume", KeyRef: "k", InstanceTypes: m5},
				{Type: "root-volume", Name: "root-volume:r", Label: "restricted instance group r: root volume", InstanceTypes: m5,
					Unsupported: "restricted instance groups do not support customer-managed keys"},
				{Type: "ebs-volume", Name: "ebs-volume:r", Label: "restricted instance group r: secondary EBS volume", KeyRef: "k2", InstanceTypes: m5,
					Unsupported: "restricted instance groups do not support customer-managed keys"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertEqual(t, "slots", clusterSlots(tc.out), tc.want)
		})
	}
}

func TestClusterCollector(t *testing.T) {
	clusterARN := arnOf("cluster", "hp")
	api := &fakeAPI{
		t: t,
		listClusters: func(*sm.ListClustersInput) (*sm.ListClustersOutput, error) {
			return &sm.ListClustersOutput{ClusterSummaries: []types.ClusterSummary{
				{ClusterName: aws.String("hp"), ClusterArn: aws.String(clusterARN), CreationTime: aws.Time(created)},
			}}, nil
		},
		describeCluster: func(in *sm.DescribeClusterInput) (*sm.DescribeClusterOutput, error) {
			g, ctl := group("g", ebs(true, keyARN)), group("ctl")
			g.ExecutionRole, ctl.ExecutionRole = aws.String(roleARN2), aws.String(roleARN2)
			return &sm.DescribeClusterOutput{
				ClusterName: in.ClusterName, ClusterArn: aws.String(clusterARN), CreationTime: aws.Time(created),
				InstanceGroups: []types.ClusterInstanceGroupDetails{g, ctl},
				RestrictedInstanceGroups: []types.ClusterRestrictedInstanceGroupDetails{{
					InstanceGroupName: aws.String("r"), ExecutionRole: aws.String(roleARN),
				}},
				// The autoscaler's role, not the workload's.
				ClusterRole: aws.String("arn:aws:iam::111122223333:role/autoscaler"),
			}, nil
		},
		listTags: tagsOf(map[string][]types.Tag{clusterARN: {tag("env", "prod")}}),
	}
	inv := runCollector(t, api, "sagemaker:clusters")
	assertEqual(t, "resources", inv.Resources, []inventory.Resource{{
		Kind: "cluster", ARN: clusterARN, Name: "hp", Account: target.Account, Region: target.Region,
		Tags: map[string]string{"env": "prod"}, CreatedAt: created, Source: "sagemaker:DescribeCluster",
		Slots: []inventory.Slot{
			// Each slot names its group's role: key access is judged per group.
			{Type: "root-volume", Name: "root-volume:g", Label: "instance group g: root volume",
				KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}, Role: roleARN2},
			{Type: "root-volume", Name: "root-volume:ctl", Label: "instance group ctl: root volume",
				InstanceTypes: []string{"ml.m5.large"}, Role: roleARN2},
			{Type: "root-volume", Name: "root-volume:r", Label: "restricted instance group r: root volume",
				Unsupported: restrictedUnsupported, Role: roleARN},
		},
		// Sorted and distinct: two groups share roleARN2.
		ExecutionRoles: []string{roleARN2, roleARN},
	}})
}
