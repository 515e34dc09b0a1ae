package awsclient

import (
	"context"
	"crypto/sha1" //nolint:gosec // the SSO token cache names files by SHA-1, not for security
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/testutil/loopback"
)

// The tests below run the real Load and Identity against a closed
// loopback port, a listener that never answers, or a stub STS, and pin the
// exact line a person reads. They use t.Setenv, so none is parallel.

// blackHole returns a loopback address that accepts connections (the
// kernel completes the handshake) but never answers, as a metadata address
// that is routed nowhere behaves.
func blackHole(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// noCredentialsAnywhere is isolate with the metadata service switched on
// and pointed at imdsAddr, as on a laptop with nothing configured.
func noCredentialsAnywhere(t *testing.T, imdsAddr string) string {
	t.Helper()
	dir := isolate(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://"+imdsAddr)
	for _, v := range []string{"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(v, "")
	}
	return dir
}

func dummyKeys(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
}

// whoAmI is what a scan does first: Load, then Identity.
func whoAmI(t *testing.T, o Options) (*Error, error) {
	t.Helper()
	cfg, err := Load(context.Background(), o)
	if err == nil {
		_, err = Identity(context.Background(), cfg)
	}
	if err == nil {
		t.Fatal("no error")
	}
	var explained *Error
	if !errors.As(err, &explained) {
		t.Fatalf("err = %v, want an *awsclient.Error", err)
	}
	return explained, err
}

func wantMessage(t *testing.T, got *Error, problem Problem, msg string) {
	t.Helper()
	if got.Problem != problem {
		t.Errorf("Problem = %d, want %d", got.Problem, problem)
	}
	if got.Error() != msg {
		t.Errorf("message\n got: %s\nwant: %s", got.Error(), msg)
	}
}

// TestFriendlyNoCredentialsIsQuick: with nothing configured, the metadata
// service gets one short look instead of the SDK's retries (measured: 5.0 s
// with a closed or silent endpoint before, 5 ms closed and 1.0 s silent
// after). The bound is a sanity bound, not a benchmark.
func TestFriendlyNoCredentialsIsQuick(t *testing.T) {
	for _, tc := range []struct {
		name string
		imds func(testing.TB) string
	}{{"closed metadata port", loopback.FreeAddr}, {"silent metadata endpoint", blackHole}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := noCredentialsAnywhere(t, tc.imds(t))
			start := time.Now()
			got, _ := whoAmI(t, Options{Region: "us-east-1", EndpointURL: "http://" + loopback.FreeAddr(t)})
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %v waiting on the metadata service", took)
			}
			wantMessage(t, got, NoCredentials, `no AWS credentials found (tried AWS_ACCESS_KEY_ID; profile "default" in `+
				filepath.Join(dir, "config")+" and "+filepath.Join(dir, "credentials")+
				`; the EC2 instance metadata service): run "aws configure", set AWS_PROFILE to a profile with credentials, or run "aws sso login --profile NAME"`)
			if got.Err == nil {
				t.Error("the SDK's error is not kept")
			}
		})
	}
}

func TestFriendlyProfileWithoutCredentials(t *testing.T) {
	dir := isolate(t) // AWS_EC2_METADATA_DISABLED=true
	got, _ := whoAmI(t, Options{Region: "us-east-1", EndpointURL: "http://" + loopback.FreeAddr(t), Profile: "audit"})
	// --profile names a profile that is not there: that is what to fix.
	wantMessage(t, got, UnknownProfile, `AWS profile "audit" (from --profile) is not in `+filepath.Join(dir, "config")+" or "+
		filepath.Join(dir, "credentials")+`: check the name ("aws configure list-profiles" lists them) or create it with "aws configure --profile audit"`)
	if !got.Usage() {
		t.Error("an unknown profile is not a usage error")
	}

	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[profile audit]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ = whoAmI(t, Options{EndpointURL: "http://" + loopback.FreeAddr(t), Profile: "audit"})
	wantMessage(t, got, NoCredentials, `no AWS credentials found (tried profile "audit" in `+filepath.Join(dir, "config")+" and "+
		filepath.Join(dir, "credentials")+`): run "aws configure", set AWS_PROFILE to a profile with credentials, or run "aws sso login --profile audit"`)
}

func TestFriendlyUnknownProfileFromEnvironment(t *testing.T) {
	dir := isolate(t)
	t.Setenv("AWS_PROFILE", "prod")
	_, err := Load(context.Background(), Options{Region: "us-east-1"})
	var got *Error
	if !errors.As(err, &got) {
		t.Fatalf("err = %v", err)
	}
	wantMessage(t, got, UnknownProfile, `AWS profile "prod" (from AWS_PROFILE) is not in `+filepath.Join(dir, "config")+" or "+
		filepath.Join(dir, "credentials")+`: check the name ("aws configure list-profiles" lists them) or create it with "aws configure --profile prod"`)
}

