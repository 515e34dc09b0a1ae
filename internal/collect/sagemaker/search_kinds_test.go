package sagemaker

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
)

// callLog counts the calls of a fake by operation; describes run
// concurrently.
type callLog struct {
	mu     sync.Mutex
	n      map[string]int
	recent []*time.Time // CreationTimeAfter of each List call
}

func (c *callLog) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
}

func (c *callLog) get(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// searchFake is what a fixture's fake serves besides Search: List returns
// listed (all of them to a full listing, those in recent to a
// CreationTimeAfter one), Describe builds each name's output from the same
// fields as the fixture's record, and ListTags (or DescribeJob) gives
// tags[name].
type searchFake struct {
	search func(*sm.SearchInput) (*sm.SearchOutput, error)
	listed []string
	recent []string
	tags   map[string][]types.Tag
	gone   map[string]bool // Describe says not found
	calls  *callLog
}

func (f searchFake) list(in *time.Time) []string {
	f.calls.add("List")
	f.calls.mu.Lock()
	f.calls.recent = append(f.calls.recent, in)
	f.calls.mu.Unlock()
	if in != nil {
		return f.recent
	}
	return f.listed
}

func (f searchFake) listTags(arnFor func(string) string) func(*sm.ListTagsInput) (*sm.ListTagsOutput, error) {
	return func(in *sm.ListTagsInput) (*sm.ListTagsOutput, error) {
		f.calls.add("ListTags")
		for name, tags := range f.tags {
			if arnFor(name) == aws.ToString(in.ResourceArn) {
				return &sm.ListTagsOutput{Tags: tags}, nil
			}
		}
		return &sm.ListTagsOutput{}, nil
	}
}

func (f searchFake) describe(name string) error {
	f.calls.add("Describe")
	if f.gone[name] {
		return errGone("gone")
	}
	return nil
}

// searchFixture is one kind read with Search.
type searchFixture struct {
	collector, kind string
	resource        types.ResourceType
	immutable       bool
	describeOp      string
	arn             func(name string) string
	record          func(name string, at time.Time, tags ...types.Tag) types.SearchRecord
	slots           []inventory.Slot
	roles           []string
	// describeTags is what the Describe path gives a resource without
	// tags: DescribeJob returns an empty list, read as an empty map.
	describeTags map[string]string
	run          func(t *testing.T, tgt collect.Target, f searchFake) inventory.Inventory
}

var (
	tuningDef = &types.HyperParameterTrainingJobDefinition{
		RoleArn:          aws.String(roleARN),
		ResourceConfig:   &types.ResourceConfig{InstanceType: types.TrainingInstanceTypeMlM5Large, VolumeKmsKeyId: aws.String("key-v")},
		OutputDataConfig: &types.OutputDataConfig{KmsKeyId: aws.String("key-o"), S3OutputPath: aws.String("s3://out/")},
	}
	customizationDoc = `{"OutputConfig":{"KmsKeyArn":"key-o"}}`
	customizationCat = types.JobCategoryAgentRftEvaluation
	featureOnline    = &types.OnlineStoreConfig{EnableOnlineStore: aws.Bool(true), SecurityConfig: &types.OnlineStoreSecurityConfig{KmsKeyId: aws.String("key-on")}}
	featureOffline   = &types.OfflineStoreConfig{S3StorageConfig: &types.S3StorageConfig{KmsKeyId: aws.String("key-off"), S3Uri: aws.String("s3://fs/")}}
	cardSecurity     = &types.ModelCardSecurityConfig{KmsKeyId: aws.String("key-c")}
)

// createdOf is the creation time the fakes' List and Describe give.
func createdOf(string) *time.Time { return aws.Time(created) }

func searchFixtures() []searchFixture {
	tuningARN := func(n string) string { return arnOf("hyper-parameter-tuning-job", n) }
	jobARN := func(n string) string { return arnOf("job", n) }
	fgARN := func(n string) string { return arnOf("feature-group", n) }
	cardARN := func(n string) string { return arnOf("model-card", n) }
	return []searchFixture{
		{
			collector: "sagemaker:hyper-parameter-tuning-jobs", kind: kindTuningJob, immutable: true,
			resource: types.ResourceTypeHyperParameterTuningJob, describeOp: "sagemaker:DescribeHyperParameterTuningJob",
			arn: tuningARN, slots: wantJobSlots, roles: []string{roleARN},
			record: func(name string, at time.Time, tags ...types.Tag) types.SearchRecord {
				return types.SearchRecord{HyperParameterTuningJob: &types.HyperParameterTuningJobSearchEntity{
					HyperParameterTuningJobName: aws.String(name), HyperParameterTuningJobArn: aws.String(tuningARN(name)),
					CreationTime: aws.Time(at), TrainingJobDefinition: tuningDef, Tags: tags,
				}}
			},
			run: func(t *testing.T, tgt collect.Target, f searchFake) inventory.Inventory {
				api := &fakeJobsAPI{t: t, search: f.search, listTags: f.listTags(tuningARN),
					listHyperParameterTuningJobs: func(in *sm.ListHyperParameterTuningJobsInput) (*sm.ListHyperParameterTuningJobsOutput, error) {
						out := &sm.ListHyperParameterTuningJobsOutput{}
						for _, n := range f.list(nil) {
							out.HyperParameterTuningJobSummaries = append(out.HyperParameterTuningJobSummaries, types.HyperParameterTuningJobSummary{
								HyperParameterTuningJobName: aws.String(n), HyperParameterTuningJobArn: aws.String(tuningARN(n)), CreationTime: createdOf(n)})
						}
						return out, nil
					},
					describeHyperParameterTuningJob: func(in *sm.DescribeHyperParameterTuningJobInput) (*sm.DescribeHyperParameterTuningJobOutput, error) {
						n := aws.ToString(in.HyperParameterTuningJobName)
						if err := f.describe(n); err != nil {
							return nil, err
						}
						return &sm.DescribeHyperParameterTuningJobOutput{HyperParameterTuningJobName: aws.String(n),
							HyperParameterTuningJobArn: aws.String(tuningARN(n)), CreationTime: createdOf(n), TrainingJobDefinition: tuningDef}, nil
					},
				}
				return runWith(t, tuningSearchCollector(api), tgt)
			},
		},
		{
			collector: "sagemaker:model-customization-jobs", kind: kindCustomizationJob, immutable: true,
			resource: types.ResourceTypeJob, describeOp: "sagemaker:DescribeJob", describeTags: map[string]string{},
			arn: jobARN, roles: []string{roleARN},
			slots: []inventory.Slot{{Type: "output", Name: "output:OutputConfig.KmsKeyArn", Label: "job configuration OutputConfig.KmsKeyArn", KeyRef: "key-o"}},
			record: func(name string, at time.Time, tags ...types.Tag) types.SearchRecord {
				return types.SearchRecord{Job: &types.Job{JobName: aws.String(name), JobArn: aws.String(jobARN(name)),
					JobCategory: customizationCat, CreationTime: aws.Time(at), RoleArn: aws.String(roleARN),
					JobConfigDocument: aws.String(customizationDoc), JobConfigSchemaVersion: aws.String("1.0"), Tags: tags}}
			},
			run: func(t *testing.T, tgt collect.Target, f searchFake) inventory.Inventory {
				api := &fakeJobsAPI{t: t, search: f.search, // listTags unset: DescribeJob returns the tags
					listJobs: func(in *sm.ListJobsInput) (*sm.ListJobsOutput, error) {
						out := &sm.ListJobsOutput{}
						if in.JobCategory != customizationCat {
							return out, nil
						}
						for _, n := range f.list(nil) {
							out.JobSummaries = append(out.JobSummaries, types.JobSummary{JobName: aws.String(n), JobArn: aws.String(jobARN(n)), CreationTime: createdOf(n)})
						}
						return out, nil
					},
					describeJob: func(in *sm.DescribeJobInput) (*sm.DescribeJobOutput, error) {
						n := aws.ToString(in.JobName)
						if in.JobCategory != customizationCat {
							t.Errorf("DescribeJob %s in category %q, want %q", n, in.JobCategory, customizationCat)
						}
						if err := f.describe(n); err != nil {
							return nil, err
						}
						return &sm.DescribeJobOutput{JobName: aws.String(n), JobArn: aws.String(jobARN(n)), CreationTime: createdOf(n),
							RoleArn: aws.String(roleARN), JobConfigDocument: aws.String(customizationDoc), JobConfigSchemaVersion: aws.String("1.0"),
							Tags: f.tags[n]}, nil
					},
				}
				return runWith(t, customizationSearchCollector(api), tgt)
			},
		},
		{
			collector: "sagemaker:feature-groups", kind: kindFeatureGroup,
			resource: types.ResourceTypeFeatureGroup, describeOp: "sagemaker:DescribeFeatureGroup",
			arn: fgARN, roles: []string{roleARN},
			slots: []inventory.Slot{
				{Type: "online-store", Name: "online-store", Label: "online store", KeyRef: "key-on"},
				{Type: "offline-store", Name: "offline-store", Label: "offline store in S3", KeyRef: "key-off", OutputURI: "s3://fs/"},
			},
			record: func(name string, at time.Time, tags ...types.Tag) types.SearchRecord {
				return types.SearchRecord{FeatureGroup: &types.FeatureGroup{FeatureGroupName: aws.String(name), FeatureGroupArn: aws.String(fgARN(name)),
					CreationTime: aws.Time(at), RoleArn: aws.String(roleARN), OnlineStoreConfig: featureOnline, OfflineStoreConfig: featureOffline,
					FeatureGroupStatus: types.FeatureGroupStatusCreated, Tags: tags}}
			},
			run: func(t *testing.T, tgt collect.Target, f searchFake) inventory.Inventory {
				api := &fakeStudio{fake: fakeAPI{t: t}, search: f.search, listTags: f.listTags(fgARN),
					listFeatureGroups: func(in *sm.ListFeatureGroupsInput) (*sm.ListFeatureGroupsOutput, error) {
						out := &sm.ListFeatureGroupsOutput{}
						for _, n := range f.list(in.CreationTimeAfter) {
							out.FeatureGroupSummaries = append(out.FeatureGroupSummaries, types.FeatureGroupSummary{
								FeatureGroupName: aws.String(n), FeatureGroupArn: aws.String(fgARN(n)), CreationTime: createdOf(n)})
						}
						return out, nil
					},
					describeFeatureGroup: func(in *sm.DescribeFeatureGroupInput) (*sm.DescribeFeatureGroupOutput, error) {
						n := aws.ToString(in.FeatureGroupName)
						if err := f.describe(n); err != nil {
							return nil, err
						}
						return &sm.DescribeFeatureGroupOutput{FeatureGroupName: aws.String(n), FeatureGroupArn: aws.String(fgARN(n)),
							CreationTime: createdOf(n), RoleArn: aws.String(roleARN), OnlineStoreConfig: featureOnline, OfflineStoreConfig: featureOffline}, nil
					},
				}
				return runWith(t, featureGroupSearchCollector(api), tgt)
			},
		},
		{
			collector: "sagemaker:model-cards", kind: kindModelCard,
			resource: types.ResourceTypeModelCard, describeOp: "sagemaker:DescribeModelCard", arn: cardARN,
			slots: []inventory.Slot{{Type: "content", Name: "content", Label: "model card content", KeyRef: "key-c"}},
			record: func(name string, at time.Time, tags ...types.Tag) types.SearchRecord {
				return types.SearchRecord{ModelCard: &types.ModelCard{ModelCardName: aws.String(name), ModelCardArn: aws.String(cardARN(name)),
					CreationTime: aws.Time(at), SecurityConfig: cardSecurity, ModelCardVersion: aws.Int32(1), Tags: tags}}
			},
			run: func(t *testing.T, tgt collect.Target, f searchFake) inventory.Inventory {
				api := &fakeStudio{fake: fakeAPI{t: t}, search: f.search, listTags: f.listTags(cardARN),
					listModelCards: func(in *sm.ListModelCardsInput) (*sm.ListModelCardsOutput, error) {
						out := &sm.ListModelCardsOutput{}
						for _, n := range f.list(in.CreationTimeAfter) {
							out.ModelCardSummaries = append(out.ModelCardSummaries, types.ModelCardSummary{
								ModelCardName: aws.String(n), ModelCardArn: aws.String(cardARN(n)), CreationTime: createdOf(n)})
						}
						return out, nil
					},
					describeModelCard: func(in *sm.DescribeModelCardInput) (*sm.DescribeModelCardOutput, error) {
						n := aws.ToString(in.ModelCardName)
						if err := f.describe(n); err != nil {
							return nil, err
						}
						return &sm.DescribeModelCardOutput{ModelCardName: aws.String(n), ModelCardArn: aws.String(cardARN(n)),
							CreationTime: createdOf(n), SecurityConfig: cardSecurity}, nil
					},
				}
				return runWith(t, modelCardSearchCollector(api), tgt)
			},
		},
	}
}

func tuningSearchCollector(api JobsAPI) collect.Collector {
	return searchCollector(api, "tuning", func() searchKind { return tuningSearch(api) })
}

func customizationSearchCollector(api JobsAPI) collect.Collector {
	return searchCollector(api, "customization", func() searchKind { return customizationSearch(api) })
}

func featureGroupSearchCollector(api StudioAPI) collect.Collector {
	return searchCollector(api, "feature-groups", func() searchKind { return featureGroupSearch(api) })
}

func modelCardSearchCollector(api StudioAPI) collect.Collector {
	return searchCollector(api, "model-cards", func() searchKind { return modelCardSearch(api) })
}

// want is the resource both paths give name, with source and tags.
// twoPageSearch answers Search with "new" (2 h after until) and "old" (2 h
// before) on its first page and "older" (48 h before) on the second,
// recording each page's token in pages.
func (fx searchFixture) twoPageSearch(until time.Time, pages *[]string) searchFake {
	return searchFake{calls: &callLog{}, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
		*pages = append(*pages, aws.ToString(in.NextToken))
		if in.NextToken == nil {
			return &sm.SearchOutput{Results: []types.SearchRecord{
				fx.record("new", until.Add(2*time.Hour)), fx.record("old", until.Add(-2*time.Hour)),
			}, NextToken: aws.String("p2")}, nil
		}
		return &sm.SearchOutput{Results: []types.SearchRecord{fx.record("older", until.Add(-48*time.Hour))}}, nil
	}}
}

