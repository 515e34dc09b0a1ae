//go:build !unix

package bench

import "os"

// peakRSSKiB is unknown (0) where the OS gives no rusage.
func peakRSSKiB(*os.ProcessState) int64 { return 0 }
