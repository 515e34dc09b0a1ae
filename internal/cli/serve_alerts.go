package cli

import (
	"context"
	"os"

	"github.com/sagekey/sagekey/internal/alert/route"
	"github.com/sagekey/sagekey/internal/awsclient"
)

// buildRouter builds the sinks from the configuration, reading their
// secrets from files and the environment. AWS is loaded only for SNS
// sinks, so a webhook-only setup needs no AWS credentials for alerts.
func buildRouter(ctx context.Context, cfg route.Config, opts awsclient.Options) (*route.Router, error) {
	deps := route.Deps{Getenv: os.Getenv, ReadFile: os.ReadFile}
	for _, s := range cfg.Sinks {
		if s.Type != "sns" {
			continue
		}
		awsCfg, err := awsclient.Load(ctx, opts)
		if err != nil {
			return nil, err
		}
		deps.AWS = awsclient.Instrument(awsCfg, awsclient.NewMeter(), awsclient.NewRateLimits(1))
		break
	}
	r, err := route.Build(cfg, deps)
	if err != nil {
		return nil, usageError{err}
	}
	return r, nil
}
