package alert

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDocsDescribeEveryField keeps docs/alert.md, the contract, in step
// with the type: every JSON field, kind and detail key must appear in it.
func TestDocsDescribeEveryField(t *testing.T) {
	b, err := os.ReadFile("../../docs/alert.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var names []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ.PkgPath() != reflect.TypeFor[Alert]().PkgPath() {
			return
		}
		for f := range typ.Fields() {
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			names = append(names, prefix+name)
			walk(prefix+name+".", f.Type)
		}
	}
	walk("", reflect.TypeFor[Alert]())
	for _, n := range names {
		// Resource fields inside the blast radius are described once, under resource.
		if strings.HasPrefix(n, "key.blast_radius.resources.") || strings.HasPrefix(n, "links.") {
			continue
		}
		// An object may be described through its fields (`key.blast_radius.count`).
		if !strings.Contains(doc, "`"+n+"`") && !strings.Contains(doc, "`"+n+".") {
			t.Errorf("docs/alert.md does not describe `%s`", n)
		}
	}
	for _, k := range Kinds() {
		if !strings.Contains(doc, "`"+string(k)+"`") {
			t.Errorf("docs/alert.md does not describe kind `%s`", k)
		}
	}
	for _, k := range []string{DetailFingerprint, DetailOwner, DetailPercentCompliant, DetailPreviousPercentCompliant,
		DetailThreshold, DetailError, DetailGaps, DetailDenials, DetailBaseline, DetailEvent, DetailPrincipal} {
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("docs/alert.md does not describe detail `%s`", k)
		}
	}
}
