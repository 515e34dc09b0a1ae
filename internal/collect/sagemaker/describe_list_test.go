package sagemaker

import (
	"context"
	"testing"
	"unsafe"

	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// onePage is a pager with one page of listed items.
type onePage struct {
	items []listed
	done  bool
}

func (p *onePage) HasMorePages() bool { return !p.done }

func (p *onePage) NextPage(context.Context, ...func(*sm.Options)) ([]listed, error) {
	p.done = true
	return p.items, nil
}

// A listed name that ends its ARN is that end of the ARN's copy, so a
// listing of 50,000 jobs does not hold each name twice; any other name is
// a copy of its own. Either way nothing points into the page.
func TestListPagesShareNamesWithARNs(t *testing.T) {
	page := "arn:aws:sagemaker:us-east-1:123456789012:processing-job/etl-1" + "etl-1" + "other"
	arn, sameName, otherName := page[:61], page[61:66], page[66:]
	items, err := listPages(context.Background(), &onePage{items: []listed{{name: sameName, arn: arn}, {name: otherName, arn: arn}}},
		func(l []listed) []listed { return l })
	if err != nil {
		t.Fatal(err)
	}
	shared, own := items[0], items[1]
	if shared.name != "etl-1" || shared.arn != arn || unsafe.StringData(shared.name) != unsafe.StringData(shared.arn[len(shared.arn)-5:]) {
		t.Errorf("name %q does not share the end of its ARN %q", shared.name, shared.arn)
	}
	if own.name != "other" || unsafe.StringData(own.name) == unsafe.StringData(otherName) {
		t.Errorf("name %q not copied", own.name)
	}
	for _, it := range items {
		if unsafe.StringData(it.arn) == unsafe.StringData(arn) {
			t.Errorf("ARN %q still points into the page", it.arn)
		}
	}
}
