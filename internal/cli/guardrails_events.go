package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sagekey/sagekey/internal/checkdoc"
	"github.com/sagekey/sagekey/internal/guardrails"
)

// guardrailsOnlyFlags shape the SCPs and the key, which --events does not
// generate; naming one with --events is a mistake, not something to ignore.
var guardrailsOnlyFlags = []string{"approved-key", "exempt-principal", "key-admin", "key-user", "owner", "cost-center", "alias"}

// runGuardrailsEvents writes the event-driven check infrastructure. The
// serve role's scan permissions are read off the client interfaces
// (checkdoc.Permissions), the same list as the README's.
func runGuardrailsEvents(cmd *cobra.Command, o *guardrailsOptions, e Env) error {
	if !slices.Contains(guardrails.Formats(), o.format) {
		return usagef("--format: %q (want %s)", o.format, strings.Join(guardrails.Formats(), ", "))
	}
	for _, name := range guardrailsOnlyFlags {
		if cmd.Flags().Changed(name) {
			return usagef("--%s does not apply to --events", name)
		}
	}
	var actions []string
	for _, list := range checkdoc.Permissions() {
		actions = append(actions, list...)
	}
	ev, err := guardrails.BuildEvents(guardrails.EventSettings{ScanActions: actions, Partition: o.settings.Partition})
	if err != nil {
		// The actions come from the code; only --partition can be wrong.
		return usageError{err}
	}
	slog.Info("event infrastructure generated", "patterns", len(ev.Patterns), "scan_policies", len(ev.ServeScanPolicies))
	if o.out == "" {
		return writeOutput("", e.Stdout, func(w io.Writer) error { return guardrails.WriteEvents(w, ev, o.format) })
	}
	files, err := guardrails.EventsFiles(ev, o.format)
	if err != nil {
		return err
	}
	return writeArtifactFiles(o.out, files, e)
}

// writeArtifactFiles writes files into dir in name order, printing each
// path (shared by guardrails and guardrails --events with --out).
func writeArtifactFiles(dir string, files map[string][]byte, e Env) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path, body := filepath.Join(dir, name), files[name]
		if err := writeOutput(path, e.Stdout, func(w io.Writer) error { _, err := w.Write(body); return err }); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(e.Stdout, path); err != nil {
			return err
		}
	}
	return nil
}
