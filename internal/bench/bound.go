package bench

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// apiMaxPageSize is the API maximum MaxResults of Search and of the List
// calls of the five estate kinds, and the maximum Limit of kms:ListGrants.
// The bound assumes a scanner uses it.
const apiMaxPageSize = 100

// iamMaxPageSize is the largest MaxItems of
// iam:GetAccountAuthorizationDetails.
const iamMaxPageSize = 1000

const (
	describeModelOp = "sagemaker:DescribeModel"
	listGrantsOp    = "kms:ListGrants"
	iamDetailsOp    = "iam:GetAccountAuthorizationDetails"
)

// kmsReadsPerKey are the reads sagekey's key resolver makes once per
// distinct customer-managed key in the scanning account
// (internal/keys: resolver.go and resolver_inspect.go): DescribeKey, then
// rotation, policy and one page of tags. The key's grants, read because
// the key-access checks are selected by default (WithGrants), are a
// listing: kms:ListGrants, one page per 100 grants (listGrantsLine).
func kmsReadsPerKey() []string {
	return []string{"kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy", "kms:ListResourceTags"}
}

const (
	getResourcesOp      = "tag:GetResources"
	listTagsOp          = "sagemaker:ListTags"
	listEndpointsOp     = "sagemaker:ListEndpoints"
	searchTraining      = "TrainingJob"
	searchEndpoint      = "Endpoint"
	sagekeyTagLagDoc    = "--tag-lag"
	sagekeySearchLagDoc = "--search-lag"
	// sagekeyDefaultSearchLag is sagekey's --search-lag default
	// (collect/sagemaker DefaultSearchLag), taken when BoundInput.SearchLag
	// is not set.
	sagekeyDefaultSearchLag = time.Hour
)

// RegionCounts is the estate of one region, as the bound sees it.
type RegionCounts struct {
	Region          string
	TrainingJobs    int
	ProcessingJobs  int
	Notebooks       int
	EndpointConfigs int
	Endpoints       int
	Clusters        int
	// Models is the number of distinct models the region's endpoint
	// configs (and transform jobs, of which the bench seeds none) name.
	Models int
	// Untagged counts the resources of the kinds whose tags come from
	// tag:GetResources that carry no tag (GetResources returns only
	// resources that are or were tagged): each costs a ListTags. The bench
	// tags every resource.
	Untagged int
}

// indexed is the number of the region's resources whose tags sagekey asks
// the tag index for: every kind except training jobs and endpoints, whose
// Search records carry their tags.
func (r RegionCounts) indexed() int {
	return r.ProcessingJobs + r.Notebooks + r.EndpointConfigs + r.Clusters
}

// BoundInput is what the lower bound is computed from.
type BoundInput struct {
	Regions      []RegionCounts
	DistinctKeys int // distinct KMS keys referenced by the estate
	// KeyGrants holds the number of grants of each distinct key that has
	// any; the other keys have none. The bench creates none.
	KeyGrants []int
	// IAM is what iam:GetAccountAuthorizationDetails lists for the scanned
	// account under sagekey's filter (roles, local and AWS-managed
	// policies), measured after seeding; nil when no resource runs as a
	// role, and the account's IAM is not read.
	IAM *IAMListing

	// The estate is seeded in one burst before the scans, so each of these
	// holds for all of its resources or for none.
	//
	// WithinTagLag: the resources were created within --tag-lag before the
	// scan started, so sagekey does not trust the eventually consistent
	// tag index for them and reads every tag with ListTags.
	WithinTagLag bool
	// EndpointsRecent: the endpoints were modified within --search-lag
	// (Search's index lag) before the scan started, so the ListEndpoints
	// page of recent changes returns them all.
	EndpointsRecent bool
	// JobsInSearchWindow (re-scan only): the training jobs were created
	// after --search-lag before the previous scan started, so the re-scan,
	// which searches from there because Search's index lags, pages them
	// again.
	JobsInSearchWindow bool
	// TagLag is the --tag-lag the scans ran with (for the derivations).
	TagLag time.Duration
	// SearchLag is the --search-lag the scans ran with (for the
	// derivations); 0 is sagekey's default, an hour.
	SearchLag time.Duration
}

