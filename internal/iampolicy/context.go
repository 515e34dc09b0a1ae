package iampolicy

import "strings"

// Context is a request context as far as it is known: the condition keys
// whose values sagekey knows, each with its values or known to be absent.
// Any other key is unknown, and a condition on it evaluates to Unknown
// rather than to a guess. Keys are case-insensitive, as in IAM.
type Context struct {
	values map[string][]string
	// prefixes are key prefixes ("aws:principaltag/") under which every key
	// is known: absent unless Set, because the full set of tags is known.
	prefixes []string
}

// NewContext returns a context in which no key is known.
func NewContext() *Context { return &Context{values: map[string][]string{}} }

// Set records key as known with values; without values it is known to be
// absent from the request.
func (c *Context) Set(key string, values ...string) {
	c.values[strings.ToLower(key)] = append([]string{}, values...)
}

// KnowPrefix records that every key starting with prefix is known: the ones
// Set have their values, all others are absent.
func (c *Context) KnowPrefix(prefix string) {
	c.prefixes = append(c.prefixes, strings.ToLower(prefix))
}

// Lookup returns key's values and whether the key is known. A known key
// with no values is absent from the request.
func (c *Context) Lookup(key string) (values []string, known bool) {
	if c == nil {
		return nil, false
	}
	k := strings.ToLower(key)
	if v, ok := c.values[k]; ok {
		return v, true
	}
	for _, p := range c.prefixes {
		if strings.HasPrefix(k, p) {
			return nil, true
		}
	}
	return nil, false
}
