package sagemaker

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

func modelCardSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindModelCard,
		listOp:     "sagemaker:ListModelCards",
		describeOp: "sagemaker:DescribeModelCard",
		source:     "sagemaker:DescribeModelCard",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListModelCardsPaginator(api, &sm.ListModelCardsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, modelCardsListed)
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			// No version: the latest. The key is fixed at creation, so
			// every version shares it.
			out, err := api.DescribeModelCard(ctx, &sm.DescribeModelCardInput{ModelCardName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return modelCardResource(aws.ToString(out.ModelCardArn), aws.ToString(out.ModelCardName),
				aws.ToTime(out.CreationTime), out.SecurityConfig), nil
		},
	}
}

func modelCardsListed(o *sm.ListModelCardsOutput) []listed {
	items := make([]listed, 0, len(o.ModelCardSummaries))
	for _, c := range o.ModelCardSummaries {
		items = append(items, listed{
			name: aws.ToString(c.ModelCardName), arn: aws.ToString(c.ModelCardArn), createdAt: aws.ToTime(c.CreationTime),
		})
	}
	return items
}

// modelCardResource builds a model card's resource from DescribeModelCard
// or a Search record (the same fields).
func modelCardResource(arn, name string, created time.Time, sc *types.ModelCardSecurityConfig) inventory.Resource {
	slot := inventory.Slot{Type: "content", Name: "content", Label: "model card content"}
	if sc != nil {
		slot.KeyRef = aws.ToString(sc.KmsKeyId)
	}
	return inventory.Resource{ARN: arn, Name: name, CreatedAt: created, Slots: []inventory.Slot{slot}}
}