// searchLag is the --search-lag the scans ran with.
func (in BoundInput) searchLag() time.Duration {
	if in.SearchLag > 0 {
		return in.SearchLag
	}
	return sagekeyDefaultSearchLag
}

// IAMListing is what one account's GetAccountAuthorizationDetails returns
// with the filter Role, LocalManagedPolicy, AWSManagedPolicy.
type IAMListing struct {
	Roles                int `json:"roles"`
	LocalManagedPolicies int `json:"local_managed_policies"`
	AWSManagedPolicies   int `json:"aws_managed_policies"`
	// Responses is how many responses the emulator served at MaxItems
	// 1000 to list it all.
	Responses int `json:"responses"`
}

// Items is the number of entries the listing returns.
func (l IAMListing) Items() int { return l.Roles + l.LocalManagedPolicies + l.AWSManagedPolicies }

// BoundLine is one term of a lower bound, with the calls actually observed
// for the same operations beside it.
type BoundLine struct {
	Label      string   `json:"label"`
	Calls      int      `json:"calls"`
	Derivation string   `json:"derivation"`
	Observed   int      `json:"observed"`
	Details    []string `json:"details,omitempty"`
}

// LowerBound is the minimum number of API calls a correct scan of the
// estate needs, term by term.
type LowerBound struct {
	Phase string      `json:"phase"`
	Lines []BoundLine `json:"lines"`
	Total int         `json:"total"`
	// Observed is the number of calls the phase made.
	Observed int      `json:"observed"`
	Notes    []string `json:"notes,omitempty"`
}

// FirstScanBound is the bound for a scan with nothing stored:
//
//   - one page per 100 records of every List, Search and GetResources
//     call the estate needs, per region and kind as sagekey reads it
//     (training jobs and endpoints with Search, tags with one
//     GetResources index per region, the endpoints modified within
//     --search-lag with one ListEndpoints query, the other kinds with List), and
//     one page for every listing of a kind the estate leaves empty;
//   - one Describe per mutable record neither Search nor a stored record
//     covers (notebooks, clusters; endpoints only while a deployment may
//     be pending) and per immutable record not stored yet (endpoint
//     configs, processing jobs), and one DescribeModel per distinct model
//     the endpoint configs serve;
//   - one ListTags per record GetResources does not return (never tagged,
//     or created within --tag-lag);
//   - four KMS reads per distinct key, plus its ListGrants pages;
//   - the account's IAM listing and one identity call.
func FirstScanBound(in BoundInput, observed Counts) LowerBound {
	return lowerBound("first scan", in, observed, false)
}

// RescanBound is the bound for a re-scan of the unchanged estate by a
// scanner that stores immutable records: endpoint configs and jobs are not
// described again, so neither are the configs' models; training jobs cost
// the Search pages from --search-lag before the last scan (Search's index
// lags: a job created just before it may not have been indexed yet). Notebooks
// and clusters are mutable and described again; tags are mutable and read
// again; keys, grants and IAM policies can change and are read again.
func RescanBound(in BoundInput, observed Counts) LowerBound {
	return lowerBound("re-scan", in, observed, true)
}

