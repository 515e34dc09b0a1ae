package s3log

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Compile-time proof that the real clients fit, so a narrowed signature
// never slips in. It lives in a test because in the binary a client
// converted to an interface links all its methods; the generated
// constructors in client_funcs.go prove the same without that.
var (
	_ API       = (*s3.Client)(nil)
	_ TrailsAPI = (*cloudtrail.Client)(nil)
)
