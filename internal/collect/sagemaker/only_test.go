package sagemaker

import (
	"context"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// Event-driven reads (collect.Target.Only): exactly the named resources are
// described, nothing is listed, and stored records are not used.

func TestListedFromRef(t *testing.T) {
	t.Parallel()
	gov := collect.Target{Account: "111122223333", Region: "us-gov-west-1"}
	tests := []struct {
		name   string
		target collect.Target
		ref    collect.Ref
		want   listed
	}{
		{"by name", target, collect.Ref{Kind: kindNotebook, Name: "nb"}, listed{name: "nb"}},
		{"ARN kept", target, collect.Ref{Kind: kindNotebook, Name: "nb", ARN: arnOf("notebook-instance", "nb")},
			listed{name: "nb", arn: arnOf("notebook-instance", "nb")}},
		{"named by its full ARN", target, collect.Ref{Kind: kindEndpoint, Name: arnOf("endpoint", "ep")},
			listed{name: "ep", arn: arnOf("endpoint", "ep")}},
		{"user profile in its domain", target, collect.Ref{Kind: kindUserProfile, Name: "alice", Parent: "d-1"},
			listed{name: "d-1/alice"}},
		{"user profile from a tag event", target,
			collect.Ref{Kind: kindUserProfile, Name: "alice", Parent: "d-1", ARN: arnOf("user-profile", "d-1/alice")},
			listed{name: "d-1/alice", arn: arnOf("user-profile", "d-1/alice")}},
		{"customization job with its category", target,
			collect.Ref{Kind: kindCustomizationJob, Name: "rft", Parent: string(types.JobCategoryAgentRftEvaluation)},
			listed{name: "rft", parent: string(types.JobCategoryAgentRftEvaluation)}},
		{"customization job from a tag event", target,
			collect.Ref{Kind: kindCustomizationJob, Name: "rft", ARN: arnOf("job", "rft")},
			listed{name: "rft", arn: arnOf("job", "rft")}},
		{"partner app: ARN built", target, collect.Ref{Kind: kindPartnerApp, Name: "app-1"},
			listed{name: "app-1", arn: arnOf("partner-app", "app-1")}},
		{"partner app: ARN built in its partition", gov, collect.Ref{Kind: kindPartnerApp, Name: "app-1"},
			listed{name: "app-1", arn: "arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:partner-app/app-1"}},
		{"partner app: ARN given", target, collect.Ref{Kind: kindPartnerApp, Name: "app-1", ARN: arnOf("partner-app", "app-1")},
			listed{name: "app-1", arn: arnOf("partner-app", "app-1")}},
		{"versioned model package: ARN built", target, collect.Ref{Kind: kindModelPackage, Name: "grp/3"},
			listed{name: "grp/3", arn: arnOf("model-package", "grp/3")}},
		{"unversioned model package: by name", target, collect.Ref{Kind: kindModelPackage, Name: "pkg"},
			listed{name: "pkg"}},
		{"cluster from a tag event: by ARN", target,
			collect.Ref{Kind: kindCluster, Name: "abcdef123456", ARN: arnOf("cluster", "abcdef123456")},
			listed{name: arnOf("cluster", "abcdef123456"), arn: arnOf("cluster", "abcdef123456")}},
		{"cluster from a create: by name", target, collect.Ref{Kind: kindCluster, Name: "hp"}, listed{name: "hp"}},
		{"domain by its ID", target, collect.Ref{Kind: kindDomain, Name: "d-1"}, listed{name: "d-1"}},
	}
	for _, tt := range tests {
		assertEqual(t, tt.name, listedFromRef(tt.target, tt.ref), tt.want)
	}
}

// noKnown fails the test if a collector consults stored records.
type noKnown struct{ t testing.TB }

func (k noKnown) Records(_ context.Context, _ collect.Target, kind string) iter.Seq2[inventory.Resource, error] {
	k.t.Errorf("Known.Records(%s) called for an Only read", kind)
	return func(func(inventory.Resource, error) bool) {}
}

func (k noKnown) Lookup(_ context.Context, _ collect.Target, kind string, _ []string) (map[string]inventory.Resource, error) {
	k.t.Errorf("Known.Lookup(%s) called for an Only read", kind)
	return nil, nil
}

func (k noKnown) CompleteBefore(_ context.Context, _ collect.Target, kind string) (time.Time, bool) {
	k.t.Errorf("Known.CompleteBefore(%s) called for an Only read", kind)
	return time.Time{}, false
}

// runOnly runs collectors against target with only as its Only, as an
// event-driven check does.
func runOnly(t *testing.T, collectors []collect.Collector, only []collect.Ref) inventory.Inventory {
	t.Helper()
	tg := target
	tg.Only, tg.Known = only, noKnown{t}
	sink := &collect.MemorySink{}
	collect.Run(context.Background(), collect.JobsFor(tg, collectors), 4, sink)
	inv := sink.Inventory()
	var kinds []string
	for _, c := range collectors {
		kinds = append(kinds, c.Kinds()...)
	}
	checkInventory(t, inv, kinds)
	return inv
}

// noAPI makes no call: every method is the nil interface's, so a call
// panics and collect.Run turns the panic into a gap.
type noAPI struct{ FullAPI }

func TestOnlyWithoutRefsOfAKindMakesNoCall(t *testing.T) {
	t.Parallel()
	for name, only := range map[string][]collect.Ref{
		"empty":              {},
		"only other sources": {{Kind: "kms-key", Name: "1234abcd-12ab-34cd-56ef-1234567890ab"}},
	} {
		inv := runOnly(t, AllCollectors(noAPI{}), only)
		assertEqual(t, name+": resources", inv.Resources, []inventory.Resource{})
		assertEqual(t, name+": gaps", inv.Gaps, []inventory.Gap{})
	}
}

// The shared handling, through the notebook collector: no List call (the
// fake fails on any call it was not given), a described resource with its
// tags, a vanished one skipped, another failure unreadable and a gap.
func TestOnlyDescribesTheNamedResources(t *testing.T) {
	t.Parallel()
	nbARN := arnOf("notebook-instance", "nb")
	described := &sm.DescribeNotebookInstanceOutput{
		NotebookInstanceName: aws.String("nb"), NotebookInstanceArn: aws.String(nbARN),
		CreationTime: aws.Time(created), KmsKeyId: aws.String(keyARN), RoleArn: aws.String(roleARN),
	}
	tags := tagsOf(map[string][]types.Tag{nbARN: {tag("owner", "ml-team")}})
	unreadable := "sagemaker:DescribeNotebookInstance: access denied (AccessDeniedException)"
	tests := []struct {
		name     string
		only     []collect.Ref
		describe func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error)
		listTags func(*sm.ListTagsInput) (*sm.ListTagsOutput, error)
		want     []inventory.Resource
		gaps     []inventory.Gap
	}{
		{
			name: "no notebook named: no call",
			only: []collect.Ref{{Kind: kindEndpoint, Name: "ep"}},
			want: []inventory.Resource{},
		},
		{
			name: "described, with tags",
			only: []collect.Ref{{Kind: kindNotebook, Name: "nb"}},
			describe: func(in *sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				if aws.ToString(in.NotebookInstanceName) != "nb" {
					t.Errorf("described %q, want nb", aws.ToString(in.NotebookInstanceName))
				}
				return described, nil
			},
			listTags: tags,
			want: []inventory.Resource{{
				Kind: kindNotebook, ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				Tags: map[string]string{"owner": "ml-team"}, CreatedAt: created, Source: "sagemaker:DescribeNotebookInstance",
				Slots:          []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN}},
				ExecutionRoles: []string{roleARN},
			}},
		},
		{
			name: "gone: skipped, no gap",
			only: []collect.Ref{{Kind: kindNotebook, Name: "gone"}},
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return nil, errGone("notebook instance")
			},
			want: []inventory.Resource{},
		},
		{
			name: "denied: unreadable and a gap",
			only: []collect.Ref{{Kind: kindNotebook, Name: "nb", ARN: nbARN}},
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return nil, errDenied
			},
			listTags: tags,
			want: []inventory.Resource{{
				Kind: kindNotebook, ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				Tags: map[string]string{"owner": "ml-team"}, Source: "sagemaker:DescribeNotebookInstance",
				Slots:        []inventory.Slot{inventory.UnreadableSlot(unreadable)},
				RolesUnknown: unreadable,
			}},
			gaps: []inventory.Gap{{Account: target.Account, Region: target.Region,
				Service: "sagemaker:DescribeNotebookInstance", Reason: "nb: " + unreadable}},
		},
		{
			// Without an ARN its tags cannot be read either: that is a gap too.
			name: "denied, no ARN: unreadable, untagged, two gaps",
			only: []collect.Ref{{Kind: kindNotebook, Name: "nb"}},
			describe: func(*sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				return nil, errDenied
			},
			want: []inventory.Resource{{
				Kind: kindNotebook, Name: "nb", Account: target.Account, Region: target.Region,
				TagsError: "sagemaker:ListTags: the resource has no ARN to read tags from",
				Source:    "sagemaker:DescribeNotebookInstance",
				Slots:     []inventory.Slot{inventory.UnreadableSlot(unreadable)}, RolesUnknown: unreadable,
			}},
			gaps: []inventory.Gap{
				{Account: target.Account, Region: target.Region, Service: "sagemaker:DescribeNotebookInstance", Reason: "nb: " + unreadable},
				{Account: target.Account, Region: target.Region, Service: "sagemaker:ListTags",
					Reason: "nb: sagemaker:ListTags: the resource has no ARN to read tags from"},
			},
		},
		{
			name: "several, one gone",
			only: []collect.Ref{{Kind: kindNotebook, Name: "nb"}, {Kind: kindNotebook, Name: "gone"}},
			describe: func(in *sm.DescribeNotebookInstanceInput) (*sm.DescribeNotebookInstanceOutput, error) {
				if aws.ToString(in.NotebookInstanceName) == "gone" {
					return nil, errGone("notebook instance")
				}
				return described, nil
			},
			listTags: noTags,
			want: []inventory.Resource{{
				Kind: kindNotebook, ARN: nbARN, Name: "nb", Account: target.Account, Region: target.Region,
				CreatedAt: created, Source: "sagemaker:DescribeNotebookInstance",
				Slots:          []inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume", KeyRef: keyARN}},
				ExecutionRoles: []string{roleARN},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{t: t, describeNotebookInstance: tt.describe, listTags: tt.listTags} // no List call set
			inv := runOnly(t, []collect.Collector{notebookCollector(api)}, tt.only)
			assertEqual(t, "resources", inv.Resources, tt.want)
			if tt.gaps == nil {
				tt.gaps = []inventory.Gap{}
			}
			assertEqual(t, "gaps", inv.Gaps, tt.gaps)
		})
	}
}

