package sagemaker

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/inventory"
)

// The notebook collector doubles as the test of the shared list/describe
// error handling that every list-then-describe kind goes through.
func TestNotebookCollector(t *testing.T) {
	nbARN := arnOf("notebook-instance", "nb")
	described := &sm.DescribeNotebookInstanceOutput{
		NotebookInstanceName: aws.String("nb"),
		NotebookInstanceArn:  aws.String(nbARN),
		CreationTime:         aws.Time(created),
		KmsKeyId:             aws.String(keyARN),
		RoleArn:              aws.String(roleARN),
	}
	tags := tagsOf(map[string][]types.Tag{nbARN: {tag("owner", "ml-team")}})

	tests := []struct {
		name     string
		describe func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error)
		listTags func(*sm.ListTagsInput) (*sm.ListTagsOutput, error)
		want     []inventory.Resource
		// gaps: API failures other than "gone" also mark the scan incomplete.
		gaps []string
	}{
		{
			name: "described",
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return described, nil
			},
			listTags: tags,
			want: []inventory.Resource{{
				Kind: "notebook-instance", ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				Tags: map[string]string{"owner": "ml-team"}, CreatedAt: created,
				Source:         "sagemaker:DescribeNotebookInstance",
				Slots:          []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN}},
				ExecutionRoles: []string{roleARN},
			}},
		},
		{
			name: "no key configured",
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return &sm.DescribeNotebookInstanceOutput{NotebookInstanceName: aws.String("nb"), NotebookInstanceArn: aws.String(nbARN)}, nil
			},
			listTags: noTags,
			want: []inventory.Resource{{
				Kind: "notebook-instance", ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				CreatedAt: created, // from the listing
				Source:    "sagemaker:DescribeNotebookInstance",
				Slots:     []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume"}},
				// Every notebook has a role: none returned is unknown, not "none".
				RolesUnknown: "sagemaker:DescribeNotebookInstance returned no RoleArn",
			}},
		},
		{
			// Still reported, with an unknown slot: the verdict must be
			// ERROR, never a PASS by omission.
			name: "describe throttled",
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return nil, errThrottled
			},
			listTags: tags,
			gaps:     []string{"sagemaker:DescribeNotebookInstance"},
			want: []inventory.Resource{{
				Kind: "notebook-instance", ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				Tags: map[string]string{"owner": "ml-team"}, CreatedAt: created,
				Source: "sagemaker:ListNotebookInstances",
				Slots: []inventory.Slot{inventory.UnreadableSlot(
					"sagemaker:DescribeNotebookInstance: throttled after retries")},
				RolesUnknown: "sagemaker:DescribeNotebookInstance: throttled after retries",
			}},
		},
		{
			name: "describe denied",
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return nil, errDenied
			},
			listTags: noTags,
			gaps:     []string{"sagemaker:DescribeNotebookInstance"},
			want: []inventory.Resource{{
				Kind: "notebook-instance", ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				CreatedAt: created, Source: "sagemaker:ListNotebookInstances",
				Slots: []inventory.Slot{inventory.UnreadableSlot(
					"sagemaker:DescribeNotebookInstance: access denied (AccessDeniedException)")},
				RolesUnknown: "sagemaker:DescribeNotebookInstance: access denied (AccessDeniedException)",
			}},
		},
		{
			name: "vanished between list and describe",
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return nil, apiErr("ValidationException", "RecordNotFound")
			},
			want: []inventory.Resource{},
		},
		{
			name: "tags unreadable",
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return described, nil
			},
			listTags: func(*sm.ListTagsInput) (*sm.ListTagsOutput, error) { return nil, errDenied },
			gaps:     []string{"sagemaker:ListTags"},
			want: []inventory.Resource{{
				Kind: "notebook-instance", ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				TagsError: "sagemaker:ListTags: access denied (AccessDeniedException)",
				CreatedAt: created, Source: "sagemaker:DescribeNotebookInstance",
				Slots:          []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN}},
				ExecutionRoles: []string{roleARN},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := &fakeAPI{
				t: t,
				listNotebookInstances: func(*sm.ListNotebookInstancesInput) (*sm.ListNotebookInstancesOutput, error) {
					return &sm.ListNotebookInstancesOutput{NotebookInstances: []types.NotebookInstanceSummary{{
						NotebookInstanceName: aws.String("nb"), NotebookInstanceArn: aws.String(nbARN),
						CreationTime: aws.Time(created),
					}}}, nil
				},
				describeNotebookInstance: func(in *sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
					if got := aws.ToString(in.NotebookInstanceName); got != "nb" {
						t.Errorf("described %q, want nb", got)
					}
					return tc.describe(in)
				},
				listTags: tc.listTags,
			}
			inv := runCollector(t, api, "sagemaker:notebook-instances")
			assertEqual(t, "resources", inv.Resources, tc.want)
			gotGaps := []string{}
			for _, g := range inv.Gaps {
				gotGaps = append(gotGaps, g.Service)
				if !strings.HasPrefix(g.Reason, "nb: ") {
					t.Errorf("gap reason must name the resource: %q", g.Reason)
				}
			}
			if tc.gaps == nil {
				tc.gaps = []string{}
			}
			assertEqual(t, "gaps", gotGaps, tc.gaps)
		})
	}
}

// Every page is listed, and a List failing on a later page leaves a gap
// while the items already listed are still reported.
func TestNotebookListPagination(t *testing.T) {
	api := &fakeAPI{
		t: t,
		listNotebookInstances: func(in *sm.ListNotebookInstancesInput) (*sm.ListNotebookInstancesOutput, error) {
			switch aws.ToString(in.NextToken) {
			case "":
				return &sm.ListNotebookInstancesOutput{
					NotebookInstances: []types.NotebookInstanceSummary{{NotebookInstanceName: aws.String("a"), NotebookInstanceArn: aws.String(arnOf("notebook-instance", "a"))}},
					NextToken:         aws.String("p2"),
				}, nil
			case "p2":
				return &sm.ListNotebookInstancesOutput{
					NotebookInstances: []types.NotebookInstanceSummary{{NotebookInstanceName: aws.String("b"), NotebookInstanceArn: aws.String(arnOf("notebook-instance", "b"))}},
					NextToken:         aws.String("p3"),
				}, nil
			default:
				return nil, errThrottled
			}
		},
		describeNotebookInstance: func(in *sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
			name := aws.ToString(in.NotebookInstanceName)
			return &sm.DescribeNotebookInstanceOutput{NotebookInstanceName: aws.String(name), NotebookInstanceArn: aws.String(arnOf("notebook-instance", name))}, nil
		},
		listTags: noTags,
	}
	inv := runCollector(t, api, "sagemaker:notebook-instances")
	var names []string
	for _, r := range inv.Resources {
		names = append(names, r.Name)
	}
	assertEqual(t, "names", names, []string{"a", "b"})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{
		Account: target.Account, Region: target.Region, Service: "sagemaker:ListNotebookInstances",
		Reason: "sagemaker:ListNotebookInstances: throttled after retries",
	}})
}
