package bench

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// requestInfo is what the proxy needs to know about one AWS request.
type requestInfo struct {
	// operation is "service:Op" in IAM spelling, e.g. "sagemaker:ListTags".
	operation string
	// region comes from the SigV4 credential scope; "" when unsigned.
	region string
	// jsonProtocol is true for awsJson requests (X-Amz-Target), the only
	// ones the proxy may throttle: the throttling body it sends is JSON.
	jsonProtocol bool
	// body is the request body, already read; the request's Body has been
	// replaced by a reader over the same bytes.
	body []byte
}

// describeRequest names the operation of r. It reads the body (both
// protocols may need it) and puts an identical one back so the request can
// still be forwarded.
func describeRequest(r *http.Request) (requestInfo, error) {
	body, err := readAndRestoreBody(r)
	if err != nil {
		return requestInfo{}, err
	}
	region, scopeService := credentialScope(r.Header.Get("Authorization"))
	info := requestInfo{region: region, body: body}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		info.jsonProtocol = true
		info.operation = operationFromTarget(target, scopeService)
		return info, nil
	}
	info.operation = operationFromQuery(r, body, scopeService)
	return info, nil
}

// readAndRestoreBody returns the body of r and replaces it with a fresh
// reader over the same bytes.
func readAndRestoreBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	setBody(r, body)
	return body, nil
}

// setBody replaces the body of r, keeping ContentLength and GetBody
// consistent so the reverse proxy forwards exactly these bytes.
func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if r.Header.Get("Content-Length") != "" {
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
}

// operationFromTarget maps an awsJson X-Amz-Target header ("SageMaker.ListTags",
// "TrentService.DescribeKey") to "sagemaker:ListTags", "kms:DescribeKey".
// The target prefix is the service's wire name, which for KMS is nothing
// like its IAM name, so known prefixes are mapped explicitly and any other
// falls back to the signing service of the credential scope.
func operationFromTarget(target, scopeService string) string {
	prefix, op, ok := strings.Cut(target, ".")
	if !ok {
		return unknownService(scopeService) + ":" + target
	}
	service := serviceForTargetPrefix(prefix)
	if service == "" {
		service = scopeService
	}
	if service == "" {
		service = strings.ToLower(prefix)
	}
	return service + ":" + op
}

func serviceForTargetPrefix(prefix string) string {
	switch prefix {
	case "SageMaker":
		return "sagemaker"
	case "TrentService":
		return "kms"
	case "ResourceGroupsTaggingAPI_20170126":
		// The Resource Groups Tagging API signs as "tagging" but its IAM
		// actions are "tag:", as sagekey meters them (tag:GetResources).
		return "tag"
	}
	return ""
}

// operationFromQuery names an awsQuery/ec2Query request (STS, EC2): the
// operation is the Action form field, in the body for POST or in the URL.
func operationFromQuery(r *http.Request, body []byte, scopeService string) string {
	action := ""
	if form, err := url.ParseQuery(string(body)); err == nil {
		action = form.Get("Action")
	}
	if action == "" {
		action = r.URL.Query().Get("Action")
	}
	service := unknownService(scopeService)
	if action == "" {
		return service + ":" + r.Method + " " + r.URL.Path
	}
	return service + ":" + action
}

func unknownService(scopeService string) string {
	if scopeService == "" {
		return "unknown"
	}
	return scopeService
}

// credentialScope extracts region and service from a SigV4 Authorization
// header: "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, ...".
func credentialScope(authorization string) (region, service string) {
	_, rest, ok := strings.Cut(authorization, "Credential=")
	if !ok {
		return "", ""
	}
	scope, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(scope), "/")
	if len(parts) < 5 {
		return "", ""
	}
	return parts[2], parts[3]
}