// Versioned packages are named "<group>/<version>", as in their ARN;
// unversioned ones by their name.
func modelPackageSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindModelPackage,
		listOp:     "sagemaker:ListModelPackages",
		describeOp: "sagemaker:DescribeModelPackage",
		source:     "sagemaker:DescribeModelPackage",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			// The default lists only unversioned packages.
			p := sm.NewListModelPackagesPaginator(api, &sm.ListModelPackagesInput{ModelPackageType: types.ModelPackageTypeBoth, MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListModelPackagesOutput) []listed {
				items := make([]listed, 0, len(o.ModelPackageSummaryList))
				for _, m := range o.ModelPackageSummaryList {
					items = append(items, listed{
						name: modelPackageName(m), arn: aws.ToString(m.ModelPackageArn), createdAt: aws.ToTime(m.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			ref := item.arn // a versioned package is only addressable by ARN
			if ref == "" {
				ref = item.name
			}
			out, err := api.DescribeModelPackage(ctx, &sm.DescribeModelPackageInput{ModelPackageName: aws.String(ref),
				// Metadata only: SecurityConfig is still returned, and the auditor
				// needs no kms:Decrypt on the package key.
				IncludedData: types.IncludedDataMetadataOnly})
			if err != nil {
				return inventory.Resource{}, err
			}
			content := inventory.Slot{Type: "content", Name: "content", Label: "model package content"}
			if out.SecurityConfig != nil {
				content.KeyRef = aws.ToString(out.SecurityConfig.KmsKeyId)
			}
			slots := []inventory.Slot{content}
			if v := out.ValidationSpecification; v != nil {
				names := slotNames{}
				for _, p := range v.ValidationProfiles {
					slots = append(slots, transformValidationSlots(names, aws.ToString(p.ProfileName), p.TransformJobDefinition)...)
				}
			}
			// No execution roles: ValidationRole runs only the validation
			// jobs, while the content key is used by whoever reads the
			// package, so no one role stands for all the slots.
			return inventory.Resource{
				ARN: aws.ToString(out.ModelPackageArn), CreatedAt: aws.ToTime(out.CreationTime), Slots: slots,
			}, nil
		},
	}
}

func modelPackageName(m types.ModelPackageSummary) string {
	if m.ModelPackageVersion != nil && aws.ToString(m.ModelPackageGroupName) != "" {
		return aws.ToString(m.ModelPackageGroupName) + "/" + strconv.Itoa(int(*m.ModelPackageVersion))
	}
	return aws.ToString(m.ModelPackageName)
}

func algorithmSpec(api StudioAPI) kindSpec {
	return kindSpec{
		kind:       kindAlgorithm,
		listOp:     "sagemaker:ListAlgorithms",
		describeOp: "sagemaker:DescribeAlgorithm",
		source:     "sagemaker:DescribeAlgorithm",
		list: func(ctx context.Context, _ time.Time) ([]listed, error) {
			p := sm.NewListAlgorithmsPaginator(api, &sm.ListAlgorithmsInput{MaxResults: aws.Int32(listPageSize)})
			return listPages(ctx, p, func(o *sm.ListAlgorithmsOutput) []listed {
				items := make([]listed, 0, len(o.AlgorithmSummaryList))
				for _, a := range o.AlgorithmSummaryList {
					items = append(items, listed{
						name: aws.ToString(a.AlgorithmName), arn: aws.ToString(a.AlgorithmArn), createdAt: aws.ToTime(a.CreationTime),
					})
				}
				return items
			})
		},
		describe: func(ctx context.Context, item listed) (inventory.Resource, error) {
			out, err := api.DescribeAlgorithm(ctx, &sm.DescribeAlgorithmInput{AlgorithmName: aws.String(item.name)})
			if err != nil {
				return inventory.Resource{}, err
			}
			return inventory.Resource{
				ARN: aws.ToString(out.AlgorithmArn), Name: aws.ToString(out.AlgorithmName),
				CreatedAt: aws.ToTime(out.CreationTime), Slots: algorithmSlots(out),
				ExecutionRoles: algorithmRoles(out),
			}, nil
		},
	}
}

// algorithmRoles is the role the algorithm's validation jobs run as.
func algorithmRoles(out *sm.DescribeAlgorithmOutput) []string {
	if v := out.ValidationSpecification; v != nil {
		return executionRoles(aws.ToString(v.ValidationRole))
	}
	return nil
}

// algorithmSlots are the keys of the jobs an algorithm validates itself
// with; without validation there are none.
func algorithmSlots(out *sm.DescribeAlgorithmOutput) []inventory.Slot {
	slots := []inventory.Slot{}
	if out.ValidationSpecification == nil {
		return slots
	}
	names := slotNames{}
	for _, p := range out.ValidationSpecification.ValidationProfiles {
		profile := aws.ToString(p.ProfileName)
		if t := p.TrainingJobDefinition; t != nil {
			volume := inventory.Slot{
				Type:  "validation-training-volume",
				Name:  names.unique("validation-training-volume:" + profile),
				Label: "validation profile " + profile + ": training volume",
			}
			if r := t.ResourceConfig; r != nil {
				volume.KeyRef = aws.ToString(r.VolumeKmsKeyId)
				volume.InstanceTypes = validationTrainingInstanceTypes(r)
			}
			output := inventory.Slot{
				Type:  "validation-training-output",
				Name:  names.unique("validation-training-output:" + profile),
				Label: "validation profile " + profile + ": training output in S3",
			}
			if o := t.OutputDataConfig; o != nil {
				output.KeyRef = aws.ToString(o.KmsKeyId)
				output.OutputURI = aws.ToString(o.S3OutputPath)
			}
			slots = append(slots, volume, output)
		}
		slots = append(slots, transformValidationSlots(names, profile, p.TransformJobDefinition)...)
	}
	return slots
}

func validationTrainingInstanceTypes(r *types.ResourceConfig) []string {
	var out []string
	if r.InstanceType != "" {
		out = append(out, string(r.InstanceType))
	}
	for _, g := range r.InstanceGroups {
		if g.InstanceType != "" {
			out = appendUnique(out, string(g.InstanceType))
		}
	}
	return out
}

// transformValidationSlots are the volume and output of a validation
// transform job; none when the profile has no transform job.
func transformValidationSlots(names slotNames, profile string, t *types.TransformJobDefinition) []inventory.Slot {
	if t == nil {
		return nil
	}
	volume := inventory.Slot{
		Type:  "validation-transform-volume",
		Name:  names.unique("validation-transform-volume:" + profile),
		Label: "validation profile " + profile + ": transform volume",
	}
	if r := t.TransformResources; r != nil {
		volume.KeyRef = aws.ToString(r.VolumeKmsKeyId)
		if r.InstanceType != "" {
			volume.InstanceTypes = []string{string(r.InstanceType)}
		}
	}
	output := inventory.Slot{
		Type:  "validation-transform-output",
		Name:  names.unique("validation-transform-output:" + profile),
		Label: "validation profile " + profile + ": transform output in S3",
	}
	if o := t.TransformOutput; o != nil {
		output.KeyRef = aws.ToString(o.KmsKeyId)
		output.OutputURI = aws.ToString(o.S3OutputPath)
	}
	return []inventory.Slot{volume, output}
}