func TestFriendlyNoRegion(t *testing.T) {
	dir := isolate(t)
	_, err := Load(context.Background(), Options{})
	var got *Error
	if !errors.As(err, &got) || !errors.Is(err, ErrNoRegion) {
		t.Fatalf("err = %v, want an Error wrapping ErrNoRegion", err)
	}
	wantMessage(t, got, NoRegion, `no AWS region: pass --regions, set AWS_REGION, or set region in profile "default" (`+
		filepath.Join(dir, "config")+")")
	if !got.Usage() {
		t.Error("no region is not a usage error")
	}
}

// TestFriendlyExpiredSSOSession writes an SSO profile and an expired cached
// token where "aws sso login" leaves them.
func TestFriendlyExpiredSSOSession(t *testing.T) {
	dir := isolate(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	const startURL = "https://example.awsapps.com/start"
	conf := "[profile dev]\nsso_start_url = " + startURL + "\nsso_region = us-east-1\nsso_account_id = 123456789012\n" +
		"sso_role_name = Audit\nregion = us-east-1\n"
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(startURL)) //nolint:gosec // the cache's naming scheme
	cache := filepath.Join(home, ".aws", "sso", "cache")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	token := `{"accessToken":"expired","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"` + startURL + `"}`
	if err := os.WriteFile(filepath.Join(cache, hex.EncodeToString(sum[:])+".json"), []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ := whoAmI(t, Options{Profile: "dev", EndpointURL: "http://" + loopback.FreeAddr(t)})
	wantMessage(t, got, SSOSession, `the AWS SSO session of profile "dev" has expired or was never started: run "aws sso login --profile dev"`)
}

func TestFriendlyEndpointRefused(t *testing.T) {
	isolate(t)
	dummyKeys(t)
	addr := loopback.FreeAddr(t)
	start := time.Now()
	got, err := whoAmI(t, Options{Region: "us-east-1", EndpointURL: "http://" + addr})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v: a refused connection was retried", took)
	}
	wantMessage(t, got, EndpointUnreachable, "cannot connect to http://"+addr+" (--endpoint-url): connection refused; is it running?")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Error("errors.Is(err, ECONNREFUSED) is false through the wrapping")
	}

	t.Setenv("AWS_ENDPOINT_URL", "http://"+addr)
	got, _ = whoAmI(t, Options{Region: "us-east-1"})
	wantMessage(t, got, EndpointUnreachable, "cannot connect to http://"+addr+" (AWS_ENDPOINT_URL): connection refused; is it running?")
}

// stubSTS answers every call with an STS error, as STS does in an opt-in
// region the account has not enabled (moto has no notion of enabling).
func stubSTS(t *testing.T, code string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>` + code +
			`</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFriendlyRegionNotEnabled(t *testing.T) {
	isolate(t)
	dummyKeys(t)
	endpoint := stubSTS(t, "InvalidClientTokenId")
	got, _ := whoAmI(t, Options{Region: "af-south-1", EndpointURL: endpoint})
	wantMessage(t, got, RegionUnavailable, `sts:GetCallerIdentity: AWS does not accept the credentials in region "af-south-1" (InvalidClientTokenId): `+
		`if it is an opt-in region, enable it in the account's settings or drop it from --regions; otherwise the access key is wrong or deleted`)

	// In a region every account has, the same answer is about the key.
	got, _ = whoAmI(t, Options{Region: "us-east-1", EndpointURL: endpoint})
	wantMessage(t, got, CredentialsRejected, `sts:GetCallerIdentity: AWS does not accept the credentials (InvalidClientTokenId): `+
		`the access key is wrong or deleted; check AWS_ACCESS_KEY_ID or the profile's keys, or run "aws configure"`)
}

// TestFriendlyRegionDoesNotExist needs a resolver that answers "no such
// host" for a name under amazonaws.com that does not exist; it is skipped
// where DNS does not answer at all.
func TestFriendlyRegionDoesNotExist(t *testing.T) {
	const host = "sts.xx-fake-1.amazonaws.com"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var dns *net.DNSError
	if _, err := net.DefaultResolver.LookupHost(ctx, host); !errors.As(err, &dns) || !dns.IsNotFound {
		t.Skipf("DNS does not answer NXDOMAIN for %s here: %v", host, err)
	}
	isolate(t)
	dummyKeys(t)
	got, _ := whoAmI(t, Options{Region: "xx-fake-1"})
	wantMessage(t, got, RegionUnavailable, `region "xx-fake-1" does not exist: `+host+
		` has no address; check --regions, AWS_REGION and the profile's region`)
}
