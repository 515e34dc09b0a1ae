package cli

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // the SSO token cache names files by SHA-1
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/awsclient"
	"github.com/sagekey/sagekey/internal/store"
	"github.com/sagekey/sagekey/internal/testutil/loopback"
)

// The friendly-error tests run the real command and pin the first line of
// stderr and the exit status. They use t.Setenv, so none is parallel.

func friendlyRun(t *testing.T, wantCode int, want string, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := RunEnv(context.Background(), Env{Stdout: &stdout, Stderr: &stderr, Now: time.Now}, args)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	line, _, _ := strings.Cut(stderr.String(), "\n")
	if line != "sagekey: "+want {
		t.Errorf("first line of stderr\n got: %s\nwant: sagekey: %s\nstderr:\n%s", line, want, stderr.String())
	}
	if code != wantCode {
		t.Errorf("exit %d, want %d", code, wantCode)
	}
}

// awsNowhere leaves the SDK nothing to find: no keys, empty shared files,
// the metadata service on a closed port. It returns the config file.
func awsNowhere(t *testing.T) (configFile, credentialsFile string) {
	t.Helper()
	dir := t.TempDir()
	configFile, credentialsFile = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentialsFile)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://"+loopback.FreeAddr(t))
	for _, v := range []string{
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_EC2_METADATA_DISABLED",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		t.Setenv(v, "")
	}
	return configFile, credentialsFile
}

func scanArgs(endpoint string, extra ...string) []string {
	return append([]string{"scan", "--no-store", "--progress", "never", "--endpoint-url", endpoint}, extra...)
}

func TestFriendlyScanNoCredentials(t *testing.T) {
	configFile, credentialsFile := awsNowhere(t)
	friendlyRun(t, ExitError, `no AWS credentials found (tried AWS_ACCESS_KEY_ID; profile "default" in `+configFile+" and "+credentialsFile+
		`; the EC2 instance metadata service): run "aws configure", set AWS_PROFILE to a profile with credentials, or run "aws sso login --profile NAME"`,
		scanArgs("http://"+loopback.FreeAddr(t), "--regions", "us-east-1")...)
}

func TestFriendlyScanUnknownProfile(t *testing.T) {
	configFile, credentialsFile := awsNowhere(t)
	friendlyRun(t, ExitUsage, `AWS profile "nope" (from --profile) is not in `+configFile+" or "+credentialsFile+
		`: check the name ("aws configure list-profiles" lists them) or create it with "aws configure --profile nope"`,
		scanArgs("http://"+loopback.FreeAddr(t), "--regions", "us-east-1", "--profile", "nope")...)
}

// TestFriendlyScanNoRegion exits 2: nothing was tried, and the fix is in
// how sagekey is called (--regions) or configured.
func TestFriendlyScanNoRegion(t *testing.T) {
	configFile, _ := awsNowhere(t)
	friendlyRun(t, ExitUsage, `no AWS region: pass --regions, set AWS_REGION, or set region in profile "default" (`+configFile+")",
		scanArgs("http://"+loopback.FreeAddr(t))...)
}

func TestFriendlyScanExpiredSSOSession(t *testing.T) {
	configFile, _ := awsNowhere(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	const startURL = "https://example.awsapps.com/start"
	conf := "[profile dev]\nsso_start_url = " + startURL + "\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Audit\n"
	writeFile(t, configFile, conf)
	sum := sha1.Sum([]byte(startURL)) //nolint:gosec // the cache's naming scheme
	writeFile(t, filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"),
		`{"accessToken":"x","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"`+startURL+`"}`)
	friendlyRun(t, ExitError, `the AWS SSO session of profile "dev" has expired or was never started: run "aws sso login --profile dev"`,
		scanArgs("http://"+loopback.FreeAddr(t), "--regions", "us-east-1", "--profile", "dev")...)
}

func TestFriendlyScanEndpointRefused(t *testing.T) {
	awsNowhere(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	addr := loopback.FreeAddr(t)
	friendlyRun(t, ExitError, "cannot connect to http://"+addr+" (--endpoint-url): connection refused; is it running?",
		scanArgs("http://"+addr, "--regions", "us-east-1")...)
}

// TestFriendlyScanRegionNotEnabled stubs STS's answer in an opt-in region
// the account has not enabled; moto has no notion of enabling a region.
func TestFriendlyScanRegionNotEnabled(t *testing.T) {
	awsNowhere(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>`+
			`<Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`)
	}))
	defer srv.Close()
	friendlyRun(t, ExitError, `sts:GetCallerIdentity: AWS does not accept the credentials in region "ap-southeast-7" (InvalidClientTokenId): `+
		`if it is an opt-in region, enable it in the account's settings or drop it from --regions; otherwise the access key is wrong or deleted`,
		scanArgs(srv.URL, "--regions", "ap-southeast-7")...)
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFriendlyDB(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file"), "")
	t.Run("a directory", func(t *testing.T) {
		friendlyRun(t, ExitError, "cannot open the history database "+dir+": it is a directory, not a file; "+dbHint,
			"history", "--db", dir)
	})
	t.Run("a directory that cannot be made", func(t *testing.T) {
		db := filepath.Join(dir, "file", "sub", "history.db")
		friendlyRun(t, ExitError, "cannot open the history database "+db+": mkdir "+filepath.Join(dir, "file")+": not a directory; "+dbHint,
			"history", "--db", db)
	})
	t.Run("a read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes to read-only directories")
		}
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		db := filepath.Join(ro, "history.db")
		friendlyRun(t, ExitError, "cannot open the history database "+db+": cannot create a file in "+ro+": permission denied; "+dbHint,
			"history", "--db", db)
	})
	t.Run("postgres not running", func(t *testing.T) {
		addr := loopback.FreeAddr(t)
		friendlyRun(t, ExitError, "cannot open the history database postgres://sagekey:xxxxx@"+addr+
			"/sagekey: connection refused (is PostgreSQL running there?); "+dbHint,
			"history", "--db", "postgres://sagekey:secret@"+addr+"/sagekey")
	})
	t.Run("written by a newer sagekey", func(t *testing.T) {
		db := filepath.Join(dir, "newer.db")
		st, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		latest, err := st.SchemaVersion(context.Background())
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		_, err = raw.Exec("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, 'future', 0)", latest+1)
		raw.Close()
		if err != nil {
			t.Fatal(err)
		}
		friendlyRun(t, ExitError, fmt.Sprintf("history database %s: database schema version %d is newer than this sagekey understands (%d): upgrade sagekey",
			db, latest+1, latest), "history", "--db", db)
	})
}

func TestFriendlyErrorText(t *testing.T) {
	t.Parallel()
	explained := &awsclient.Error{Problem: awsclient.NoCredentials, Msg: "no AWS credentials found", Err: errors.New("sdk detail")}
	if got := errorText(fmt.Errorf("who am I: %w", explained)); got != "no AWS credentials found" {
		t.Errorf("errorText = %q", got)
	}
	joined := errors.Join(errViolations, fmt.Errorf("import: %w", explained))
	if got := errorText(joined); got != joined.Error() {
		t.Errorf("errorText shortened a joined error: %q", got)
	}
	if got := errorText(errors.New("plain")); got != "plain" {
		t.Errorf("errorText = %q", got)
	}
	if code := exitCode(fmt.Errorf("x: %w", &awsclient.Error{Problem: awsclient.NoRegion})); code != ExitUsage {
		t.Errorf("no region exits %d", code)
	}
	if code := exitCode(fmt.Errorf("x: %w", explained)); code != ExitError {
		t.Errorf("no credentials exits %d", code)
	}
}
