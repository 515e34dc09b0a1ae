package awsclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/smithy-go"
)

// imdsProbeTimeout bounds the one quick look at the instance metadata
// service made when it is the only credential source left. On EC2 the
// service answers in milliseconds, and a container behind a one-hop limit
// loses only the token request (the SDK's 500 ms header timeout) before
// IMDSv1 answers; off EC2 the SDK's own client would otherwise retry for
// its full 5-second operation timeout before saying "no EC2 IMDS role".
const imdsProbeTimeout = time.Second

// chain is where the SDK's credential chain looks, read back from the
// configuration sources it loaded, so an error can say what was tried.
type chain struct {
	profile         string
	profileFrom     string // "--profile", "AWS_PROFILE", "AWS_DEFAULT_PROFILE" or "" (the default profile)
	configFile      string
	credentialsFile string
	envChecked      bool // environment keys count (not with an explicit profile)
	sso             bool
	// imdsOnly: nothing else is configured, so the instance role is the
	// chain's last resort; imdsDisabled: and it is switched off.
	imdsOnly, imdsDisabled bool
}

func chainOf(cfg aws.Config, o Options) chain {
	c := chain{
		profile:         config.DefaultSharedConfigProfile,
		configFile:      envOr("AWS_CONFIG_FILE", config.DefaultSharedConfigFilename()),
		credentialsFile: envOr("AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFilename()),
		envChecked:      o.Profile == "",
	}
	if o.Profile != "" {
		c.profile, c.profileFrom = o.Profile, "--profile"
	} else {
		// The SDK reads these two, in this order.
		for _, name := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
			if v := os.Getenv(name); v != "" {
				c.profile, c.profileFrom = v, name
				break
			}
		}
	}
	var env config.EnvConfig
	var shared config.SharedConfig
	for _, s := range cfg.ConfigSources {
		switch v := s.(type) {
		case config.EnvConfig:
			env = v
		case config.SharedConfig:
			shared = v
		}
	}
	c.sso = shared.SSOSessionName != "" || shared.SSOStartURL != "" || shared.SSOAccountID != ""
	configured := shared.Credentials.HasKeys() || c.sso || shared.SourceProfileName != "" ||
		shared.CredentialSource != "" || shared.CredentialProcess != "" || shared.WebIdentityTokenFile != "" ||
		shared.RoleARN != "" || shared.LoginSession != "" ||
		env.ContainerCredentialsEndpoint != "" || env.ContainerCredentialsRelativePath != "" ||
		(c.envChecked && (env.Credentials.HasKeys() || env.WebIdentityTokenFilePath != ""))
	c.imdsOnly = !configured
	c.imdsDisabled = env.EC2IMDSClientEnableState == imds.ClientDisabled
	return c
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// files names the shared files, as the fix is usually to edit one of them.
func (c chain) files() string { return c.configFile + " and " + c.credentialsFile }

// loginProfile is the profile to name in an "aws sso login" hint.
func (c chain) loginProfile() string {
	if c.profileFrom == "" {
		return "NAME"
	}
	return c.profile
}

func (c chain) noCredentials(ctx context.Context, err error) error {
	tried := []string{}
	if c.envChecked {
		tried = append(tried, "AWS_ACCESS_KEY_ID")
	}
	tried = append(tried, fmt.Sprintf("profile %q in %s", c.profile, c.files()))
	if !c.imdsDisabled {
		tried = append(tried, "the EC2 instance metadata service")
	}
	return explained(ctx, NoCredentials, fmt.Sprintf(
		"no AWS credentials found (tried %s): run \"aws configure\", set AWS_PROFILE to a profile with credentials, or run \"aws sso login --profile %s\"",
		strings.Join(tried, "; "), c.loginProfile()), err)
}

func (c chain) ssoSession(ctx context.Context, err error) error {
	return explained(ctx, SSOSession, fmt.Sprintf(
		"the AWS SSO session of profile %q has expired or was never started: run \"aws sso login --profile %s\"",
		c.profile, c.profile), err)
}

// unknownProfile explains the SDK's SharedConfigProfileNotExistError.
func unknownProfile(ctx context.Context, o Options, err error) error {
	var missing config.SharedConfigProfileNotExistError
	if !errors.As(err, &missing) {
		return nil
	}
	c := chainOf(aws.Config{}, o)
	from := c.profileFrom
	if from == "" {
		from = "AWS_PROFILE"
	}
	return explained(ctx, UnknownProfile, fmt.Sprintf(
		"AWS profile %q (from %s) is not in %s or %s: check the name (\"aws configure list-profiles\" lists them) or create it with \"aws configure --profile %s\"",
		missing.Profile, from, c.configFile, c.credentialsFile, missing.Profile), err)
}

// explainCredentials puts cfg's credential provider behind one that turns
// the failures a person can fix into an Error, and that spends at most
// imdsProbeTimeout on the instance metadata service when it is the only
// source left. Nothing is retrieved here: Load stays free of network calls.
func explainCredentials(cfg *aws.Config, o Options) {
	if cfg.Credentials == nil {
		return
	}
	c := chainOf(*cfg, o)
	if !c.imdsOnly && !c.sso {
		return
	}
	p := &explainingProvider{chain: c, sdk: cfg.Credentials}
	if c.imdsOnly && !c.imdsDisabled {
		p.probe = ec2rolecreds.New(func(eo *ec2rolecreds.Options) {
			// One attempt: the SDK's retries are what keep a machine
			// without the service waiting.
			eo.Client = imds.NewFromConfig(*cfg, func(io *imds.Options) { io.Retryer = aws.NopRetryer{} })
		})
	}
	cfg.Credentials = aws.NewCredentialsCache(p)
}

// explainingProvider explains the first failure to get credentials. Once
// credentials have been found, later refresh failures are the SDK's: they
// are transient, and the SDK's provider retries them. That is also why a
// successful probe's credentials are dropped and the SDK's provider asked
// again: on EC2 that costs a few millisecond requests once, and every later
// refresh keeps the SDK's retries.
type explainingProvider struct {
	chain chain
	probe aws.CredentialsProvider // nil: no quick look first
	sdk   aws.CredentialsProvider
	found atomic.Bool
}

func (p *explainingProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.found.Load() {
		return p.sdk.Retrieve(ctx)
	}
	if p.probe != nil {
		probeCtx, cancel := context.WithTimeout(ctx, imdsProbeTimeout)
		_, err := p.probe.Retrieve(probeCtx)
		cancel()
		if err != nil && ctx.Err() == nil {
			return aws.Credentials{}, p.chain.noCredentials(ctx, err)
		}
	}
	creds, err := p.sdk.Retrieve(ctx)
	switch {
	case err == nil:
		p.found.Store(true)
	case ctx.Err() != nil:
	case p.chain.imdsOnly:
		err = p.chain.noCredentials(ctx, err)
	case p.chain.sso && isSSOSessionError(err):
		err = p.chain.ssoSession(ctx, err)
	}
	return creds, err
}

// isSSOSessionError recognises a missing, expired or revoked SSO token
// (sso:GetRoleCredentials answers a revoked one with UnauthorizedException).
// The sso-session token provider returns plain errors ("cached SSO token is
// expired, or not present, and cannot be refreshed"), hence the text test.
func isSSOSessionError(err error) bool {
	var invalid *ssocreds.InvalidTokenError
	var api smithy.APIError
	return errors.As(err, &invalid) || (errors.As(err, &api) && api.ErrorCode() == "UnauthorizedException") ||
		strings.Contains(err.Error(), "SSO token")
}