// stored is the record of name as the store keeps it: no kind, account or
// region.
func (fx searchFixture) stored(name string, at time.Time) inventory.Resource {
	r := fx.want(name, searchOp, at, nil)
	r.Kind, r.Account, r.Region = "", "", ""
	return r
}

func (fx searchFixture) want(name, source string, at time.Time, tags map[string]string) inventory.Resource {
	return inventory.Resource{Kind: fx.kind, ARN: fx.arn(name), Name: name, Account: target.Account, Region: target.Region,
		CreatedAt: at, Source: source, Tags: tags, Slots: fx.slots, ExecutionRoles: fx.roles}
}

func byName(rs []inventory.Resource) []inventory.Resource {
	out := slices.Clone(rs)
	slices.SortFunc(out, func(a, b inventory.Resource) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// The collectors are the ones the package's constructors return.
func TestSearchKindsAreWired(t *testing.T) {
	names := func(cs []collect.Collector) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name())
		}
		return out
	}
	jobs := names(JobCollectors(&fakeJobsAPI{t: t}))
	studio := names(StudioCollectors(&fakeStudio{fake: fakeAPI{t: t}}))
	for _, fx := range searchFixtures() {
		if !slices.Contains(jobs, fx.collector) && !slices.Contains(studio, fx.collector) {
			t.Errorf("no collector %s", fx.collector)
		}
		if !tagsWithRecord(fx.kind) {
			t.Errorf("%s: tagsWithRecord false for a kind read with Search", fx.kind)
		}
	}
}

