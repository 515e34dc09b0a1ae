package cli

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/iac"
	"github.com/sagekey/sagekey/internal/keys"
)

// liveResolver resolves the keys the code does not define with KMS, once
// per distinct key, with the caller's credentials (--live). References are
// indexed the way the offline mapping indexes them (no account or region),
// so a bare key ID or alias is found in the caller's account and --regions'
// first region.
func (o *iacOptions) liveResolver() iac.LiveResolver {
	return func(ctx context.Context, refs []string) ([]keys.Key, map[string]string, error) {
		region := ""
		if len(o.regions) > 0 {
			region = o.regions[0]
		}
		cfg, err := awsclient.Load(ctx, awsclient.Options{Profile: o.aws.profile, EndpointURL: o.aws.endpointURL,
			MaxAttempts: o.aws.maxAttempts, Region: region})
		if err != nil {
			return nil, nil, err
		}
		cfg = awsclient.Instrument(cfg, awsclient.NewMeter(), awsclient.NewRateLimits(1))
		caller, err := awsclient.Identity(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		resolver := keys.NewResolver(caller.Account, func(r string) keys.KMSAPI {
			return keys.KMSClientAPI(kms.NewFromConfig(cfg, func(ko *kms.Options) { ko.Region = r }))
		})
		parsed := make([]keys.Ref, len(refs))
		for i, raw := range refs {
			parsed[i] = keys.ParseRef(raw, caller.Account, cfg.Region)
		}
		set := resolver.ResolveAll(ctx, parsed, 8)
		index := map[string]string{}
		for _, raw := range refs {
			if k, ok := set.Lookup(raw, caller.Account, cfg.Region); ok {
				index[keys.ParseRef(raw, "", "").Canonical()] = k.ARN
			}
		}
		return set.Distinct(), index, nil
	}
}

// compareWithScan sets the code against a stored scan (--compare-scan):
// the latest by default, when a history store exists.
func (o *iacOptions) compareWithScan(ctx context.Context, e Env, res *iac.Result) error {
	if o.compare == "none" {
		return nil
	}
	var id int64
	if o.compare != "latest" {
		n, err := strconv.ParseInt(o.compare, 10, 64)
		if err != nil || n <= 0 {
			return usagef(`--compare-scan %q: want "latest", a run id or "none"`, o.compare)
		}
		id = n
	}
	if !o.db.exists() {
		if id != 0 {
			return usagef("--compare-scan %d: no history store (see --db)", id)
		}
		slog.Info("no stored scan to compare the code with")
		return nil
	}
	st, err := o.db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.Runs(ctx)
	if err != nil {
		return err
	}
	if len(runs) == 0 && id == 0 {
		return nil
	}
	stored, err := loadStoredScan(ctx, st, id, o.configPath, e)
	if err != nil {
		return err
	}
	res.Report.Drift = iac.Compare(res.Report.Findings.Collect(), stored.Findings)
	return nil
}
