package finding

import "iter"

// List is a run's findings in reading order. A live scan's list judges
// each finding again whenever it is read (engine.Judge): a scan of
// 100,000 jobs makes 300,000 findings, and holding them all, next to the
// inventory they are judged from, is what kept a large scan's memory
// above the inventory's own size. Stored runs, IaC runs and tests hold
// plain slices (NewList). The zero List is empty.
//
// A List is read-only and safe for concurrent reads; each read returns a
// copy whose slices may be shared with other reads, so readers must not
// modify them.
type List struct {
	items []Finding
	src   Source
	// keep, when not nil, is the subset of src (or items) Where left, by
	// index, in order.
	keep []int32
}

// Source makes findings on demand: Finding(i) for i in [0, Len()) must
// give the same finding every time it is called.
type Source interface {
	Len() int
	Finding(i int) Finding
}

// NewList holds the findings as they are, in their order. The list reads
// the slice: the caller must not modify it afterwards.
func NewList(items []Finding) List { return List{items: items} }

// Lazy is the list of src's findings, made as they are read.
func Lazy(src Source) List { return List{src: src} }

// Len is the number of findings.
func (l List) Len() int {
	switch {
	case l.keep != nil:
		return len(l.keep)
	case l.src != nil:
		return l.src.Len()
	}
	return len(l.items)
}

// At is the i-th finding in reading order.
func (l List) At(i int) Finding {
	if l.keep != nil {
		i = int(l.keep[i])
	}
	if l.src != nil {
		return l.src.Finding(i)
	}
	return l.items[i]
}

// All yields every finding with its position, in reading order, so that
// `for i, f := range l.All()` reads as a slice's range does.
func (l List) All() iter.Seq2[int, Finding] {
	return func(yield func(int, Finding) bool) {
		for i := range l.Len() {
			if !yield(i, l.At(i)) {
				return
			}
		}
	}
}

// Collect is every finding in a new slice: for small lists, or readers
// that must modify findings.
func (l List) Collect() []Finding {
	out := make([]Finding, 0, l.Len())
	for _, f := range l.All() {
		out = append(out, f)
	}
	return out
}

// Where is the list of the findings keep accepts, in the same order. It
// reads every finding once and holds only their positions.
func (l List) Where(keep func(*Finding) bool) List {
	kept := make([]int32, 0, l.Len())
	for i, f := range l.All() {
		if keep(&f) {
			if l.keep != nil {
				kept = append(kept, l.keep[i])
			} else {
				kept = append(kept, int32(i))
			}
		}
	}
	return List{items: l.items, src: l.src, keep: kept}
}
