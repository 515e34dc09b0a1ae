package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// sdkHeld are the services whose *Client the SDK itself hands to an
// interface, so every exported method stays linked whatever sagekey does.
// They are reported, not failed.
var sdkHeld = map[string]string{
	"s3":      "s3.New binds each client to its S3 Express session provider (createSessionAPIClient)",
	"sts":     "config's assume-role and web-identity credential providers (stscreds)",
	"sso":     "config's SSO credential provider (ssocreds)",
	"ssooidc": "config's SSO token provider (ssocreds)",
	"signin":  "config's console-login credential provider",
}

// nonOperations are exported *Client methods that are not API calls and
// may stay linked for the SDK's own use.
var nonOperations = []string{"Options"}

// clientMethod matches a linked exported method of an SDK service client
// in go tool nm's output (not the -fm method-value wrappers).
var clientMethod = regexp.MustCompile(`\sgithub\.com/aws/aws-sdk-go-v2/service/([a-z0-9]+)\.\(\*Client\)\.([A-Z][A-Za-z0-9_]*)$`)

// TestBinaryKeepsOnlyNamedClientMethods builds sagekey and fails if it
// links an exported method of an SDK client that none of the adapted
// interfaces names. That happens when a raw client (not its generated
// adapter) becomes an interface value anywhere in the binary: sagekey
// calls methods by name through reflection (text/template), so the linker
// then keeps every exported method of the client: for *ec2.Client 2,439
// functions and 19.6 MB of code.
func TestBinaryKeepsOnlyNamedClientMethods(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ./cmd/sagekey and reads its symbols; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "sagekey")
	build := exec.Command("go", "build", "-o", bin, "./cmd/sagekey")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/sagekey: %v\n%s", err, out)
	}
	nm := exec.Command("go", "tool", "nm", bin)
	nm.Dir = root
	out, err := nm.Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	linked := linkedClientMethods(out)
	if len(linked) == 0 {
		t.Fatal("go tool nm shows no SDK client method at all: the symbol pattern no longer matches")
	}

	allowed := allowedClientMethods(t)
	var services []string
	for s := range linked {
		services = append(services, s)
	}
	slices.Sort(services)
	for _, svc := range services {
		methods := linked[svc]
		if why, ok := sdkHeld[svc]; ok {
			t.Logf("%s: %d exported *Client methods linked, held by the SDK: %s", svc, len(methods), why)
			continue
		}
		names, ok := allowed[svc]
		if !ok {
			t.Errorf("sagekey links %d exported methods of *%s.Client, and no adapter in tools/genclients/adapters.go names that service.\n"+
				"A raw *%s.Client became an interface value, so the linker kept every exported method (sagekey calls methods by\n"+
				"name through reflection). Give the interface an entry in adapters.go, run go run ./tools/genclients, and pass\n"+
				"the client through the generated constructor.", len(methods), svc, svc)
			continue
		}
		var extra []string
		for _, m := range methods {
			if !names[m] && !slices.Contains(nonOperations, m) {
				extra = append(extra, m)
			}
		}
		if len(extra) > 0 {
			t.Errorf("sagekey links %d exported methods of *%s.Client that no adapted interface names (%d linked, %d named):\n  %s\n"+
				"A raw *%s.Client became an interface value somewhere, so the linker kept every exported method (sagekey calls\n"+
				"methods by name through reflection). Pass it through its generated constructor (see tools/genclients/adapters.go)\n"+
				"or, for a new interface, list it there and run go run ./tools/genclients.",
				len(extra), svc, len(methods), len(names), strings.Join(firstN(extra, 20), ", "), svc)
			continue
		}
		t.Logf("%s: %d exported *Client methods linked, all named by its interfaces", svc, len(methods))
	}
}

// linkedClientMethods reads go tool nm's output: service → its linked
// exported *Client methods.
func linkedClientMethods(nm []byte) map[string][]string {
	out := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(nm))
	for sc.Scan() {
		if m := clientMethod.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]] = append(out[m[1]], m[2])
		}
	}
	for s := range out {
		slices.Sort(out[s])
		out[s] = slices.Compact(out[s])
	}
	return out
}

// allowedClientMethods is, per service, every method the adapted
// interfaces name, read with reflect from the interfaces the adapters
// implement (TestAdaptersMatchTheCompiledInterfaces ties them to
// adapters.go).
func allowedClientMethods(t *testing.T) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, a := range adapters {
		svc := path.Base(a.client)
		if out[svc] == nil {
			out[svc] = map[string]bool{}
		}
		c, ok := compiled[adapterKey(a)]
		if !ok {
			t.Fatalf("%s is not in the compiled map of genclients_test.go", adapterKey(a))
		}
		for _, m := range methodNames(c.iface) {
			out[svc][m] = true
		}
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("... %d more", len(s)-n))
	}
	return s
}
