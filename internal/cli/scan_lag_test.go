package cli

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	smcollect "github.com/sagekey/sagekey/internal/collect/sagemaker"
)

// --search-lag reaches scan.Options.SearchLag, defaults to
// DefaultSearchLag and must not be negative, as --tag-lag; serve takes it
// with the rest of scan's scope flags.
func TestSearchLagFlag(t *testing.T) {
	t.Parallel()
	for _, cmd := range []*cobra.Command{newScanCommand(Env{}), newServeCommand(Env{})} {
		f := cmd.Flags().Lookup("search-lag")
		if f == nil {
			t.Errorf("%s has no --search-lag", cmd.Name())
			continue
		}
		if f.DefValue != smcollect.DefaultSearchLag.String() {
			t.Errorf("%s --search-lag defaults to %s, want %s", cmd.Name(), f.DefValue, smcollect.DefaultSearchLag)
		}
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		args    []string
		want    time.Duration
		wantErr string
	}{
		{args: nil, want: smcollect.DefaultSearchLag},
		{args: []string{"--search-lag", "1s"}, want: time.Second},
		{args: []string{"--search-lag", "10m", "--tag-lag", "1s"}, want: 10 * time.Minute},
		{args: []string{"--search-lag", "0s"}, want: 0}, // the collectors read 0 as DefaultSearchLag
		{args: []string{"--search-lag", "-1s"}, wantErr: "--search-lag must not be negative"},
	}
	for _, tt := range tests {
		scope := &scanScope{}
		fs := pflag.NewFlagSet("scan", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		scope.register(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		opts, err := scope.options(now)
		if tt.wantErr != "" {
			var usage usageError
			if err == nil || !errors.As(err, &usage) || err.Error() != tt.wantErr {
				t.Errorf("%v: error %v, want usage error %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if opts.SearchLag != tt.want {
			t.Errorf("%v: SearchLag %s, want %s", tt.args, opts.SearchLag, tt.want)
		}
	}
}
