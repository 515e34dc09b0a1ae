package awsclient

import (
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Compile-time proof that the real clients fit, so a narrowed signature
// never slips in. It lives in a test because in the binary a client
// converted to an interface links all its methods; the generated
// constructors in client_funcs.go prove the same without that.
var (
	_ STSAPI           = (*sts.Client)(nil)
	_ EC2RegionsAPI    = (*ec2.Client)(nil)
	_ OrganizationsAPI = (*organizations.Client)(nil)
)