func lowerBound(phase string, in BoundInput, observed Counts, rescan bool) LowerBound {
	b := LowerBound{Phase: phase, Observed: observed.Total()}
	counted := map[string]bool{}
	add := func(line BoundLine, ops ...string) {
		for _, op := range ops {
			counted[op] = true
			line.Observed += observed.Calls[op]
		}
		b.Lines = append(b.Lines, line)
	}
	field := func(f func(RegionCounts) int) []int {
		out := make([]int, len(in.Regions))
		for i, r := range in.Regions {
			out[i] = f(r)
		}
		return out
	}
	training := field(func(r RegionCounts) int { return r.TrainingJobs })
	processing := field(func(r RegionCounts) int { return r.ProcessingJobs })
	notebooks := field(func(r RegionCounts) int { return r.Notebooks })
	configs := field(func(r RegionCounts) int { return r.EndpointConfigs })
	endpoints := field(func(r RegionCounts) int { return r.Endpoints })
	clusters := field(func(r RegionCounts) int { return r.Clusters })

	// Training jobs: Search returns configuration and tags, 100 per page.
	search := BoundLine{Label: "sagemaker:Search Resource=TrainingJob"}
	switch {
	case rescan && !in.JobsInSearchWindow:
		search.Calls = len(in.Regions)
		search.Derivation = fmt.Sprintf("1 page × %d regions: no job was created after %s %s before the last scan "+
			"(sagekey searches from there because Search's index lags)", len(in.Regions), sagekeySearchLagDoc, in.searchLag())
	case rescan:
		search.Calls, search.Derivation = pagesPerRegion(in.Regions, training)
		search.Derivation += fmt.Sprintf("; sagekey searches again from %s %s before the last scan (Search's index lags), "+
			"and every job the bench seeded is younger than that", sagekeySearchLagDoc, in.searchLag())
	default:
		search.Calls, search.Derivation = pagesPerRegion(in.Regions, training)
	}
	search.Observed = observed.searchCalls(searchTraining)
	b.Lines = append(b.Lines, search)

	// Endpoints: Search returns name, config, status and tags, 100 per page.
	epSearch := BoundLine{Label: "sagemaker:Search Resource=Endpoint"}
	epSearch.Calls, epSearch.Derivation = pagesPerRegion(in.Regions, endpoints)
	epSearch.Observed = observed.searchCalls(searchEndpoint)
	b.Lines = append(b.Lines, epSearch)
	counted[searchOperation] = true

	recent := BoundLine{Label: listEndpointsOp + " (modified within " + sagekeySearchLagDoc + ")"}
	if in.EndpointsRecent {
		recent.Calls, recent.Derivation = pagesPerRegion(in.Regions, endpoints)
		recent.Derivation += fmt.Sprintf(" (LastModifiedTimeAfter = start − %s %s: every seeded endpoint is younger than that)",
			sagekeySearchLagDoc, in.searchLag())
	} else {
		recent.Calls = len(in.Regions)
		recent.Derivation = fmt.Sprintf("1 empty page × %d regions (no endpoint modified within %s %s of the scan)",
			len(in.Regions), sagekeySearchLagDoc, in.searchLag())
	}
	add(recent, listEndpointsOp)

	lists := []struct {
		op     string
		counts []int
	}{
		{"sagemaker:ListProcessingJobs", processing},
		{"sagemaker:ListNotebookInstances", notebooks},
		{"sagemaker:ListEndpointConfigs", configs},
		{"sagemaker:ListClusters", clusters},
	}
	for _, l := range lists {
		calls, why := pagesPerRegion(in.Regions, l.counts)
		add(BoundLine{Label: l.op, Calls: calls, Derivation: why}, l.op)
	}
	add(getResourcesLine(in), getResourcesOp)

	describes := []struct {
		op, noun string
		counts   []int
		stored   bool
	}{
		{"sagemaker:DescribeProcessingJob", "processing jobs", processing, rescan},
		{"sagemaker:DescribeNotebookInstance", "notebook instances", notebooks, false},
		{"sagemaker:DescribeEndpointConfig", "endpoint configs", configs, rescan},
		{"sagemaker:DescribeCluster", "clusters", clusters, false},
	}
	for _, d := range describes {
		n := total(d.counts)
		line := BoundLine{Label: d.op, Calls: n, Derivation: fmt.Sprintf("1 per record × %d %s (no listing returns their key fields)", n, d.noun)}
		if d.stored {
			line.Calls = 0
			line.Derivation = fmt.Sprintf("0: the %d %s are immutable, stored by ARN + creation time", n, d.noun)
		}
		add(line, d.op)
	}
	add(BoundLine{Label: "sagemaker:DescribeEndpoint", Derivation: fmt.Sprintf("0: Search returns the %d endpoints' config, status and tags; "+
		"only a status that may carry a pending deployment needs Describe (moto's endpoints are InService)", total(endpoints))}, "sagemaker:DescribeEndpoint")
	add(BoundLine{Label: "sagemaker:DescribeTrainingJob", Derivation: fmt.Sprintf("0: Search returns the %d training jobs' key fields and tags", total(training))},
		"sagemaker:DescribeTrainingJob")

	add(listTagsLine(in), listTagsOp)

	b.Lines = append(b.Lines, otherListingsLine(observed, counted))

	add(describeModelLine(in, configs, endpoints, rescan), describeModelOp)
	for _, op := range kmsReadsPerKey() {
		add(BoundLine{Label: op, Calls: in.DistinctKeys, Derivation: fmt.Sprintf("1 per distinct key × %d keys referenced", in.DistinctKeys)}, op)
	}
	add(listGrantsLine(in), listGrantsOp)
	add(iamLine(in.IAM), iamDetailsOp)
	add(BoundLine{Label: "sts:GetCallerIdentity", Calls: 1, Derivation: "1 per scan (the account the findings belong to)"}, "sts:GetCallerIdentity")

	for _, l := range b.Lines {
		b.Total += l.Calls
	}
	if rest := outsideLine(observed, counted); rest.Observed > 0 {
		b.Lines = append(b.Lines, rest)
	}
	b.Notes = append(pageSizeNotes(observed), listGrantsNotes(observed)...)
	return b
}