// Search pages through every record and carries the tags (nil for none):
// no Describe, ListTags or per-resource List call. Immutable kinds are read
// newest first; mutable ones oldest first, plus one listing of the
// resources created within the index lag.
func TestSearchKindsRead(t *testing.T) {
	for _, fx := range searchFixtures() {
		t.Run(fx.kind, func(t *testing.T) {
			calls := &callLog{}
			var tokens []string
			f := searchFake{calls: calls, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
				calls.add("Search")
				wantOrder := types.SearchSortOrderAscending
				if fx.immutable {
					wantOrder = types.SearchSortOrderDescending
				}
				if in.Resource != fx.resource || aws.ToInt32(in.MaxResults) != 100 || aws.ToString(in.SortBy) != "CreationTime" || in.SortOrder != wantOrder {
					t.Errorf("Search input = %+v, want %s, 100 per page, CreationTime %s", in, fx.resource, wantOrder)
				}
				tokens = append(tokens, aws.ToString(in.NextToken))
				if in.NextToken == nil {
					return &sm.SearchOutput{Results: []types.SearchRecord{fx.record("a", created, tag("team", "a")), {}}, NextToken: aws.String("p2")}, nil
				}
				return &sm.SearchOutput{Results: []types.SearchRecord{fx.record("b", created)}}, nil
			}}
			inv := fx.run(t, target, f)
			assertEqual(t, "tokens", tokens, []string{"", "p2"})
			assertEqual(t, "resources", byName(inv.Resources), []inventory.Resource{
				fx.want("a", searchOp, created, map[string]string{"team": "a"}),
				fx.want("b", searchOp, created, nil),
			})
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
			wantLists := 1 // the recent listing
			if fx.immutable {
				wantLists = 0
			}
			assertEqual(t, "calls", []int{calls.get("Search"), calls.get("List"), calls.get("Describe"), calls.get("ListTags")},
				[]int{2, wantLists, 0, 0})
			if !fx.immutable && (len(calls.recent) != 1 || calls.recent[0] == nil || time.Since(*calls.recent[0]) < DefaultSearchLag) {
				t.Errorf("recent listing CreationTimeAfter = %v, want DefaultSearchLag before the scan", calls.recent)
			}
		})
	}
}

