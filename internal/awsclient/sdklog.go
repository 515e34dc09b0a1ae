package awsclient

import (
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// sdkLogger sends the SDK's own log lines (such as "falling back to
// IMDSv1") to slog at debug level. The SDK's default writes them to
// stderr, where they would come before, and confuse, the one line a
// person should read about the failure.
type sdkLogger struct{}

// Logf implements logging.Logger.
func (sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	slog.Debug("aws sdk: "+fmt.Sprintf(format, v...), "classification", string(c))
}