// getResourcesLine charges the tag index: per region whose resources ask
// it, one GetResources query (every needed kind's ResourceTypeFilter in
// one request) at 100 resources a page, the tagged resources being what
// it returns. A region with nothing to ask, or whose resources are all
// within --tag-lag, reads no page.
func getResourcesLine(in BoundInput) BoundLine {
	line := BoundLine{Label: getResourcesOp + " (tags of the other kinds)"}
	if in.WithinTagLag {
		line.Derivation = fmt.Sprintf("0: every resource was created within %s %s of the scan, too new for the index", sagekeyTagLagDoc, in.TagLag)
		return line
	}
	terms := make([]string, len(in.Regions))
	for i, r := range in.Regions {
		n := r.indexed()
		tagged := n - r.Untagged
		switch {
		case n == 0:
			terms[i] = r.Region + " 0 (nothing to ask)"
		default:
			p := pages(tagged)
			line.Calls += p
			terms[i] = fmt.Sprintf("%s ceil(%d/%d)=%d", r.Region, tagged, apiMaxPageSize, p)
		}
	}
	line.Derivation = strings.Join(terms, " + ") + " (tagged processing jobs, notebooks, endpoint configs and clusters; " +
		"training jobs and endpoints have their tags in their Search records)"
	return line
}

// listTagsLine charges one ListTags per record the tag index does not
// serve: never tagged (GetResources does not return it) or created within
// --tag-lag.
func listTagsLine(in BoundInput) BoundLine {
	line := BoundLine{Label: listTagsOp}
	indexed, untagged := 0, 0
	for _, r := range in.Regions {
		indexed += r.indexed()
		untagged += r.Untagged
	}
	if in.WithinTagLag {
		line.Calls = indexed
		line.Derivation = fmt.Sprintf("1 per record × %d records created within %s %s of the scan (the index may not have them yet)",
			indexed, sagekeyTagLagDoc, in.TagLag)
		return line
	}
	line.Calls = untagged
	line.Derivation = fmt.Sprintf("1 per record GetResources does not return: %d never tagged + 0 created within %s %s "+
		"(of %d records whose tags come from the index)", untagged, sagekeyTagLagDoc, in.TagLag, indexed)
	return line
}

// describeModelLine charges the execution roles of the endpoint configs'
// models. sagekey's collectors read each model once per scan and region
// (internal/collect/sagemaker/roles.go, modelRoles, shared by the hosting,
// transform-job and pipeline collectors), and endpoints take their config's
// roles from the config cache (endpoint.go fromConfig), never from a model.
// On a re-scan the configs are reused from the store with the roles an
// earlier scan recorded (hosting.go configCache.remember), and the
// re-described endpoints find them there, so no model is read again.
func describeModelLine(in BoundInput, configs, endpoints []int, rescan bool) BoundLine {
	models := 0
	terms := make([]string, len(in.Regions))
	for i, r := range in.Regions {
		models += r.Models
		terms[i] = fmt.Sprintf("%s %d", r.Region, r.Models)
	}
	line := BoundLine{Label: describeModelOp + " (execution roles)"}
	if rescan {
		line.Derivation = fmt.Sprintf("0: the %d endpoint configs are reused from the store with their execution roles, and the %d endpoints "+
			"(described again) take theirs from those configs; a model is read only for a config described again; no transform jobs seeded",
			total(configs), total(endpoints))
		return line
	}
	line.Calls = models
	line.Derivation = fmt.Sprintf("1 per distinct model (cached per scan and region) × %d models served by %d endpoint configs (%s); "+
		"the %d endpoints take their config's roles; no transform jobs seeded", models, total(configs), strings.Join(terms, " + "), total(endpoints))
	return line
}