// Without Search permission, or where Search does not know the resource
// type (moto's ValidationException), the kind is listed and described.
func TestSearchKindsFallBack(t *testing.T) {
	for _, fx := range searchFixtures() {
		for _, searchErr := range []error{errDenied, errNoSearch, apiErr("UnknownOperationException", "no Search here")} {
			t.Run(fx.kind+"/"+searchErr.Error(), func(t *testing.T) {
				calls := &callLog{}
				f := searchFake{calls: calls, listed: []string{"fb-1", "fb-2"},
					tags:   map[string][]types.Tag{"fb-1": {tag("team", "b")}},
					search: func(*sm.SearchInput) (*sm.SearchOutput, error) { return nil, searchErr }}
				inv := fx.run(t, target, f)
				assertEqual(t, "resources", byName(inv.Resources), []inventory.Resource{
					fx.want("fb-1", fx.describeOp, created, map[string]string{"team": "b"}),
					fx.want("fb-2", fx.describeOp, created, fx.describeTags),
				})
				assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
				assertEqual(t, "describes", calls.get("Describe"), 2)
			})
		}
	}
}

// A failure on a later page is a gap for Search: the records already read
// are reported, nothing falls back. So is a first page's error that does
// not say Search is unavailable, such as a validation error of another
// field.
func TestSearchKindsFailure(t *testing.T) {
	for _, fx := range searchFixtures() {
		t.Run(fx.kind+"/later page", func(t *testing.T) {
			f := searchFake{calls: &callLog{}, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
				if in.NextToken == nil {
					return &sm.SearchOutput{Results: []types.SearchRecord{fx.record("a", created)}, NextToken: aws.String("p2")}, nil
				}
				return nil, errDenied
			}}
			inv := fx.run(t, target, f)
			assertEqual(t, "resources", inv.Resources, []inventory.Resource{fx.want("a", searchOp, created, nil)})
			assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{{Account: target.Account, Region: target.Region,
				Service: searchOp, Reason: "sagemaker:Search: access denied (AccessDeniedException)"}})
		})
		t.Run(fx.kind+"/invalid request", func(t *testing.T) {
			bad := apiErr("ValidationException", "Value 'x' at 'searchExpression.filters.1.member.operator' failed to satisfy constraint: Member must satisfy enum value set")
			f := searchFake{calls: &callLog{}, search: func(*sm.SearchInput) (*sm.SearchOutput, error) { return nil, bad }}
			inv := fx.run(t, target, f)
			assertEqual(t, "resources", len(inv.Resources), 0)
			if len(inv.Gaps) != 1 || inv.Gaps[0].Service != searchOp {
				t.Errorf("gaps = %+v, want one for sagemaker:Search", inv.Gaps)
			}
		})
	}
}

