package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// primaryClusters creates two HyperPod clusters: one whose every group has
// a CMK-encrypted root and secondary EBS volume, and one with an
// unencrypted secondary volume and no root volume config.
//
// moto requires ThreadsPerCore on every group, a LifeCycleConfig whose
// SourceS3Uri starts with s3://sagemaker-, and instance types from a short
// list (ml.t3.*, ml.c5.*, ml.m5.*, ml.g5.*, ...).
func (s *seeder) primaryClusters(ctx context.Context, region string) error {
	sm := s.sagemaker(region)
	healthy := s.m.key(KeyHealthy)

	encrypted := func(name string, typ smtypes.ClusterInstanceType, count int32) smtypes.ClusterInstanceGroupSpecification {
		g := s.clusterGroup(region, name, typ, count)
		g.InstanceStorageConfigs = []smtypes.ClusterInstanceStorageConfig{
			ebs(smtypes.ClusterEbsVolumeConfig{RootVolume: aws.Bool(true), VolumeKmsKeyId: aws.String(healthy)}),
			ebs(smtypes.ClusterEbsVolumeConfig{VolumeSizeInGB: aws.Int32(500), VolumeKmsKeyId: aws.String(healthy)}),
		}
		return g
	}
	if err := s.createCluster(ctx, sm, region, &sagemaker.CreateClusterInput{
		ClusterName: aws.String("llm-pretrain-hyperpod"),
		InstanceGroups: []smtypes.ClusterInstanceGroupSpecification{
			encrypted("controller", smtypes.ClusterInstanceTypeMlT3Medium, 1),
			encrypted("gpu-workers", smtypes.ClusterInstanceTypeMlG5Xlarge, 2),
		},
		NodeProvisioningMode: smtypes.ClusterNodeProvisioningModeContinuous,
		Tags:                 tags("genai", "cc-1313"),
	}, StatusPass, "every group has a root and a secondary EBS volume encrypted with an enabled CMK", accessGranted); err != nil {
		return err
	}

	sandbox := s.clusterGroup(region, "workers", smtypes.ClusterInstanceTypeMlC5Xlarge, 2)
	sandbox.InstanceStorageConfigs = []smtypes.ClusterInstanceStorageConfig{
		ebs(smtypes.ClusterEbsVolumeConfig{VolumeSizeInGB: aws.Int32(100)}),
	}
	return s.createCluster(ctx, sm, region, &sagemaker.CreateClusterInput{
		ClusterName:          aws.String("research-sandbox-hyperpod"),
		InstanceGroups:       []smtypes.ClusterInstanceGroupSpecification{sandbox},
		NodeProvisioningMode: smtypes.ClusterNodeProvisioningModeContinuous,
	}, StatusFail, "no root volume config and the secondary EBS volume has no VolumeKmsKeyId", accessNoCMK)
}

func (s *seeder) clusterGroup(region, name string, typ smtypes.ClusterInstanceType, count int32) smtypes.ClusterInstanceGroupSpecification {
	return smtypes.ClusterInstanceGroupSpecification{
		InstanceGroupName: aws.String(name),
		InstanceType:      typ,
		InstanceCount:     aws.Int32(count),
		ExecutionRole:     aws.String(s.roleARN()),
		ThreadsPerCore:    aws.Int32(1),
		LifeCycleConfig: &smtypes.ClusterLifeCycleConfig{
			SourceS3Uri: aws.String("s3://sagemaker-hyperpod-lifecycle-" + region + "-" + s.m.Account + "/scripts/"),
			OnCreate:    aws.String("on_create.sh"),
		},
	}
}

func (s *seeder) createCluster(ctx context.Context, sm *sagemaker.Client, region string, in *sagemaker.CreateClusterInput, status, why string, access verdict) error {
	if _, err := sm.CreateCluster(ctx, in); createdEvenIfRetried(err) != nil {
		return fmt.Errorf("demo: create cluster %s in %s: %w", aws.ToString(in.ClusterName), region, err)
	}
	s.m.expect(KindCluster, region, aws.ToString(in.ClusterName), status, why)
	s.m.expectAccess(KindCluster, region, aws.ToString(in.ClusterName), access)
	return nil
}

func ebs(v smtypes.ClusterEbsVolumeConfig) smtypes.ClusterInstanceStorageConfig {
	return &smtypes.ClusterInstanceStorageConfigMemberEbsVolumeConfig{Value: v}
}
