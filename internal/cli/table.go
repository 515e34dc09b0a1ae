package cli

import (
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/sagekey/sagekey/internal/report"
	"github.com/sagekey/sagekey/internal/term"
)

// tableFlags binds --show, the table format's one flag, for scan and
// report alike.
type tableFlags struct {
	show []string
}

func (t *tableFlags) register(f *pflag.FlagSet) {
	f.StringSliceVar(&t.show, "show", nil, "with --format table, also list these statuses (FAIL and ERROR always are): "+
		report.ShowValues)
}

// writer returns the report writer of format. The table is drawn for
// where it goes: colour and the terminal's width on a terminal (not under
// NO_COLOR), plain and unwrapped into a file (-o) or a pipe.
func (t *tableFlags) writer(format, output string, stdout io.Writer) (report.Writer, error) {
	w, err := report.Lookup(format)
	if err != nil {
		return nil, usageError{err}
	}
	if format != "table" {
		if len(t.show) > 0 {
			return nil, usagef("--show applies to --format table only: %s carries every finding", format)
		}
		return w, nil
	}
	show, err := report.ParseShow(t.show)
	if err != nil {
		return nil, usagef("--show: %v", err)
	}
	o := report.TableOptions{Show: show}
	if output == "" {
		o.Term = term.Detect(stdout, os.Getenv)
	}
	return report.TableWriter(o), nil
}
