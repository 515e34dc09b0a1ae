package sagemaker

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/collect"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/motoserver/mototest"
)

// studioCalls is the real client counting the calls that read feature
// groups and model cards.
type studioCalls struct {
	StudioAPI
	mu    sync.Mutex
	calls map[string]int
}

func (c *studioCalls) count(op string) {
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
}

func (c *studioCalls) Search(ctx context.Context, in *sm.SearchInput, optFns ...func(*sm.Options)) (*sm.SearchOutput, error) {
	c.count("Search " + string(in.Resource))
	return c.StudioAPI.Search(ctx, in, optFns...)
}

func (c *studioCalls) ListFeatureGroups(ctx context.Context, in *sm.ListFeatureGroupsInput, optFns ...func(*sm.Options)) (*sm.ListFeatureGroupsOutput, error) {
	c.count("ListFeatureGroups")
	return c.StudioAPI.ListFeatureGroups(ctx, in, optFns...)
}

func (c *studioCalls) DescribeFeatureGroup(ctx context.Context, in *sm.DescribeFeatureGroupInput, optFns ...func(*sm.Options)) (*sm.DescribeFeatureGroupOutput, error) {
	c.count("DescribeFeatureGroup")
	return c.StudioAPI.DescribeFeatureGroup(ctx, in, optFns...)
}

func (c *studioCalls) ListTags(ctx context.Context, in *sm.ListTagsInput, optFns ...func(*sm.Options)) (*sm.ListTagsOutput, error) {
	c.count("ListTags")
	return c.StudioAPI.ListTags(ctx, in, optFns...)
}

// Feature groups read through moto's Search are the resources the Describe
// path gives (name, ARN, creation time, slots, roles), with the tags of the
// record (set, or none: nil), in one Search page and no Describe or
// ListTags per group. moto 5.2.1's FeatureGroup record carries
// FeatureGroupArn, FeatureGroupName, CreationTime, RoleArn,
// OfflineStoreConfig and Tags (it stores no online store), but moto has
// no ListFeatureGroups and no ListTags for feature groups, so:
//   - the recent listing (index lag) is moto's one gap;
//   - the Describe path is run on the names directly, as after a listing;
//   - the tags are compared with the seeded ones.
func TestFeatureGroupsSearchMatchesDescribeAgainstMoto(t *testing.T) {
	ctx := context.Background()
	srv := mototest.ForTest(t)
	client := sm.NewFromConfig(mototest.Config(t, srv, studioMotoRegion))
	seeded := map[string]map[string]string{"fg-tagged": {"team": "features", "env": "prod"}, "fg-plain": nil}
	for name, tags := range seeded {
		var smTags []types.Tag
		for k, v := range tags {
			smTags = append(smTags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		_, err := client.CreateFeatureGroup(ctx, &sm.CreateFeatureGroupInput{
			FeatureGroupName:            aws.String(name),
			RecordIdentifierFeatureName: aws.String("id"),
			EventTimeFeatureName:        aws.String("ts"),
			FeatureDefinitions: []types.FeatureDefinition{
				{FeatureName: aws.String("id"), FeatureType: types.FeatureTypeString},
				{FeatureName: aws.String("ts"), FeatureType: types.FeatureTypeString},
			},
			OfflineStoreConfig: &types.OfflineStoreConfig{S3StorageConfig: &types.S3StorageConfig{
				S3Uri: aws.String("s3://features/" + name), KmsKeyId: aws.String("alias/features"),
			}},
			RoleArn: aws.String(studioMotoRole),
			Tags:    smTags,
		})
		studioMustOK(t, "CreateFeatureGroup "+name, err)
	}
	tgt := collect.Target{Account: studioMotoAccount, Region: studioMotoRegion}

	searched := &studioCalls{StudioAPI: client, calls: map[string]int{}}
	sink := &collect.MemorySink{}
	collect.Run(ctx, []collect.Job{{Target: tgt, Collector: searchCollector(searched, "fg", func() searchKind { return featureGroupSearch(searched) })}}, 1, sink)
	viaSearch := sink.Inventory()

	described := &collect.MemorySink{}
	items := []listed{{name: "fg-plain"}, {name: "fg-tagged"}}
	if err := describeItems(ctx, client, tgt, described, featureGroupSpec(client), knownSet{}, items, "test"); err != nil {
		t.Fatal(err)
	}
	viaDescribe := described.Inventory()

	if len(viaSearch.Resources) != 2 || len(viaDescribe.Resources) != 2 {
		t.Fatalf("read %d groups via Search and %d via Describe, want 2 each", len(viaSearch.Resources), len(viaDescribe.Resources))
	}
	comparable := func(rs []inventory.Resource) []inventory.Resource {
		out := byName(rs)
		for i := range out {
			out[i].Tags, out[i].TagsError, out[i].Source = nil, "", ""
		}
		return out
	}
	assertEqual(t, "groups via Search vs via Describe", comparable(viaSearch.Resources), comparable(viaDescribe.Resources))
	for _, r := range viaSearch.Resources {
		assertEqual(t, r.Name+" tags from the record", r.Tags, seeded[r.Name])
		assertEqual(t, r.Name+" slots", r.Slots, []inventory.Slot{{Type: "offline-store", Name: "offline-store",
			Label: "offline store in S3", KeyRef: "alias/features", OutputURI: "s3://features/" + r.Name}})
		assertEqual(t, r.Name+" roles", r.ExecutionRoles, []string{studioMotoRole})
		if r.ARN != arnOfMoto("feature-group", r.Name) || r.CreatedAt.IsZero() {
			t.Errorf("%s: ARN %q, created %v", r.Name, r.ARN, r.CreatedAt)
		}
	}
	// One Search page and the recent listing; no Describe, no ListTags.
	assertEqual(t, "calls", searched.calls, map[string]int{"Search FeatureGroup": 1, "ListFeatureGroups": 1})
	if len(viaSearch.Gaps) != 1 || viaSearch.Gaps[0].Service != "sagemaker:ListFeatureGroups" {
		t.Errorf("gaps = %+v, want moto's missing ListFeatureGroups only", viaSearch.Gaps)
	}

	// moto's records themselves, built as collectSearch builds them.
	out, err := client.Search(ctx, &sm.SearchInput{Resource: types.ResourceTypeFeatureGroup})
	studioMustOK(t, "Search", err)
	kind := featureGroupSearch(client)
	var fromRecords []inventory.Resource
	for _, rec := range out.Results {
		r, ok := kind.record(rec)
		if !ok || r.describe != "" {
			t.Fatalf("record %+v: ok %v, describe %q", rec.FeatureGroup, ok, r.describe)
		}
		res := r.res
		res.Kind, res.Account, res.Region = kindFeatureGroup, studioMotoAccount, studioMotoRegion
		assertEqual(t, res.Name+" record tags", addTags(nil, r.tags), seeded[res.Name])
		fromRecords = append(fromRecords, res)
	}
	assertEqual(t, "records vs Describe", comparable(fromRecords), comparable(viaDescribe.Resources))
}

func arnOfMoto(kind, name string) string {
	return "arn:aws:sagemaker:" + studioMotoRegion + ":" + studioMotoAccount + ":" + kind + "/" + name
}
