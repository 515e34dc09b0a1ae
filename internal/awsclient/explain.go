package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// defaultRegions are the commercial regions every account has enabled.
// Every region launched since March 2019 is opt-in, so this list is closed:
// any other region of the aws partition may be one the account has not
// enabled.
var defaultRegions = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true, "ca-central-1": true,
	"eu-west-1": true, "eu-west-2": true, "eu-west-3": true, "eu-central-1": true, "eu-north-1": true,
	"ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": true, "ap-southeast-1": true,
	"ap-southeast-2": true, "ap-south-1": true, "sa-east-1": true,
}

// mayBeOptIn reports whether region could be an opt-in region (China and
// GovCloud regions are separate partitions without opt-in).
func mayBeOptIn(region string) bool {
	return !defaultRegions[region] && !strings.HasPrefix(region, "cn-") && !strings.HasPrefix(region, "us-gov-") &&
		!strings.HasPrefix(region, "us-iso")
}

// explainCall turns the failures of a first call that a person can fix
// (a stopped emulator, a region that does not exist or is not enabled,
// refused credentials) into an Error, and returns any other err unchanged.
// Credential failures arrive already explained by explainingProvider.
func explainCall(ctx context.Context, cfg aws.Config, op string, err error) error {
	var done *Error
	if errors.As(err, &done) {
		return done
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		if cfg.BaseEndpoint == nil && mayBeRegionTypo(cfg.Region) {
			return explained(ctx, RegionUnavailable, fmt.Sprintf(
				"region %q does not exist: %s has no address; check --regions, AWS_REGION and the profile's region",
				cfg.Region, dns.Name), err)
		}
		target := requestURL(err)
		if from := endpointSource(cfg); from != "" {
			target += " (" + from + ")"
		}
		return explained(ctx, EndpointUnreachable, fmt.Sprintf(
			"cannot reach %s: host %s not found; check the address and the network", target, dns.Name), err)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		target := requestURL(err)
		where := []string{}
		if from := endpointSource(cfg); from != "" {
			where = append(where, from)
		}
		var dial *net.OpError
		if errors.As(err, &dial) && dial.Addr != nil && !strings.HasSuffix(target, "//"+dial.Addr.String()) {
			where = append(where, dial.Addr.String()) // the address a host name resolved to
		}
		if len(where) > 0 {
			target += " (" + strings.Join(where, ", ") + ")"
		}
		fix := "is it running?"
		if cfg.BaseEndpoint == nil {
			fix = "check the network and any proxy (HTTPS_PROXY)"
		}
		return explained(ctx, EndpointUnreachable, fmt.Sprintf("cannot connect to %s: connection refused; %s", target, fix), err)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch code := api.ErrorCode(); code {
	case "RegionDisabledException":
		return explained(ctx, RegionUnavailable, fmt.Sprintf(
			"%s: STS is not activated in region %q for this account: activate it in the account's IAM settings or drop it from --regions",
			op, cfg.Region), err)
	case "InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure":
		if mayBeOptIn(cfg.Region) {
			return explained(ctx, RegionUnavailable, fmt.Sprintf(
				"%s: AWS does not accept the credentials in region %q (%s): if it is an opt-in region, enable it in the account's settings or drop it from --regions; otherwise the access key is wrong or deleted",
				op, cfg.Region, code), err)
		}
		return explained(ctx, CredentialsRejected, fmt.Sprintf(
			"%s: AWS does not accept the credentials (%s): the access key is wrong or deleted; check AWS_ACCESS_KEY_ID or the profile's keys, or run \"aws configure\"",
			op, code), err)
	case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
		return explained(ctx, CredentialsRejected, fmt.Sprintf(
			"%s: the AWS credentials have expired (%s): get new ones (\"aws sso login --profile NAME\", or new session keys)",
			op, code), err)
	}
	return err
}

// mayBeRegionTypo: a default region whose service name does not resolve
// means DNS is broken, not that the region is missing.
func mayBeRegionTypo(region string) bool { return region != "" && !defaultRegions[region] }

// requestURL is the endpoint the failed request went to, without its path.
func requestURL(err error) string {
	var u *url.Error
	if errors.As(err, &u) {
		if p, perr := url.Parse(u.URL); perr == nil {
			return p.Scheme + "://" + p.Host
		}
		return u.URL
	}
	return "the AWS endpoint"
}

// endpointSource names where a custom endpoint came from, so the message
// points at the setting to change. The explicit option wins in Load, so an
// endpoint equal to neither the environment's nor the profile's came from
// the flag.
func endpointSource(cfg aws.Config) string {
	endpoint := aws.ToString(cfg.BaseEndpoint)
	if endpoint == "" {
		return ""
	}
	if os.Getenv("AWS_ENDPOINT_URL") == endpoint {
		return "AWS_ENDPOINT_URL"
	}
	for _, s := range cfg.ConfigSources {
		if shared, ok := s.(config.SharedConfig); ok && shared.BaseEndpoint == endpoint {
			return "endpoint_url in profile " + shared.Profile
		}
	}
	return "--endpoint-url"
}

// noRegion explains ErrNoRegion, naming the profile whose region was read.
func noRegion(ctx context.Context, cfg aws.Config, o Options) error {
	c := chainOf(cfg, o)
	return explained(ctx, NoRegion, fmt.Sprintf(
		"no AWS region: pass --regions, set AWS_REGION, or set region in profile %q (%s)",
		c.profile, c.configFile), ErrNoRegion)
}

// refusedIsFinal stops the identity check retrying a refused connection.
// The retryer's 8 attempts with backoff exist for throttling mid-scan; on
// the first call a refused connection means nothing is listening (an
// emulator that is not running), and retrying it only delays the error by
// most of a minute.
func refusedIsFinal(o *sts.Options) {
	if r, ok := o.Retryer.(aws.RetryerV2); ok {
		o.Retryer = refusedNotRetried{r}
	}
}

type refusedNotRetried struct{ aws.RetryerV2 }

func (r refusedNotRetried) IsErrorRetryable(err error) bool {
	return !errors.Is(err, syscall.ECONNREFUSED) && r.RetryerV2.IsErrorRetryable(err)
}
