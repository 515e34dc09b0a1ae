package checkdoc

import (
	"fmt"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
)

// TaggingSearchFile is the generated page of docs/ that TaggingSearchPage
// renders.
const TaggingSearchFile = "tagging-and-search.md"

// TaggingSearchPage is docs/tagging-and-search.md: for every kind, whether
// AWS documents that tag:GetResources serves its tags and that
// sagemaker:Search returns records complete enough to replace Describe,
// from the catalog (internal/catalog/readpaths.go), with the documented
// behaviour of both APIs.
func TaggingSearchPage() string {
	var b strings.Builder
	b.WriteString(banner)
	b.WriteString("# Reading tags and records in pages\n\n" +
		"sagekey reads most kinds with a List call, then `Describe` and `ListTags` per resource. Two APIs read " +
		"many resources per call: the Resource Groups Tagging API (`tag:GetResources`, tags of up to 100 " +
		"resources a page) and SageMaker `Search` (full records with their tags, up to 100 a page). This page " +
		"records, per kind, whether AWS documents that each can serve it, and why not when it does not. A kind " +
		"without a documented answer keeps `ListTags` or `Describe`, which are always correct.\n\n" +
		"The facts live in the catalog (`Kind.TaggingType`, `TaggingWhyNot`, `SearchResource`, `SearchWhyNot`; " +
		"one table in `internal/catalog/readpaths.go`); this page is generated from them.\n\n")
	b.WriteString("## Per kind\n\n")
	b.WriteString(TaggingSearchTable())
	b.WriteString(taggingSearchFacts())
	return b.String()
}