// An event check (t.Only) describes the named resources: no Search.
func TestSearchKindsOnlyDescribes(t *testing.T) {
	for _, fx := range searchFixtures() {
		t.Run(fx.kind, func(t *testing.T) {
			calls := &callLog{}
			f := searchFake{calls: calls, search: func(*sm.SearchInput) (*sm.SearchOutput, error) {
				t.Error("Search called for an event check")
				return nil, errDenied
			}}
			tgt := target
			ref := collect.Ref{Kind: fx.kind, Name: "ev", ARN: fx.arn("ev")}
			if fx.kind == kindCustomizationJob {
				ref.Parent = string(customizationCat)
			}
			tgt.Only = []collect.Ref{ref}
			inv := fx.run(t, tgt, f)
			if len(inv.Resources) != 1 || inv.Resources[0].Source != fx.describeOp {
				t.Errorf("resources = %+v, want ev described", inv.Resources)
			}
			assertEqual(t, "describes", calls.get("Describe"), 1)
		})
	}
}

// Immutable kinds stop at the stored window (less DefaultSearchLag): the
// page after the cutoff is not read, and stored records older than it are
// reported from the store. --since drops stored records before it.
func TestSearchKindsKnownCutoff(t *testing.T) {
	until := created.Add(24 * time.Hour)
	for _, fx := range searchFixtures() {
		if !fx.immutable {
			continue
		}
		t.Run(fx.kind, func(t *testing.T) {
			var pages []string
			f := fx.twoPageSearch(until, &pages)
			tgt := target
			tgt.Known = knownFake{until: until, records: map[string]map[string]inventory.Resource{fx.kind: {
				fx.arn("old"):    fx.stored("old", until.Add(-2*time.Hour)),
				fx.arn("older"):  fx.stored("older", until.Add(-48*time.Hour)),
				fx.arn("oldest"): fx.stored("oldest", until.Add(-96*time.Hour)),
			}}}
			inv := fx.run(t, tgt, f)
			assertEqual(t, "pages", pages, []string{""})
			assertEqual(t, "resources", byName(inv.Resources), []inventory.Resource{
				fx.want("new", searchOp, until.Add(2*time.Hour), nil),
				fx.want("old", searchOp, until.Add(-2*time.Hour), nil),
				fx.want("older", searchOp, until.Add(-48*time.Hour), nil),
				fx.want("oldest", searchOp, until.Add(-96*time.Hour), nil),
			})

			pages = nil
			tgt.Since = until.Add(-72 * time.Hour)
			inv = fx.run(t, tgt, f)
			if got := len(inv.Resources); got != 3 || slices.ContainsFunc(inv.Resources, func(r inventory.Resource) bool { return r.Name == "oldest" }) {
				t.Errorf("with --since: %d resources %+v, want oldest dropped", got, names(inv))
			}
		})
	}
}

