package report

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/xeipuuv/gojsonschema"
)

// sarifSchema is the OASIS SARIF 2.1.0 schema (errata 01), vendored so the
// test needs no network. go-sarif's own Validate checks the document after
// a round trip through its Go types, which drops any property those types
// do not know; this checks the bytes as written, additionalProperties and
// all.
var sarifSchema = sync.OnceValues(func() (*gojsonschema.Schema, error) {
	b, err := os.ReadFile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		return nil, err
	}
	return gojsonschema.NewSchema(gojsonschema.NewBytesLoader(b))
})

func validateSARIFBytes(t *testing.T, out []byte) {
	t.Helper()
	schema, err := sarifSchema()
	if err != nil {
		t.Fatal(err)
	}
	res, err := schema.Validate(gojsonschema.NewBytesLoader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() {
		var errs []string
		for _, e := range res.Errors() {
			errs = append(errs, e.String())
		}
		t.Fatalf("not valid against the SARIF 2.1.0 schema:\n%s", strings.Join(errs, "\n"))
	}
}