// refs is a helper type for readable test tables.
type refs = []collect.Ref

// An endpoint named alone: its config is described for its slots and roles
// (the cache describes on a miss) but not reported, and nothing is listed.
func TestOnlyEndpointDescribesItsConfig(t *testing.T) {
	t.Parallel()
	epARN, cfgARN := arnOf("endpoint", "ep"), arnOf("endpoint-config", "cfg")
	var mu sync.Mutex
	var calls []string
	record := func(op string) {
		mu.Lock()
		calls = append(calls, op)
		mu.Unlock()
	}
	api := &fakeAPI{t: t,
		describeEndpoint: func(in *sm.DescribeEndpointInput) (*sm.DescribeEndpointOutput, error) {
			record("DescribeEndpoint " + aws.ToString(in.EndpointName))
			return &sm.DescribeEndpointOutput{EndpointName: aws.String("ep"), EndpointArn: aws.String(epARN),
				EndpointConfigName: aws.String("cfg"), CreationTime: aws.Time(created)}, nil
		},
		describeEndpointConfig: func(in *sm.DescribeEndpointConfigInput) (*sm.DescribeEndpointConfigOutput, error) {
			record("DescribeEndpointConfig " + aws.ToString(in.EndpointConfigName))
			return &sm.DescribeEndpointConfigOutput{EndpointConfigName: aws.String("cfg"), EndpointConfigArn: aws.String(cfgARN),
				KmsKeyId: aws.String(keyARN), ProductionVariants: []types.ProductionVariant{{
					VariantName: aws.String("main"), ModelName: aws.String("m"), InstanceType: types.ProductionVariantInstanceTypeMlM5Large,
				}}}, nil
		},
		describeModel: func(in *sm.DescribeModelInput) (*sm.DescribeModelOutput, error) {
			record("DescribeModel " + aws.ToString(in.ModelName))
			return &sm.DescribeModelOutput{ExecutionRoleArn: aws.String(roleARN)}, nil
		},
		listTags: func(in *sm.ListTagsInput) (*sm.ListTagsOutput, error) {
			record("ListTags " + aws.ToString(in.ResourceArn))
			return &sm.ListTagsOutput{Tags: []types.Tag{tag("env", "prod")}}, nil
		},
	}
	inv := runOnly(t, Collectors(api), refs{{Kind: kindEndpoint, Name: "ep"}})
	assertEqual(t, "resources", inv.Resources, []inventory.Resource{{
		Kind: kindEndpoint, ARN: epARN, Name: "ep", Account: target.Account, Region: target.Region,
		Tags: map[string]string{"env": "prod"}, CreatedAt: created, Source: "sagemaker:DescribeEndpoint+DescribeEndpointConfig",
		Attributes: map[string]string{inventory.AttrEndpointConfig: "cfg"},
		Slots: []inventory.Slot{{Type: "volume", Name: "config:volume", Label: "config cfg: ML storage volume",
			KeyRef: keyARN, InstanceTypes: []string{"ml.m5.large"}}},
		ExecutionRoles: []string{roleARN},
	}})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
	slices.Sort(calls)
	assertEqual(t, "calls", calls, []string{"DescribeEndpoint ep", "DescribeEndpointConfig cfg", "DescribeModel m", "ListTags " + epARN})
}