// Mutable kinds describe what the index does not show yet: a resource the
// recent listing names and Search did not return.
func TestSearchKindsDescribeRecentMissing(t *testing.T) {
	for _, fx := range searchFixtures() {
		if fx.immutable {
			continue
		}
		t.Run(fx.kind, func(t *testing.T) {
			calls := &callLog{}
			f := searchFake{calls: calls, recent: []string{"a", "new"}, tags: map[string][]types.Tag{"new": {tag("fresh", "1")}},
				search: func(*sm.SearchInput) (*sm.SearchOutput, error) {
					return &sm.SearchOutput{Results: []types.SearchRecord{fx.record("a", created)}}, nil
				}}
			inv := fx.run(t, target, f)
			assertEqual(t, "resources", byName(inv.Resources), []inventory.Resource{
				fx.want("a", searchOp, created, nil),
				fx.want("new", fx.describeOp, created, map[string]string{"fresh": "1"}),
			})
			assertEqual(t, "calls", []int{calls.get("Describe"), calls.get("ListTags")}, []int{1, 1})
		})
	}
}

// A model card has a record per version: one resource, from the latest.
func TestModelCardSearchKeepsLatestVersion(t *testing.T) {
	fx := searchFixtures()[3]
	version := func(v int32, page string) types.SearchRecord {
		r := fx.record("card", created, tag("version", page))
		r.ModelCard.ModelCardVersion = aws.Int32(v)
		return r
	}
	f := searchFake{calls: &callLog{}, search: func(in *sm.SearchInput) (*sm.SearchOutput, error) {
		if in.NextToken == nil {
			return &sm.SearchOutput{Results: []types.SearchRecord{version(1, "1"), version(3, "3")}, NextToken: aws.String("p2")}, nil
		}
		return &sm.SearchOutput{Results: []types.SearchRecord{version(2, "2")}}, nil
	}}
	inv := fx.run(t, target, f)
	assertEqual(t, "resources", inv.Resources, []inventory.Resource{fx.want("card", searchOp, created, map[string]string{"version": "3"})})
}

