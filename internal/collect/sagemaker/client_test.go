package sagemaker

import (
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// Compile-time proof that the real clients fit, so a narrowed signature
// never slips in. It lives in a test because in the binary a client
// converted to an interface links all its methods; the generated
// constructors in client_funcs.go prove the same without that.
var (
	_ API         = (*sm.Client)(nil)
	_ JobsAPI     = (*sm.Client)(nil)
	_ StudioAPI   = (*sm.Client)(nil)
	_ PipelineAPI = (*sm.Client)(nil)
	_ FullAPI     = (*sm.Client)(nil)
	_ TaggingAPI  = (*rgt.Client)(nil)
)