// The kinds whose describe call needs more than the name, and training,
// which lists by Search otherwise.
func TestOnlyPerKind(t *testing.T) {
	t.Parallel()
	t.Run("training job: described, not searched", func(t *testing.T) {
		t.Parallel()
		jobARN := arnOf("training-job", "job")
		api := &fakeAPI{t: t, // search and listTrainingJobs unset
			describeTrainingJob: func(in *sm.DescribeTrainingJobInput) (*sm.DescribeTrainingJobOutput, error) {
				if aws.ToString(in.TrainingJobName) != "job" {
					return nil, errGone("training job")
				}
				return &sm.DescribeTrainingJobOutput{TrainingJobName: aws.String("job"), TrainingJobArn: aws.String(jobARN),
					RoleArn: aws.String(roleARN), CreationTime: aws.Time(created),
					ResourceConfig: &types.ResourceConfig{VolumeKmsKeyId: aws.String(keyARN)}}, nil
			},
			listTags: noTags,
		}
		inv := runOnly(t, Collectors(api), refs{{Kind: kindTrainingJob, Name: "job"}, {Kind: kindTrainingJob, Name: "missing"}})
		if len(inv.Resources) != 1 || inv.Resources[0].ARN != jobARN || inv.Resources[0].Source != "sagemaker:DescribeTrainingJob" ||
			inv.Resources[0].Slots[0].KeyRef != keyARN {
			t.Errorf("resources = %+v", inv.Resources)
		}
		assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
	})
	t.Run("cluster from a tag event: described by ARN", func(t *testing.T) {
		t.Parallel()
		clusterARN := arnOf("cluster", "abcdef123456")
		api := &fakeAPI{t: t,
			describeCluster: func(in *sm.DescribeClusterInput) (*sm.DescribeClusterOutput, error) {
				if aws.ToString(in.ClusterName) != clusterARN {
					t.Errorf("described %q, want the ARN", aws.ToString(in.ClusterName))
				}
				return &sm.DescribeClusterOutput{ClusterName: aws.String("hp"), ClusterArn: aws.String(clusterARN)}, nil
			},
			listTags: noTags,
		}
		inv := runOnly(t, Collectors(api), refs{{Kind: kindCluster, Name: "abcdef123456", ARN: clusterARN}})
		if len(inv.Resources) != 1 || inv.Resources[0].Name != "hp" || inv.Resources[0].ARN != clusterARN {
			t.Errorf("resources = %+v", inv.Resources)
		}
	})
	t.Run("user profile and domain", func(t *testing.T) {
		t.Parallel()
		profileARN, domainARN := arnOf("user-profile", "d-1/alice"), arnOf("domain", "d-1")
		api := &fakeStudio{fake: fakeAPI{t: t},
			describeUserProfile: func(in *sm.DescribeUserProfileInput) (*sm.DescribeUserProfileOutput, error) {
				if aws.ToString(in.DomainId) != "d-1" || aws.ToString(in.UserProfileName) != "alice" {
					t.Errorf("described profile %q in %q", aws.ToString(in.UserProfileName), aws.ToString(in.DomainId))
				}
				return &sm.DescribeUserProfileOutput{UserProfileArn: aws.String(profileARN),
					UserSettings: &types.UserSettings{ExecutionRole: aws.String(roleARN)}}, nil
			},
			describeDomain: func(in *sm.DescribeDomainInput) (*sm.DescribeDomainOutput, error) {
				if aws.ToString(in.DomainId) != "d-1" {
					t.Errorf("described domain %q, want d-1", aws.ToString(in.DomainId))
				}
				return &sm.DescribeDomainOutput{DomainArn: aws.String(domainARN), DomainName: aws.String("studio"),
					KmsKeyId: aws.String(keyARN)}, nil
			},
			listTags: noTags,
		}
		inv := runOnly(t, StudioCollectors(api), refs{
			{Kind: kindUserProfile, Name: "alice", Parent: "d-1"},
			{Kind: kindDomain, Name: "d-1"},
		})
		got := map[string]string{}
		for _, r := range inv.Resources {
			got[r.Kind] = r.Name + " " + r.ARN
		}
		assertEqual(t, "resources", got, map[string]string{
			kindUserProfile: "d-1/alice " + profileARN,
			kindDomain:      "studio " + domainARN,
		})
		assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
	})
	t.Run("partner app: described by its built ARN", func(t *testing.T) {
		t.Parallel()
		appARN := arnOf("partner-app", "app-1")
		api := &fakeStudio{fake: fakeAPI{t: t},
			describePartnerApp: func(in *sm.DescribePartnerAppInput) (*sm.DescribePartnerAppOutput, error) {
				if aws.ToString(in.Arn) != appARN {
					t.Errorf("described %q, want %s", aws.ToString(in.Arn), appARN)
				}
				return &sm.DescribePartnerAppOutput{Arn: aws.String(appARN), Name: aws.String("mlflow"),
					ExecutionRoleArn: aws.String(roleARN)}, nil
			},
			listTags: noTags,
		}
		inv := runOnly(t, StudioCollectors(api), refs{{Kind: kindPartnerApp, Name: "app-1"}})
		if len(inv.Resources) != 1 || inv.Resources[0].Name != "mlflow" {
			t.Errorf("resources = %+v", inv.Resources)
		}
	})
	t.Run("customization job: in the named category, else in each", func(t *testing.T) {
		t.Parallel()
		const cat = types.JobCategoryAgentRftEvaluation
		var mu sync.Mutex
		tried := map[string][]types.JobCategory{}
		api := &fakeJobsAPI{t: t, // listJobs unset
			describeJob: func(in *sm.DescribeJobInput) (*sm.DescribeJobOutput, error) {
				name := aws.ToString(in.JobName)
				mu.Lock()
				tried[name] = append(tried[name], in.JobCategory)
				mu.Unlock()
				if in.JobCategory != cat || name == "gone" {
					return nil, apiErr("ResourceNotFound", "job not found")
				}
				return &sm.DescribeJobOutput{JobName: aws.String(name), JobArn: aws.String(arnOf("job", name)),
					RoleArn: aws.String(roleARN), JobConfigDocument: aws.String(`{"KmsKeyId":"alias/rft"}`)}, nil
			},
		}
		inv := runOnly(t, JobCollectors(api), refs{
			{Kind: kindCustomizationJob, Name: "named", Parent: string(cat)},
			{Kind: kindCustomizationJob, Name: "tagged", ARN: arnOf("job", "tagged")},
			{Kind: kindCustomizationJob, Name: "gone"},
		})
		var names []string
		for _, r := range inv.Resources {
			names = append(names, r.Name)
		}
		assertEqual(t, "resources", names, []string{"named", "tagged"})
		assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
		all := types.JobCategory("").Values()
		assertEqual(t, "categories tried for the named job", tried["named"], []types.JobCategory{cat})
		assertEqual(t, "categories tried for the tagged job", tried["tagged"], all[:slices.Index(all, cat)+1])
		assertEqual(t, "categories tried for the gone job", tried["gone"], all)
	})
}
