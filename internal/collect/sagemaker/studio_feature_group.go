package sagemaker

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

func featureGroupSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindFeatureGroup,
		listOp:     "sagemaker:ListFeatureGroups",
		describeOp: "sagemaker:DescribeFeatureGroup",
		source:     "sagemaker:DescribeFeatureGroup",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListFeatureGroupsPaginator(api, &sm.ListFeatureGroupsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, featureGroupsListed)
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			// Only the first page: later pages add feature definitions, not keys.
			out, err := api.DescribeFeatureGroup(ctx, &sm.DescribeFeatureGroupInput{FeatureGroupName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return featureGroupResource(aws.ToString(out.FeatureGroupArn), aws.ToString(out.FeatureGroupName),
				aws.ToTime(out.CreationTime), aws.ToString(out.RoleArn), out.OnlineStoreConfig, out.OfflineStoreConfig), nil
		},
	}
}

func featureGroupsListed(o *sm.ListFeatureGroupsOutput) []listed {
	items := make([]listed, 0, len(o.FeatureGroupSummaries))
	for _, f := range o.FeatureGroupSummaries {
		items = append(items, listed{
			name:      aws.ToString(f.FeatureGroupName),
			arn:       aws.ToString(f.FeatureGroupArn),
			createdAt: aws.ToTime(f.CreationTime),
		})
	}
	return items
}

// featureGroupResource builds a feature group's resource from
// DescribeFeatureGroup or a Search record (the same fields).
func featureGroupResource(arn, name string, created time.Time, role string,
	online *types.OnlineStoreConfig, offline *types.OfflineStoreConfig) inventory.Resource {
	return inventory.Resource{
		ARN:       arn,
		Name:      name,
		CreatedAt: created,
		Slots:     featureStoreSlots(online, offline),
		// The offline store writes to S3 as this role; none without one.
		ExecutionRoles: executionRoles(role),
	}
}

func featureGroupSlots(out *sm.DescribeFeatureGroupOutput) []inventory.Slot {
	return featureStoreSlots(out.OnlineStoreConfig, out.OfflineStoreConfig)
}

func featureStoreSlots(online *types.OnlineStoreConfig, offline *types.OfflineStoreConfig) []inventory.Slot {
	slots := []inventory.Slot{}
	if on := online; on != nil && aws.ToBool(on.EnableOnlineStore) {
		s := inventory.Slot{Type: "online-store", Name: "online-store", Label: "online store"}
		if on.SecurityConfig != nil {
			s.KeyRef = aws.ToString(on.SecurityConfig.KmsKeyId)
		}
		if on.StorageType == types.StorageTypeInMemory {
			s.Unsupported = "InMemory online stores are not covered by a customer-managed key"
		}
		slots = append(slots, s)
	}
	if off := offline; off != nil {
		s := inventory.Slot{Type: "offline-store", Name: "offline-store", Label: "offline store in S3"}
		if off.S3StorageConfig != nil {
			s.KeyRef = aws.ToString(off.S3StorageConfig.KmsKeyId)
			s.OutputURI = aws.ToString(off.S3StorageConfig.S3Uri)
		}
		slots = append(slots, s)
	}
	return slots
}
