package version

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func buildInfo(mainVersion string, settings map[string]string) *debug.BuildInfo {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/sagekey/sagekey", Version: mainVersion}}
	for k, v := range settings {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
	}
	return bi
}

const sha = "0123abcd4567890123abcd4567890123abcd4567"

func TestResolve(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := map[string]string{"vcs.revision": sha, "vcs.time": "2026-12-01T09:00:00Z", "vcs.modified": "true"}
	for _, tc := range []struct {
		name                string
		ldV, ldC, ldD       string
		bi                  *debug.BuildInfo
		want                Info
		wantLine, wantShort string
	}{
		{
			name: "no build info at all",
			want: Info{Version: "devel"},
		},
		{
			name: "go build without VCS stamping (-buildvcs=false, or no .git as in the Docker build)",
			bi:   buildInfo("(devel)", nil),
			want: Info{Version: "devel"},
		},
		{
			name: "VCS stamping without a module version names the commit",
			bi:   buildInfo("(devel)", vcs),
			want: Info{Version: "devel-0123abcd4567", Commit: sha, Date: "2026-12-01T09:00:00Z", Modified: true},
		},
		{
			name: "go install module@version",
			bi:   buildInfo("v1.2.0", nil),
			want: Info{Version: "v1.2.0"},
		},
		{
			name: "ldflags win over the build info; modified belongs to the build info's commit",
			ldV:  "v1.2.3", ldC: "fedcba9876543210", ldD: "2026-12-07T10:00:00Z",
			bi:   buildInfo("v0.0.0-20261201090000-0123abcd4567+dirty", vcs),
			want: Info{Version: "v1.2.3", Commit: "fedcba9876543210", Date: "2026-12-07T10:00:00Z"},
		},
		{
			name: "ldflags version alone keeps the VCS commit and date",
			ldV:  "v1.2.3",
			bi:   buildInfo("(devel)", vcs),
			want: Info{Version: "v1.2.3", Commit: sha, Date: "2026-12-01T09:00:00Z", Modified: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resolve(tc.ldV, tc.ldC, tc.ldD, tc.bi)
			tc.want.Go, tc.want.Platform = runtime.Version(), platform
			if got != tc.want {
				t.Errorf("resolve = %+v\nwant     %+v", got, tc.want)
			}
		})
	}
}

func TestInfoString(t *testing.T) {
	for _, tc := range []struct {
		in   Info
		want string
	}{
		{
			Info{Version: "v1.2.3", Commit: "0123abcd4567890123", Date: "2026-12-07T10:00:00Z", Go: "go1.26.8", Platform: "linux/amd64"},
			"sagekey v1.2.3 (commit 0123abcd4567, built 2026-12-07T10:00:00Z, go1.26.8 linux/amd64)",
		},
		{
			Info{Version: "devel-0123abcd4567", Commit: "0123abcd4567890123", Modified: true, Go: "go1.26.8", Platform: "darwin/arm64"},
			"sagekey devel-0123abcd4567 (commit 0123abcd4567+dirty, go1.26.8 darwin/arm64)",
		},
		{
			Info{Version: "devel", Go: "go1.26.8", Platform: "windows/amd64"},
			"sagekey devel (go1.26.8 windows/amd64)",
		},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

// String is what the reports and the stored scans record; it must be the
// version --version prints first.
func TestStringIsTheVersionOfGet(t *testing.T) {
	if String() != Get().Version || String() == "" {
		t.Fatalf("String() = %q, Get().Version = %q", String(), Get().Version)
	}
}