// TaggingSearchTable is one row per kind.
func TaggingSearchTable() string {
	var b strings.Builder
	b.WriteString("| Kind | `GetResources` `ResourceTypeFilters` | `Search` `Resource` |\n|---|---|---|\n")
	for _, k := range catalog.Kinds() {
		tagging := "no: " + cell(k.TaggingWhyNot)
		if k.TaggingType != "" {
			tagging = code(k.TaggingType)
		}
		search := "no: " + cell(k.SearchWhyNot)
		if k.SearchResource != "" {
			search = code(k.SearchResource) + " (suffices)"
			if k.SearchNote != "" {
				search = code(k.SearchResource) + " (suffices; " + cell(k.SearchNote) + ")"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k.ID, tagging, search)
	}
	return b.String()
}

func taggingSearchFacts() string {
	return `
## Resource Groups Tagging API: what AWS documents

Sources: [GetResources](` + catalog.DocGetResources + `),
[Services that support the Resource Groups Tagging API](` + catalog.DocTaggingServices + `),
[Resource Groups supported resources](` + catalog.DocARGSupported + `) (section Amazon SageMaker),
[Actions, resources, and condition keys for Amazon Resource Group Tagging API](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonresourcegrouptaggingapi.html).

- **Which SageMaker types.** ` + "`ResourceTypeFilters`" + ` entries are ` + "`service[:resourceType]`" + `, and "the string
  for each service name and resource type is the same as that embedded in a resource's ARN". The only page that
  names SageMaker types is the Resource Groups table: Endpoint, EndpointConfig, HyperParameterTuningJob,
  LabelingJob, Model, NotebookInstance, TrainingJob, TransformJob and Workteam are listed for tag-based groups.
  The Tagging API's own page says GetResources supports "all resource types" but names none, so for every other
  kind the documentation is ambiguous and the kind is marked unsupported.
- **Only tagged resources.** GetResources returns resources that are tagged or were tagged once (the latter with
  ` + "`\"Tags\": []`" + `); it "does not return untagged resources". A resource a List call found and GetResources did
  not return has no tags; GetResources cannot list a kind.
- **Regional.** It returns the resources "located in the specified Region for the account": one pass per region.
- **Pages.** ` + "`ResourcesPerPage`" + ` is 1 to 100; ` + "`TagsPerPage`" + ` (100 to 500) is discouraged in favour of it. Repeat
  with ` + "`PaginationToken`" + ` until it comes back empty. Up to 100 filter entries per request.
  ` + "`ResourceARNList`" + ` cannot be combined with ` + "`ResourceTypeFilters`" + `, ` + "`TagFilters`" + ` or pagination, and an ARN
  that does not exist is left out without an error. The operation has its own rate limit (Service Quotas).
- **ARNs.** Each ` + "`ResourceTagMappingList`" + ` entry carries ` + "`ResourceARN`" + `, the resource's ARN:
  ` + "`arn:<partition>:sagemaker:<region>:<account>:<type>/<name>`" + ` for the supported kinds. Model package
  versions are ` + "`model-package/<group>/<version>`" + ` and user profiles ` + "`user-profile/<domain-id>/<name>`" + `
  (Service Authorization Reference); neither kind is served. AWS does not say that the ARN is byte for byte the
  one SageMaker's List and Describe calls return; sagekey's reading: join on the ARN the List call returned,
  compared case-insensitively.
- **Consistency.** The GetResources reference states no consistency model or delay. sagekey's reading: treat it
  as eventually consistent, like any index, so a tag changed moments before a scan may not show yet.
- **Permission.** ` + "`tag:GetResources`" + ` (service prefix ` + "`tag`" + `), on resource ` + "`*`" + `; the managed policy
  ` + "`ResourceGroupsandTagEditorReadOnlyAccess`" + ` grants it.

## SageMaker Search: what AWS documents

Sources: [Search](` + catalog.DocSearch + `), the SDK's ` + "`types.ResourceType`" + ` and ` + "`types.SearchRecord`" + `
(` + "`github.com/aws/aws-sdk-go-v2/service/sagemaker`" + ` v1.287.0).

- **Which kinds.** ` + "`types.ResourceType`" + ` names 20 searchable types; eight are kinds of this catalog:
  ` + "`TrainingJob`, `HyperParameterTuningJob`, `Endpoint`, `FeatureGroup`, `ModelCard`, `ModelPackage`, `Pipeline`, `Job`" + `.
  Processing, transform, AutoML and the other jobs, notebook instances, endpoint configs, domains, clusters and
  Model Monitor kinds are not searchable.
- **Suffices when the record is complete.** A kind reads by Search only when its record carries every field the
  collector's Describe is read for and its tags; ` + "`internal/catalog/readpaths_test.go`" + ` walks those fields through
  the SDK types:
  - ` + "`TrainingJob`" + `: ARN, name, ` + "`CreationTime`, `RoleArn`, `ResourceConfig` (`VolumeKmsKeyId`, `InstanceType`, `InstanceGroups[].InstanceType`), `OutputDataConfig` (`KmsKeyId`, `S3OutputPath`), `Tags`" + `. Already used by
    ` + "`internal/collect/sagemaker/training.go`" + `, which falls back to List + Describe when Search is denied.
  - ` + "`HyperParameterTuningJob`" + `: ARN, name, ` + "`CreationTime`, `Tags`, `TrainingJobDefinition(s)` with `RoleArn`, `ResourceConfig` or `HyperParameterTuningResourceConfig` (volume key, instance types), `OutputDataConfig.KmsKeyId`" + `.
  - ` + "`FeatureGroup`" + `: ARN, name, ` + "`CreationTime`, `RoleArn`, `Tags`, `OnlineStoreConfig` (`EnableOnlineStore`, `StorageType`, `SecurityConfig.KmsKeyId`), `OfflineStoreConfig.S3StorageConfig` (`KmsKeyId`, `S3Uri`)" + `.
  - ` + "`ModelCard`" + `: ARN, name, ` + "`CreationTime`, `Tags`, `SecurityConfig.KmsKeyId`" + `. The record also carries
    ` + "`ModelCardVersion`" + ` and ` + "`Content`" + `, as ` + "`DescribeModelCard`" + ` does; keep one record per ARN.
  - ` + "`Job`" + ` (model customization jobs): ARN, name, ` + "`JobCategory`, `CreationTime`, `RoleArn`, `Tags`, `JobConfigDocument`, `JobConfigSchemaVersion`" + `, everything ` + "`DescribeJob`" + ` gives, without one ` + "`ListJobs`" + ` per job category.
  - ` + "`HyperParameterTuningJob`, `Job`, `FeatureGroup` and `ModelCard`" + ` are read by
    ` + "`internal/collect/sagemaker/search_kinds.go`" + `, which falls back to List + Describe when Search is denied or
    does not know the resource type.
  - ` + "`Endpoint`" + `: ARN, name, ` + "`CreationTime`, `LastModifiedTime`, `EndpointStatus`, `EndpointConfigName`, `Tags`" + `; the
    keys and roles are the endpoint config's (` + "`DescribeEndpointConfig`" + `, once per config) either way. The record
    has no ` + "`PendingDeploymentSummary`" + `, which AWS returns "only when the endpoint is creating or updating", so an
    endpoint whose status is not ` + "`InService`, `OutOfService` or `Failed`" + ` is still described. Used by
    ` + "`internal/collect/sagemaker/endpoint_search.go`" + `, which falls back to List + Describe when Search is denied.
  - Not sufficient: ` + "`Pipeline`" + ` (no ` + "`PipelineDefinition`" + `), ` + "`ModelPackage`" + ` (no ` + "`IncludedData=MetadataOnly`" + `; AWS does not
    say whether Search needs ` + "`kms:Decrypt`" + ` on the content key).
- **Pages and order.** ` + "`MaxResults`" + ` is at most 100; ` + "`SortBy`" + ` takes any resource property (default
  ` + "`LastModifiedTime`" + `), ` + "`SortOrder`" + ` defaults to ` + "`Descending`" + `; a ` + "`SearchExpression`" + ` holds at most 50
  filters, nested filters and sub-expressions (operators ` + "`Equals`, `NotEquals`, `GreaterThan(OrEqualTo)`, `LessThan(OrEqualTo)`, `Contains`, `Exists`, `NotExists`, `In`" + `).
  Without ` + "`CrossAccountFilterOption`" + ` only the caller's own account is searched.
- **Permission.** ` + "`sagemaker:Search`" + `, separate from the List and Describe actions; AWS warns that "the Search API may
  provide access to otherwise restricted data".
- **Consistency.** Search reads an index. AWS does not document how far it trails the API; sagekey's reading is
  seconds to minutes, so by default a re-scan searches an hour behind its last complete listing (` + "`--search-lag`" + `,
  ` + "`DefaultSearchLag`" + ` in ` + "`training.go`" + `; every hour below is that lag). Endpoints change in place, so their records
  may also be stale: one ` + "`ListEndpoints`" + ` page (` + "`LastModifiedTimeAfter`" + ` an hour before the scan) names the endpoints
  changed since, and each one Search did not return, or returned with another ` + "`LastModifiedTime`" + `, is described.
  Tuning and customization jobs are read as training jobs (immutable: newest first, an hour behind the stored
  window). Feature groups and model cards change in place, but not their keys or roles: one ` + "`ListFeatureGroups`" + `
  or ` + "`ListModelCards`" + ` page (` + "`CreationTimeAfter`" + ` an hour before the scan) names the ones created since, and each
  one Search did not return is described.
`
}
