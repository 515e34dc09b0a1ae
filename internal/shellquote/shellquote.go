// Package shellquote quotes strings for POSIX shells. Names of AWS
// resources end up in commands sagekey prints and scripts it writes; a
// name is data chosen by whoever created the resource, so it must never be
// able to become code when an operator pastes or runs those commands.
package shellquote

import "strings"

// Quote returns s as one shell word. Strings made only of characters no
// shell treats specially are returned as they are, for readability; all
// others are single-quoted, with each ' written as '\”.
func Quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@=+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes each word and joins them with spaces.
func Join(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}