// listGrantsLine charges one ListGrants page per distinct key, and one more
// per further 100 grants of a key (Limit 100, the API maximum).
func listGrantsLine(in BoundInput) BoundLine {
	extra, withGrants := 0, 0
	for _, g := range in.KeyGrants {
		if g > 0 {
			withGrants++
			extra += pages(g) - 1
		}
	}
	line := BoundLine{Label: listGrantsOp, Calls: in.DistinctKeys + extra}
	if withGrants == 0 {
		line.Derivation = fmt.Sprintf("1 page per distinct key × %d keys referenced (none has grants; a key with g > %d grants needs ceil(g/%d) pages)",
			in.DistinctKeys, apiMaxPageSize, apiMaxPageSize)
	} else {
		line.Derivation = fmt.Sprintf("1 page per distinct key × %d keys + %d more pages for the %d keys with more than %d grants (ceil(g/%d) pages each)",
			in.DistinctKeys, extra, withGrants, apiMaxPageSize, apiMaxPageSize)
	}
	return line
}

// iamLine charges the account's one IAM listing: sagekey reads the roles
// resources run as, with their policies, in one paginated
// GetAccountAuthorizationDetails per scanned account (IAM is global), at
// 1000 items a page, assuming MaxItems counts roles and policies together.
func iamLine(l *IAMListing) BoundLine {
	line := BoundLine{Label: iamDetailsOp}
	if l == nil {
		line.Derivation = "0: no resource runs as a role, so no account's IAM is read"
		return line
	}
	line.Calls = pagesOf(l.Items(), iamMaxPageSize)
	line.Derivation = fmt.Sprintf("1 scanned account × max(1, ceil((%d roles + %d local + %d AWS-managed policies)/%d)) pages; "+
		"moto, asked after seeding, served these %d items in %d response%s",
		l.Roles, l.LocalManagedPolicies, l.AWSManagedPolicies, iamMaxPageSize, l.Items(), l.Responses, plural(l.Responses, "", "s"))
	if l.Responses < line.Calls {
		line.Derivation += " (moto ignores MaxItems: AWS would page them)"
	}
	return line
}

// pagesPerRegion is Σ over regions of ceil(n/100), at least 1: an empty
// kind still takes one page to prove empty.
func pagesPerRegion(regions []RegionCounts, counts []int) (int, string) {
	calls := 0
	terms := make([]string, len(regions))
	for i, r := range regions {
		p := pages(counts[i])
		calls += p
		terms[i] = fmt.Sprintf("%s ceil(%d/%d)=%d", r.Region, counts[i], apiMaxPageSize, p)
		if counts[i] == 0 {
			terms[i] = fmt.Sprintf("%s 1 (empty)", r.Region)
		}
	}
	return calls, strings.Join(terms, " + ")
}

func pages(n int) int { return pagesOf(n, apiMaxPageSize) }

// pagesOf is ceil(n/size), at least 1.
func pagesOf(n, size int) int {
	if n <= 0 {
		return 1
	}
	return (n + size - 1) / size
}