// A feature group record without an ARN or being deleted is described:
// the ARN is AWS's, and a group gone since is skipped.
func TestFeatureGroupSearchDescribesIncompleteRecords(t *testing.T) {
	fx := searchFixtures()[2]
	calls := &callLog{}
	noARN := fx.record("no-arn", created, tag("k", "v"))
	noARN.FeatureGroup.FeatureGroupArn = nil
	deleting := fx.record("deleting", created)
	deleting.FeatureGroup.FeatureGroupStatus = types.FeatureGroupStatusDeleting
	f := searchFake{calls: calls, gone: map[string]bool{"deleting": true}, search: func(*sm.SearchInput) (*sm.SearchOutput, error) {
		return &sm.SearchOutput{Results: []types.SearchRecord{noARN, deleting}}, nil
	}}
	inv := fx.run(t, target, f)
	assertEqual(t, "resources", inv.Resources, []inventory.Resource{fx.want("no-arn", fx.describeOp, created, map[string]string{"k": "v"})})
	assertEqual(t, "gaps", inv.Gaps, []inventory.Gap{})
	assertEqual(t, "calls", []int{calls.get("Describe"), calls.get("ListTags")}, []int{2, 0})
}

func TestSearchUnavailable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{errDenied, true},
		{errNoSearch, true},
		{apiErr("UnknownOperationException", "x"), true},
		{apiErr("ValidationException", "Value 'x' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set"), false},
		{apiErr("ValidationException", "Unknown property name: Foo"), false},
		{apiErr("InternalFailure", "boom"), false},
	} {
		if got := searchUnavailable(tc.err); got != tc.want {
			t.Errorf("searchUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
