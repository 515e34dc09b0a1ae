package bench

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// moto 5.2.1 ignores MaxResults and NextToken on SageMaker Search and
// returns every match in one response, whatever the Resource (sagekey
// searches TrainingJob and Endpoint; both are paged here alike). Real SageMaker returns at most 100
// records per page, so left alone the benchmark would credit a scanner with
// one Search call per region where AWS needs ceil(n/100). The proxy
// therefore pages Search itself: it forwards a first-page request, keeps
// moto's full result list, answers with the first page and a NextToken of
// its own, and serves the following pages from that snapshot. Serving them
// from the snapshot (rather than asking moto again) matters: moto serialises
// every match on each Search, so re-asking for each of 17 pages of 1,667
// jobs would time moto's CPU, not the scanner.
//
// moto also ignores SortBy and SortOrder. Scanners can rely on the order
// (newest first, to stop at the first already-known job), so the proxy
// sorts the snapshot as SageMaker documents: by SortBy (default
// LastModifiedTime), in SortOrder (default Descending).
const (
	searchOperation = "sagemaker:Search"
	// searchTokenPrefix marks NextTokens minted by the proxy:
	// "sagekey-bench-page:<snapshot>:<offset>".
	searchTokenPrefix = "sagekey-bench-page:"
	// searchDefaultPageSize is used when a request sets no MaxResults
	// (assumed to match the SageMaker List/Search default of 10).
	searchDefaultPageSize = 10
	// searchMaxPageSize is the API maximum for Search's MaxResults.
	searchMaxPageSize = 100
	invalidTokenBody  = `{"__type":"ValidationException","message":"invalid NextToken"}`
	// Search's documented sort defaults.
	searchDefaultSortBy    = "LastModifiedTime"
	searchDefaultSortOrder = "Descending"
)

// searchRequest is the page a Search request asks for.
type searchRequest struct {
	size      int
	sortBy    string
	ascending bool
	// continued is true when the request carries a proxy NextToken:
	// snapshot and offset locate the page.
	continued        bool
	snapshot, offset int
	// foreign is true when it carries a token the proxy did not mint
	// (moto paging by itself, should it learn to): pass it through.
	foreign bool
}