func total(counts []int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// isEstateListing reports whether q lists one of the estate kinds (or
// reads the tag index), charged per region above rather than as a question
// about an empty kind.
func isEstateListing(q ListQuery) bool {
	switch q.Operation {
	case "sagemaker:ListNotebookInstances", "sagemaker:ListEndpointConfigs", listEndpointsOp,
		"sagemaker:ListClusters", "sagemaker:ListTrainingJobs", "sagemaker:ListProcessingJobs", getResourcesOp:
		return true
	case searchOperation:
		return q.Resource == searchTraining || q.Resource == searchEndpoint
	}
	return false
}

// searchCalls counts the Search requests for one Resource.
func (c Counts) searchCalls(resource string) int {
	n := 0
	for _, q := range c.Queries {
		if q.Operation == searchOperation && q.Resource == resource {
			n += q.Calls
		}
	}
	return n
}

// otherListingsLine charges one page for every distinct listing question
// the scan asked about a kind outside the estate. The bench seeds none, so
// each such question is answered by one empty page, and without asking it a
// scanner cannot know the kind is empty. Which questions are needed is
// observed, not assumed: it depends on the kinds the scanner covers (e.g.
// ListJobs is asked once per job category).
func otherListingsLine(observed Counts, counted map[string]bool) BoundLine {
	perOp := map[string]int{}
	calls := map[string]int{}
	for _, q := range observed.Queries {
		if isEstateListing(q) || q.Operation == listGrantsOp { // ListGrants is charged per key
			continue
		}
		perOp[q.Operation]++
		calls[q.Operation] += q.Calls
	}
	line := BoundLine{Label: "other List/Search queries (kinds the estate leaves empty)"}
	for _, op := range slices.Sorted(maps.Keys(perOp)) {
		line.Calls += perOp[op]
		line.Observed += calls[op]
		counted[op] = true
		line.Details = append(line.Details, fmt.Sprintf("%s: %d distinct quer%s, %d calls", op, perOp[op], plural(perOp[op], "y", "ies"), calls[op]))
	}
	line.Derivation = fmt.Sprintf("1 page per distinct query observed (region + parameters): %d queries over %d operations", line.Calls, len(perOp))
	return line
}

// outsideLine gathers the observed calls no term of the bound covers, so the
// report shows where a scan spends calls the bound does not allow.
func outsideLine(observed Counts, counted map[string]bool) BoundLine {
	line := BoundLine{Label: "calls to operations outside the bound", Derivation: "0 (the bound allows none)"}
	for _, op := range observed.Operations() {
		if counted[op] {
			continue
		}
		line.Observed += observed.Calls[op]
		line.Details = append(line.Details, op+": "+strconv.Itoa(observed.Calls[op]))
	}
	return line
}

// pageSizeNotes reports estate listings sent with a page size below the API
// maximum: the bound still assumes the maximum.
func pageSizeNotes(observed Counts) []string {
	sizes := map[string][]int{}
	for _, q := range observed.Queries {
		if !isEstateListing(q) {
			continue
		}
		for _, n := range q.MaxResults {
			if n < apiMaxPageSize && !slices.Contains(sizes[q.Operation], n) {
				sizes[q.Operation] = append(sizes[q.Operation], n)
			}
		}
	}
	var notes []string
	for _, op := range slices.Sorted(maps.Keys(sizes)) {
		var words []string
		for _, n := range sizes[op] {
			if n == 0 {
				words = append(words, "no MaxResults (the service default page size applies; moto's is 100, AWS's may be smaller)")
			} else {
				words = append(words, "MaxResults="+strconv.Itoa(n))
			}
		}
		notes = append(notes, fmt.Sprintf("the scan sent %s with %s; the bound still uses the API maximum of %d",
			op, strings.Join(words, " and "), apiMaxPageSize))
	}
	return notes
}

// listGrantsNotes reports ListGrants requests sent with a Limit below the
// API maximum (or none, which gets KMS's default of 50 grants a page): for a
// key with more grants than that, they cost pages the bound does not allow.
func listGrantsNotes(observed Counts) []string {
	var sizes []int
	for _, q := range observed.Queries {
		if q.Operation != listGrantsOp {
			continue
		}
		for _, n := range q.MaxResults {
			if n < apiMaxPageSize && !slices.Contains(sizes, n) {
				sizes = append(sizes, n)
			}
		}
	}
	if len(sizes) == 0 {
		return nil
	}
	slices.Sort(sizes)
	var words []string
	for _, n := range sizes {
		if n == 0 {
			words = append(words, "no Limit (KMS's default page is 50 grants)")
		} else {
			words = append(words, "Limit="+strconv.Itoa(n))
		}
	}
	return []string{fmt.Sprintf("the scan sent %s with %s; the bound uses the API maximum of %d grants a page, "+
		"so a key with more grants than the page size would cost the scan pages the bound does not allow",
		listGrantsOp, strings.Join(words, " and "), apiMaxPageSize)}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
