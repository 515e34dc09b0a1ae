package securityhub

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
)

// RegionalClients returns the client factory Import needs: one Security
// Hub client per region, built once from cfg with the region replaced.
// cfg should come from awsclient.Load and pass through awsclient.Instrument,
// so the import is retried, rate-limited and metered like every other call.
func RegionalClients(cfg aws.Config) func(region string) API {
	var mu sync.Mutex
	clients := map[string]API{}
	return func(region string) API {
		mu.Lock()
		defer mu.Unlock()
		c, ok := clients[region]
		if !ok {
			c = ClientAPI(securityhub.NewFromConfig(cfg, func(o *securityhub.Options) { o.Region = region }))
			clients[region] = c
		}
		return c
	}
}
