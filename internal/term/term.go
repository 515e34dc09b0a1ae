// Package term decides how text for a person is drawn: whether to use
// colour (only on a terminal, never under NO_COLOR or TERM=dumb) and how
// wide a line may be. Machine formats never use it.
package term

import (
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	xterm "golang.org/x/term"
)

// Options say how to draw for one output stream.
type Options struct {
	// Color enables ANSI colours and bold.
	Color bool
	// Width is the line width to wrap at; 0 means do not wrap.
	Width int
}

// Detect inspects w: colour and the terminal's width when w is a
// terminal, else no colour and no wrapping (files and pipes keep every
// line whole). COLUMNS overrides the width; NO_COLOR (any value) and
// TERM=dumb turn colour off, as https://no-color.org asks.
func Detect(w io.Writer, getenv func(string) string) Options {
	var o Options
	f, ok := w.(*os.File)
	if ok && xterm.IsTerminal(int(f.Fd())) {
		o.Color = getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
		if width, _, err := xterm.GetSize(int(f.Fd())); err == nil && width > 0 {
			o.Width = width
		}
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 && o.Width > 0 {
		o.Width = n
	}
	return o
}

// Code is an SGR attribute.
type Code string

// The attributes sagekey uses. Red and yellow carry FAIL and ERROR, green
// PASS; bold marks headings. Each is paired with a word, never the only
// signal.
const (
	Bold   Code = "1"
	Dim    Code = "2"
	Red    Code = "31"
	Green  Code = "32"
	Yellow Code = "33"
	Cyan   Code = "36"
)

// Paint wraps s in the codes when colour is on.
func (o Options) Paint(s string, codes ...Code) string {
	if !o.Color || len(codes) == 0 || s == "" {
		return s
	}
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = string(c)
	}
	return "\x1b[" + strings.Join(parts, ";") + "m" + s + "\x1b[0m"
}

// Wrap breaks text into lines of at most width runes, at spaces where it
// can; continuation lines start with indent. A width of 0 (or one too
// narrow for the indent) returns the text as one line.
func Wrap(text string, width int, indent string) []string {
	room := width - utf8.RuneCountInString(indent)
	if width <= 0 || room < 20 || utf8.RuneCountInString(text) <= width {
		return []string{text}
	}
	var lines []string
	line, limit := "", width
	for _, word := range strings.Fields(text) {
		for utf8.RuneCountInString(word) > room { // an ARN longer than the line
			if line != "" {
				lines, line, limit = append(lines, line), "", room
			}
			cut := firstRunes(word, limit)
			lines, word, limit = append(lines, cut), word[len(cut):], room
		}
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= limit:
			line += " " + word
		default:
			lines, line, limit = append(lines, line), word, room
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	for i := 1; i < len(lines); i++ {
		lines[i] = indent + lines[i]
	}
	return lines
}

func firstRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
