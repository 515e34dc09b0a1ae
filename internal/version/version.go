// Package version reports the build's version from the module build info, so
// releases need no ldflags and `go install` builds still say what they are.
package version

import "runtime/debug"

// String returns the module version, or "devel" with the VCS revision.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}
