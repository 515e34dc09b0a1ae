package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/sagekey/sagekey/internal/term"
)

// screen writes the demo's own text to a stream, wrapped to the terminal
// when it is one, so that everything a person sees fits the window.
type screen struct {
	w     io.Writer
	width int
}

func newScreen(w io.Writer) screen {
	return screen{w: w, width: term.Detect(w, os.Getenv).Width}
}

// say writes a paragraph, wrapped.
func (s screen) say(format string, args ...any) {
	for _, para := range strings.Split(fmt.Sprintf(format, args...), "\n") {
		for _, line := range term.Wrap(para, s.width, "  ") {
			fmt.Fprintln(s.w, line)
		}
	}
}

// command writes a command line, broken with shell continuations so it can
// still be copied and run.
func (s screen) command(line string) {
	for _, l := range shellWrap(line, s.width, "    ") {
		fmt.Fprintln(s.w, l)
	}
}

// markdown writes a markdown document: prose wrapped, and code lines in
// fences broken with shell continuations.
func (s screen) markdown(doc string) {
	code := false
	for _, line := range strings.Split(strings.TrimRight(doc, "\n"), "\n") {
		if strings.HasPrefix(line, "```") {
			code = !code
			fmt.Fprintln(s.w, line)
			continue
		}
		if code {
			s.command(line)
			continue
		}
		indent := "  "
		if strings.HasPrefix(line, "- ") {
			indent = "  "
		}
		for _, l := range term.Wrap(line, s.width, indent) {
			fmt.Fprintln(s.w, l)
		}
	}
}

// shellWrap breaks a command at spaces into lines of at most width runes,
// each but the last ending in " \" (a shell continuation). A word longer
// than a line stays whole: breaking it would change the command.
func shellWrap(line string, width int, indent string) []string {
	if width <= 0 || utf8.RuneCountInString(line) <= width {
		return []string{line}
	}
	var out []string
	cur := ""
	for _, word := range strings.Fields(line) {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if cur != "" && utf8.RuneCountInString(next)+2 > width {
			out = append(out, cur+" \\")
			cur = indent + word
			continue
		}
		cur = next
	}
	return append(out, cur)
}
