package term

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDetectOffTerminal(t *testing.T) {
	env := map[string]string{"COLUMNS": "80"}
	o := Detect(&bytes.Buffer{}, func(k string) string { return env[k] })
	if o.Color || o.Width != 0 {
		t.Errorf("a buffer is not a terminal: %+v", o)
	}
}

func TestPaint(t *testing.T) {
	if got := (Options{}).Paint("FAIL", Red, Bold); got != "FAIL" {
		t.Errorf("no colour: %q", got)
	}
	if got := (Options{Color: true}).Paint("FAIL", Red, Bold); got != "\x1b[31;1mFAIL\x1b[0m" {
		t.Errorf("colour: %q", got)
	}
}

func TestWrap(t *testing.T) {
	text := "1 of 2 key slots not protected by a healthy customer-managed key: data capture: no key: S3 uses the AWS-managed aws/s3 key, not a key you control"
	for _, tc := range []struct {
		width int
		lines int
	}{{0, 1}, {200, 1}, {60, 3}, {40, 5}} {
		got := Wrap(text, tc.width, "    ")
		if len(got) != tc.lines {
			t.Errorf("width %d: %d lines %q, want %d", tc.width, len(got), got, tc.lines)
		}
		for i, l := range got {
			if tc.width > 0 && utf8.RuneCountInString(l) > tc.width {
				t.Errorf("width %d: line %d is %d wide", tc.width, i, utf8.RuneCountInString(l))
			}
			if i > 0 && !strings.HasPrefix(l, "    ") {
				t.Errorf("continuation %q not indented", l)
			}
		}
		if strings.Join(strings.Fields(strings.Join(got, " ")), " ") != text {
			t.Errorf("width %d: words lost or changed: %q", tc.width, got)
		}
	}
	arn := "arn:aws:sagemaker:us-east-1:123456789012:endpoint-configuration/a-very-long-endpoint-configuration-name-indeed"
	for _, l := range Wrap("see "+arn, 40, "  ") {
		if utf8.RuneCountInString(l) > 40 {
			t.Errorf("long word not split: %q", l)
		}
	}
}
