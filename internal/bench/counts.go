package bench

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Counts is what the proxy saw during one phase.
type Counts struct {
	// Calls counts every request that reached the proxy, by operation,
	// throttled and emulator-unimplemented ones included: each was a request
	// the scanner chose to send.
	Calls map[string]int `json:"calls"`
	// Throttled counts the requests answered with a ThrottlingException
	// instead of being forwarded.
	Throttled map[string]int `json:"throttled"`
	// Unimplemented counts moto's HTML 500s rewritten to
	// UnknownOperationException (see Proxy).
	Unimplemented map[string]int `json:"unimplemented"`
	// Restored counts the answers to which the proxy added a field moto
	// drops and AWS returns (ProcessingResources; see
	// Proxy.RestoreProcessingResources).
	Restored map[string]int `json:"restored,omitempty"`
	// Queries are the distinct listing questions asked (List*/Search
	// requests with their paging fields removed), sorted.
	Queries []ListQuery `json:"list_queries"`
}

// ListQuery is one distinct List or Search request, ignoring paging: every
// page of one listing is the same question. The lower bound charges one page
// for each question about a kind the estate leaves empty; kms:ListGrants
// (one question per key) is charged per key, and kept here for its page
// sizes.
type ListQuery struct {
	Operation string `json:"operation"`
	Region    string `json:"region"`
	// Resource is Search's Resource parameter (e.g. "TrainingJob").
	Resource string `json:"resource,omitempty"`
	// Params is the request body as canonical JSON without its paging
	// fields (NextToken and MaxResults; KMS's Marker and Limit;
	// tag:GetResources' PaginationToken and ResourcesPerPage).
	Params string `json:"params"`
	Calls  int    `json:"calls"`
	// MaxResults lists the distinct page sizes (MaxResults, or KMS's Limit)
	// the scanner asked for; 0 means it sent none and got the service
	// default.
	MaxResults []int `json:"max_results"`
}

// Total is the number of requests of the phase.
func (c Counts) Total() int { return sum(c.Calls) }

// TotalThrottled is the number of requests answered with throttling.
func (c Counts) TotalThrottled() int { return sum(c.Throttled) }

// TotalUnimplemented is the number of requests moto could not answer.
func (c Counts) TotalUnimplemented() int { return sum(c.Unimplemented) }

// Operations returns the operations called, sorted by name.
func (c Counts) Operations() []string { return slices.Sorted(maps.Keys(c.Calls)) }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// counter accumulates Counts; safe for concurrent use by the proxy's
// handlers.
type counter struct {
	mu            sync.Mutex
	calls         map[string]int
	throttled     map[string]int
	unimplemented map[string]int
	restored      map[string]int
	queries       map[queryKey]*ListQuery
}

type queryKey struct{ operation, region, params string }

func newCounter() *counter {
	c := &counter{}
	c.reset()
	return c
}

func (c *counter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = map[string]int{}
	c.throttled = map[string]int{}
	c.unimplemented = map[string]int{}
	c.restored = map[string]int{}
	c.queries = map[queryKey]*ListQuery{}
}

// request records a request on arrival.
func (c *counter) request(info requestInfo) {
	var q *parsedListing
	if isListing(info.operation) {
		q = parseListing(info.body)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[info.operation]++
	if q == nil {
		return
	}
	k := queryKey{info.operation, info.region, q.params}
	lq := c.queries[k]
	if lq == nil {
		lq = &ListQuery{Operation: info.operation, Region: info.region, Resource: q.resource, Params: q.params}
		c.queries[k] = lq
	}
	lq.Calls++
	if !slices.Contains(lq.MaxResults, q.maxResults) {
		lq.MaxResults = append(lq.MaxResults, q.maxResults)
		slices.Sort(lq.MaxResults)
	}
}

func (c *counter) throttle(operation string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.throttled[operation]++
}

func (c *counter) unimplementedOp(operation string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unimplemented[operation]++
}

func (c *counter) restoredOp(operation string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.restored[operation]++
}

func (c *counter) snapshot() Counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Counts{
		Calls:         maps.Clone(c.calls),
		Throttled:     maps.Clone(c.throttled),
		Unimplemented: maps.Clone(c.unimplemented),
		Restored:      maps.Clone(c.restored),
		Queries:       make([]ListQuery, 0, len(c.queries)),
	}
	for _, q := range c.queries {
		cp := *q
		cp.MaxResults = slices.Clone(q.MaxResults)
		out.Queries = append(out.Queries, cp)
	}
	slices.SortFunc(out.Queries, func(a, b ListQuery) int {
		return strings.Compare(a.Operation+"\x00"+a.Region+"\x00"+a.Params, b.Operation+"\x00"+b.Region+"\x00"+b.Params)
	})
	return out
}

// isListing reports whether operation enumerates a kind of resource. The
// per-resource tag reads (sagemaker:ListTags, kms:ListResourceTags) are
// charged per resource or key instead.
func isListing(operation string) bool {
	service, op, _ := strings.Cut(operation, ":")
	if operation == "sagemaker:ListTags" || operation == "kms:ListResourceTags" || service == "unknown" {
		return false
	}
	return strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Search") || operation == getResourcesOp
}

type parsedListing struct {
	params     string
	resource   string
	maxResults int
}

// parseListing canonicalises a JSON listing request. A body that is not a
// JSON object (a query-protocol listing) is kept verbatim as its params.
func parseListing(body []byte) *parsedListing {
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return &parsedListing{params: string(body)}
	}
	out := &parsedListing{}
	for _, size := range []string{"MaxResults", "Limit", "ResourcesPerPage"} { // Limit: KMS; ResourcesPerPage: tag:GetResources
		if n, ok := fields[size].(float64); ok {
			out.maxResults = int(n)
		}
	}
	if r, ok := fields["Resource"].(string); ok {
		out.resource = r
	}
	for _, paging := range []string{"NextToken", "MaxResults", "Marker", "Limit", "PaginationToken", "ResourcesPerPage"} {
		delete(fields, paging)
	}
	canonical, err := json.Marshal(fields) // map keys are sorted
	if err != nil {
		canonical = body
	}
	out.params = string(canonical)
	return out
}
