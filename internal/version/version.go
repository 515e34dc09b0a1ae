// Package version says which build of sagekey is running: the version, the
// commit and when it was built, and the Go toolchain.
//
// Release builds set the first three with -ldflags (see .goreleaser.yaml):
//
//	-X github.com/sagekey/sagekey/internal/version.version=v1.2.3
//	-X github.com/sagekey/sagekey/internal/version.commit=<full sha>
//	-X github.com/sagekey/sagekey/internal/version.date=2026-12-07T10:00:00Z
//
// Every other build falls back on the module build info: `go install
// ...@v1.2.3` records the module version, and a `go build` in a git checkout
// records vcs.revision, vcs.time and vcs.modified. The ldflags win because a
// release is built from a tag goreleaser knows about, while the build info of
// a release built from a shallow CI clone may say less.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set with -ldflags -X at release time; empty otherwise. They are variables,
// not constants, because -X can only set package-level string variables.
var (
	version string
	commit  string
	date    string
)

// Info describes the running build. Fields the build did not record are
// empty (Modified is false).
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"` // full hash
	// Date is when a release was built (goreleaser's .Date); for other
	// builds it is the commit's time (vcs.time), the closest the build
	// info records.
	Date     string `json:"date,omitempty"`
	Modified bool   `json:"modified,omitempty"` // built from a dirty tree
	Go       string `json:"go"`
	Platform string `json:"platform"` // GOOS/GOARCH
}

// Get returns the running build's information.
func Get() Info {
	info, _ := debug.ReadBuildInfo()
	return resolve(version, commit, date, info)
}

// String returns the version alone: the SARIF, OCSF and HTML reports and the
// stored scans (tool_version) record it, and `sagekey --version` prints it
// first, so a report or stored run can be matched to the binary that made it.
func String() string { return Get().Version }

// String is the one-line form `sagekey --version` and `sagekey version`
// print, e.g.
//
//	sagekey v1.2.3 (commit 0123abcd4567, built 2026-12-07T10:00:00Z, go1.26.8 linux/amd64)
//
// What the build did not record is left out rather than printed as "unknown".
func (i Info) String() string {
	var parts []string
	if i.Commit != "" {
		c := ShortCommit(i.Commit)
		if i.Modified {
			// The same marker Go's pseudo-versions use for a dirty tree.
			c += "+dirty"
		}
		parts = append(parts, "commit "+c)
	}
	if i.Date != "" {
		parts = append(parts, "built "+i.Date)
	}
	parts = append(parts, i.Go+" "+i.Platform)
	return fmt.Sprintf("sagekey %s (%s)", i.Version, strings.Join(parts, ", "))
}

// ShortCommit abbreviates a commit hash to 12 characters, enough to be
// unique in any repository of this size and what `git log --abbrev=12`
// accepts back.
func ShortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// resolve merges the ldflags values with the build info (nil when the binary
// carries none); it is separate from Get so tests can feed both.
func resolve(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) Info {
	i := Info{Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var revision, vcsTime string
	var modified bool
	if bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			i.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	switch {
	case ldVersion != "":
		i.Version = ldVersion
	case i.Version == "" && len(revision) >= 12:
		// A build with VCS stamping but no module version still names
		// its commit in the version, so a stored run says which source
		// made it even where only the version is kept.
		i.Version = "devel-" + revision[:12]
	case i.Version == "":
		i.Version = "devel"
	}
	i.Commit, i.Date, i.Modified = revision, vcsTime, modified
	if ldCommit != "" {
		// vcs.modified describes the build info's commit, not the one a
		// release states.
		i.Commit, i.Modified = ldCommit, false
	}
	if ldDate != "" {
		i.Date = ldDate
	}
	return i
}
