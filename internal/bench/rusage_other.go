//go:build !unix

package bench

import "os"

// rusageMaxRSSKiB is unknown (0) where the OS gives no rusage.
func rusageMaxRSSKiB(*os.ProcessState) int64 { return 0 }
