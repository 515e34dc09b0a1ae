package sagemaker

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/inventory"
)

func domainSpec(api StudioAPI) kindSpec {
	// DescribeDomain takes the domain id; the resource is named by its
	// human name, so the listing remembers the id of each ARN.
	var mu sync.Mutex
	ids := map[string]string{}
	return kindSpec{
		kind:       kindDomain,
		listOp:     "sagemaker:ListDomains",
		describeOp: "sagemaker:DescribeDomain",
		source:     "sagemaker:DescribeDomain",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListDomainsPaginator(api, &sm.ListDomainsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListDomainsOutput) []listed {
				items := make([]listed, 0, len(o.Domains))
				mu.Lock()
				defer mu.Unlock()
				for _, d := range o.Domains {
					item := listed{name: aws.ToString(d.DomainName), arn: aws.ToString(d.DomainArn), createdAt: aws.ToTime(d.CreationTime)}
					if item.name == "" {
						item.name = aws.ToString(d.DomainId)
					}
					ids[item.arn] = aws.ToString(d.DomainId)
					items = append(items, item)
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			mu.Lock()
			id, ok := ids[item.arn]
			mu.Unlock()
			if !ok { // named by an event, by its ID (see onlyListed)
				id = item.name
			}
			out, err := api.DescribeDomain(ctx, &sm.DescribeDomainInput{DomainId: aws.String(id)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN:            aws.ToString(out.DomainArn),
				Name:           aws.ToString(out.DomainName),
				CreatedAt:      aws.ToTime(out.CreationTime),
				Slots:          domainSlots(out),
				ExecutionRoles: domainRoles(out),
			}, nil
		},
	}
}

// domainRoles are the default roles of the domain's users and of its
// shared spaces: Studio apps of users without their own role run as them.
func domainRoles(out *sm.DescribeDomainOutput) []string {
	var roles []string
	if s := out.DefaultUserSettings; s != nil {
		roles = append(roles, aws.ToString(s.ExecutionRole))
	}
	if s := out.DefaultSpaceSettings; s != nil {
		roles = append(roles, aws.ToString(s.ExecutionRole))
	}
	return executionRoles(roles...)
}

func domainSlots(out *sm.DescribeDomainOutput) []inventory.Slot {
	slots := []inventory.Slot{{
		Type:   "storage",
		Name:   "storage",
		Label:  "Studio EFS home directories and space EBS volumes",
		KeyRef: aws.ToString(out.KmsKeyId),
	}}
	return append(slots, userSettingsSlots(out.DefaultUserSettings)...)
}

// userSettingsSlots are the S3 slots of domain default or user-profile
// settings. A slot exists only where the feature writes to S3 at all.
func userSettingsSlots(s *types.UserSettings) []inventory.Slot {
	slots := []inventory.Slot{} // none at all is a fact too: not applicable
	if s == nil {
		return slots
	}
	if sh := s.SharingSettings; sh != nil && aws.ToString(sh.S3OutputPath) != "" {
		slots = append(slots, inventory.Slot{
			Type:      "sharing-output",
			Name:      "sharing-output",
			Label:     "shared notebook snapshots in S3",
			KeyRef:    aws.ToString(sh.S3KmsKeyId),
			OutputURI: aws.ToString(sh.S3OutputPath),
		})
	}
	if c := s.CanvasAppSettings; c != nil && c.WorkspaceSettings != nil && aws.ToString(c.WorkspaceSettings.S3ArtifactPath) != "" {
		slots = append(slots, inventory.Slot{
			Type:      "canvas-output",
			Name:      "canvas-output",
			Label:     "Canvas workspace artifacts in S3",
			KeyRef:    aws.ToString(c.WorkspaceSettings.S3KmsKeyId),
			OutputURI: aws.ToString(c.WorkspaceSettings.S3ArtifactPath),
		})
	}
	return slots
}

// User profile names are unique only within a domain, so a profile is
// named "<domain id>/<profile name>". A profile without its own execution
// role runs as its domain's default user role, so that domain is described
// too, once per domain per run.
func userProfileSpec(api StudioAPI) kindSpec {
	var defaultRoles flight[string, string] // domain id → default user role
	return kindSpec{
		kind:       kindUserProfile,
		listOp:     "sagemaker:ListUserProfiles",
		describeOp: "sagemaker:DescribeUserProfile",
		source:     "sagemaker:DescribeUserProfile",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListUserProfilesPaginator(api, &sm.ListUserProfilesInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListUserProfilesOutput) []listed {
				items := make([]listed, 0, len(o.UserProfiles))
				for _, u := range o.UserProfiles {
					items = append(items, listed{
						name:      aws.ToString(u.DomainId) + "/" + aws.ToString(u.UserProfileName),
						createdAt: aws.ToTime(u.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			domainID, profile, _ := strings.Cut(item.name, "/")
			out, err := api.DescribeUserProfile(ctx, &sm.DescribeUserProfileInput{
				DomainId: aws.String(domainID), UserProfileName: aws.String(profile),
			})
			if err != nil {
				return inventory.Resource{}, err
			}
			res := inventory.Resource{
				ARN:       aws.ToString(out.UserProfileArn),
				CreatedAt: aws.ToTime(out.CreationTime),
				Slots:     userSettingsSlots(out.UserSettings),
			}
			if s := out.UserSettings; s != nil && aws.ToString(s.ExecutionRole) != "" {
				res.ExecutionRoles = executionRoles(aws.ToString(s.ExecutionRole))
				return res, nil
			}
			res.Source = "sagemaker:DescribeUserProfile+DescribeDomain"
			role, err := defaultRoles.do(ctx, domainID, func(ctx context.Context) (string, error) {
				d, err := api.DescribeDomain(ctx, &sm.DescribeDomainInput{DomainId: aws.String(domainID)})
				if err != nil || d.DefaultUserSettings == nil {
					return "", err
				}
				return aws.ToString(d.DefaultUserSettings.ExecutionRole), nil
			})
			switch {
			case err == nil:
				res.ExecutionRoles = executionRoles(role)
			case ctx.Err() != nil:
				return inventory.Resource{}, ctx.Err()
			case awserr.Classify(err) == awserr.NotFound:
				res.RolesUnknown = "the profile has no execution role of its own and its domain " + domainID + " no longer exists"
			default:
				res.RolesUnknown = "the profile has no execution role of its own and its domain " + domainID +
					" could not be described: " + awserr.Reason("sagemaker:DescribeDomain", err)
			}
			return res, nil
		},
	}
}