func parseSearchRequest(body []byte) (searchRequest, error) {
	var fields struct {
		MaxResults int     `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
		SortBy     string  `json:"SortBy"`
		SortOrder  string  `json:"SortOrder"`
	}
	if err := json.Unmarshal(body, &fields); err != nil {
		return searchRequest{}, fmt.Errorf("search request body: %w", err)
	}
	req := searchRequest{size: searchDefaultPageSize, sortBy: cmp.Or(fields.SortBy, searchDefaultSortBy),
		ascending: cmp.Or(fields.SortOrder, searchDefaultSortOrder) == "Ascending"}
	if fields.MaxResults > 0 {
		req.size = min(fields.MaxResults, searchMaxPageSize)
	}
	if fields.NextToken == nil || *fields.NextToken == "" {
		return req, nil
	}
	rest, ours := strings.CutPrefix(*fields.NextToken, searchTokenPrefix)
	if !ours {
		req.foreign = true
		return req, nil
	}
	id, off, ok := strings.Cut(rest, ":")
	snapshot, err1 := strconv.Atoi(id)
	offset, err2 := strconv.Atoi(off)
	if !ok || err1 != nil || err2 != nil || offset < 0 {
		return searchRequest{}, fmt.Errorf("search NextToken %q: malformed", *fields.NextToken)
	}
	req.continued, req.snapshot, req.offset = true, snapshot, offset
	return req, nil
}

// searchPager holds the result lists of Searches still being paged. It is
// safe for concurrent use.
type searchPager struct {
	mu        sync.Mutex
	nextID    int
	snapshots map[int]*searchSnapshot
}

type searchSnapshot struct {
	doc     map[string]json.RawMessage // moto's response, for its other fields
	results []json.RawMessage
}

func newSearchPager() *searchPager {
	return &searchPager{snapshots: map[int]*searchSnapshot{}}
}

// reset forgets every snapshot (between phases).
func (sp *searchPager) reset() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.snapshots = map[int]*searchSnapshot{}
}

// first turns moto's complete Search response into its first page, sorted
// as req asks, keeping the rest for the following requests. A response that
// already carries a NextToken is returned unchanged: moto paged it itself.
func (sp *searchPager) first(body []byte, req searchRequest) ([]byte, error) {
	size := req.size
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("search response body: %w", err)
	}
	if tok, ok := doc["NextToken"]; ok && !bytes.Equal(tok, []byte("null")) {
		return body, nil
	}
	var results []json.RawMessage
	if raw, ok := doc["Results"]; ok && !bytes.Equal(raw, []byte("null")) {
		if err := json.Unmarshal(raw, &results); err != nil {
			return nil, fmt.Errorf("search response Results: %w", err)
		}
	}
	sortSearchResults(results, req.sortBy, req.ascending)
	snap := &searchSnapshot{doc: doc, results: results}
	id := -1
	if len(results) > size {
		sp.mu.Lock()
		id = sp.nextID
		sp.nextID++
		sp.snapshots[id] = snap
		sp.mu.Unlock()
	}
	return sp.render(snap, id, 0, size)
}

// page serves a later page from its snapshot; false when the token names
// no snapshot (unknown, finished, or from before a reset).
func (sp *searchPager) page(req searchRequest) ([]byte, bool, error) {
	sp.mu.Lock()
	snap, ok := sp.snapshots[req.snapshot]
	if ok && req.offset+req.size >= len(snap.results) {
		delete(sp.snapshots, req.snapshot) // the last page: nothing left to serve
	}
	sp.mu.Unlock()
	if !ok {
		return nil, false, nil
	}
	out, err := sp.render(snap, req.snapshot, req.offset, req.size)
	return out, true, err
}

// render writes results[offset:offset+size] of snap, with a NextToken when
// more remain.
func (sp *searchPager) render(snap *searchSnapshot, id, offset, size int) ([]byte, error) {
	start := min(offset, len(snap.results))
	end := min(start+size, len(snap.results))
	page := snap.results[start:end]
	if page == nil {
		page = []json.RawMessage{}
	}
	encoded, err := json.Marshal(page)
	if err != nil {
		return nil, err
	}
	doc := make(map[string]json.RawMessage, len(snap.doc)+1)
	for k, v := range snap.doc {
		doc[k] = v
	}
	doc["Results"] = encoded
	delete(doc, "NextToken")
	if end < len(snap.results) {
		tok, err := json.Marshal(searchTokenPrefix + strconv.Itoa(id) + ":" + strconv.Itoa(end))
		if err != nil {
			return nil, err
		}
		doc["NextToken"] = tok
	}
	return json.Marshal(doc)
}

// sortSearchResults sorts Search records (each {"TrainingJob": {...}} or
// similar) by the property sortBy of the record, stably. Records without
// the property sort last.
func sortSearchResults(results []json.RawMessage, sortBy string, ascending bool) {
	type keyed struct {
		raw json.RawMessage
		key sortKey
	}
	list := make([]keyed, len(results))
	for i, r := range results {
		list[i] = keyed{r, searchSortKey(r, sortBy)}
	}
	slices.SortStableFunc(list, func(a, b keyed) int {
		if a.key.missing || b.key.missing {
			return boolCompare(a.key.missing, b.key.missing)
		}
		c := cmp.Or(cmp.Compare(a.key.num, b.key.num), strings.Compare(a.key.text, b.key.text))
		if !ascending {
			c = -c
		}
		return c
	})
	for i := range list {
		results[i] = list[i].raw
	}
}

// sortKey is a record's sort property: a number (timestamps become Unix
// nanoseconds) or text.
type sortKey struct {
	num     float64
	text    string
	missing bool
}

func searchSortKey(record json.RawMessage, sortBy string) sortKey {
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(record, &outer); err != nil || len(outer) != 1 {
		return sortKey{missing: true}
	}
	var inner map[string]json.RawMessage
	for _, v := range outer {
		if err := json.Unmarshal(v, &inner); err != nil {
			return sortKey{missing: true}
		}
	}
	raw, ok := inner[sortBy]
	if !ok {
		return sortKey{missing: true}
	}
	var num float64
	if err := json.Unmarshal(raw, &num); err == nil {
		return sortKey{num: num}
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return sortKey{missing: true}
	}
	if t, ok := parseTimestamp(text); ok {
		return sortKey{num: float64(t.UnixNano())}
	}
	return sortKey{text: text}
}

// parseTimestamp reads the timestamp spellings emulators use in JSON.
func parseTimestamp(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
