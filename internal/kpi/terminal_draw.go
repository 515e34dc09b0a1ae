package kpi

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/term"
)

// The drawing primitives of the terminal page: aligned tables, sparklines,
// bars and the formats of the figures a person reads.

// sparkBlocks are the eight heights of a sparkline, lowest first.
const sparkBlocks = "▁▂▃▄▅▆▇█"

// sparkGap marks a point without a figure: a space would vanish at the end
// of a line and read as "no data after here".
const sparkGap = '·'

// sparkline draws percentages as one block each on a fixed 0 to 100 scale,
// not scaled to the points' own range, so a move from 98% to 99% stays
// small instead of filling the height. A nil point (a scan that judged no
// resource) is a gap.
func sparkline(points []*float64) string {
	blocks := []rune(sparkBlocks)
	var b strings.Builder
	for _, p := range points {
		if p == nil || math.IsNaN(*p) {
			b.WriteRune(sparkGap)
			continue
		}
		level := int(math.Round(*p / 100 * float64(len(blocks)-1)))
		b.WriteRune(blocks[min(max(level, 0), len(blocks)-1)])
	}
	return b.String()
}

// bar is n of max as at most width full blocks; any n above zero shows at
// least one block so a small count is never drawn as none.
func bar(n, maxN, width int) string {
	if n <= 0 || maxN <= 0 {
		return ""
	}
	return strings.Repeat("█", max(1, n*width/maxN))
}

// tcell is one table cell: its plain text (which sets the column width) and
// the colour it is painted in.
type tcell struct {
	text  string
	codes []term.Code
	right bool
}

func txt(s string, codes ...term.Code) tcell { return tcell{text: s, codes: codes} }
func num(s string, codes ...term.Code) tcell { return tcell{text: s, codes: codes, right: true} }

// labelCap is the widest first column on a page without a width (a file
// or a pipe): a longer label (an ARN, a long tag value) goes on a line of
// its own above its figures, so one long name does not push every other
// row's figures far to the right. On a terminal the first column gets the
// room the figures leave.
const labelCap = 48

// table lays out rows in columns padded on their plain text, so colour
// codes (which have no width) never break the alignment, as they would
// with text/tabwriter.
type table struct{ rows [][]tcell }

func (t *table) add(cells ...tcell) { t.rows = append(t.rows, cells) }

func (t *table) lines(o term.Options, indent string) []string {
	if len(t.rows) == 0 {
		return nil
	}
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if i > 0 {
				widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
			}
		}
	}
	capW := labelCap
	if o.Width > 0 {
		figures := 0
		for _, w := range widths[1:] {
			figures += 2 + w
		}
		capW = max(12, o.Width-len(indent)-figures)
	}
	for _, r := range t.rows {
		if n := utf8.RuneCountInString(r[0].text); n <= capW && len(r) > 1 {
			widths[0] = max(widths[0], n)
		}
	}
	var out []string
	for _, r := range t.rows {
		if len(r) == 1 { // a sub-heading such as "by key"
			out = append(out, labelLines(o, indent, r[0])...)
			continue
		}
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range r {
			n := utf8.RuneCountInString(c.text)
			if i == 0 && n > widths[0] {
				out = append(out, labelLines(o, indent, c)...)
				c, n = tcell{}, 0
			}
			pad := strings.Repeat(" ", max(0, widths[i]-n))
			if i > 0 {
				b.WriteString("  ")
			}
			if c.right {
				b.WriteString(pad + o.Paint(c.text, c.codes...))
			} else {
				b.WriteString(o.Paint(c.text, c.codes...) + pad)
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	return out
}

// labelLines is a label on lines of its own (a sub-heading, or a label too
// long for its column), wrapped to the width; an ARN is cut where it must
// be.
func labelLines(o term.Options, indent string, c tcell) []string {
	width := 0
	if o.Width > 0 {
		width = max(1, o.Width-len(indent))
	}
	lead := c.text[:len(c.text)-len(strings.TrimLeft(c.text, " "))]
	var out []string
	for _, l := range term.Wrap(strings.TrimLeft(c.text, " "), max(0, width-len(lead)), "") {
		out = append(out, indent+lead+o.Paint(l, c.codes...))
	}
	return out
}

// clean makes a stored name (a tag value, a principal, an ARN) safe to
// print: control characters, C1 included, could move the cursor or start
// an escape sequence in the reader's terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// percentText shows the Report's two-decimal percentage without padding
// zeros, so 99.99% never reads as 100%.
func percentText(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64) + "%"
}

// shareText shows a 0 to 1 share as a percentage.
func shareText(p *float64) string {
	if p == nil {
		return "n/a"
	}
	v := math.Round(*p*10000) / 100
	return percentText(&v)
}

// duration shows hours as minutes, hours or days, whichever a person
// reads without arithmetic.
func duration(h *float64) string {
	switch {
	case h == nil:
		return "n/a"
	case *h < 1:
		return strconv.Itoa(int(math.Round(*h*60))) + " min"
	case *h < 48:
		return oneDecimal(*h) + " h"
	}
	return oneDecimal(*h/24) + " d"
}

func oneDecimal(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

// money shows dollars to the cent, and to a hundredth of a cent when the
// amount is below a cent (request charges often are), so it never reads
// $0.00 when it is not zero.
func money(v float64) string {
	if v != 0 && math.Abs(v) < 0.01 {
		return "$" + strconv.FormatFloat(v, 'f', 4, 64)
	}
	return "$" + strconv.FormatFloat(v, 'f', 2, 64)
}

// grouped shows a count with thousands separators.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// plural is "1 key" or "2 keys".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// paintIf paints a count only when it is not zero: a red zero (or a green
// one) would be noise.
func paintIf(n int64, code term.Code) []term.Code {
	if n > 0 {
		return []term.Code{code}
	}
	return nil
}
