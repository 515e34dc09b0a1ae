package iam

import (
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// Compile-time proof that the real clients fit, so a narrowed signature
// never slips in. It lives in a test because in the binary a client
// converted to an interface links all its methods; the generated
// constructors in client_funcs.go prove the same without that.
var (
	_ API = (*awsiam.Client)(nil)
)
