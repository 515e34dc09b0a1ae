package securityhub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/report"
)

// sized is a finding with the size of its JSON, which is what the request
// body carries (the ASFF names are the wire names).
type sized struct {
	report.ASFFFinding
	size int
}

// plan sets aside the findings that cannot be imported, recording why, and
// groups the rest by the region of their ProductArn, regions sorted.
func plan(findings []report.ASFFFinding, o Options, res *Result) ([]string, map[string][]sized) {
	by := map[string][]sized{}
	for _, f := range findings {
		refuse := func(code, format string, a ...any) {
			res.Failed = append(res.Failed, FailedFinding{Id: f.Id, ErrorCode: code, ErrorMessage: fmt.Sprintf(format, a...)})
		}
		if f.AwsAccountId != o.Account {
			refuse(CodeOtherAccount, "finding belongs to account %s, not to the caller's account %s: Security Hub takes findings "+
				"for the default product only from their own account; import them with that account's credentials", f.AwsAccountId, o.Account)
			continue
		}
		region := productRegion(f.ProductArn)
		if region == "" {
			refuse(CodeNoRegion, "ProductArn %q names no region to send the finding to", f.ProductArn)
			continue
		}
		// The wire JSON has the same names and values; Marshal also escapes
		// <, > and &, so if anything this overestimates.
		b, err := json.Marshal(f)
		if err != nil {
			refuse(CodeRequestFailed, "encode finding: %v", err)
			continue
		}
		if len(b) > o.MaxFindingBytes {
			refuse(CodeTooLarge, "finding is %d bytes; Security Hub accepts at most %d", len(b), o.MaxFindingBytes)
			continue
		}
		by[region] = append(by[region], sized{f, len(b)})
	}
	return slices.Sorted(maps.Keys(by)), by
}

// productRegion reads the region of arn:partition:securityhub:region:...
func productRegion(arn string) string {
	p := strings.SplitN(arn, ":", 5)
	if len(p) < 5 || p[0] != "arn" || p[2] != "securityhub" {
		return ""
	}
	return p[3]
}

// envelope is the request body around the findings: {"Findings":[...]}.
const envelope = len(`{"Findings":[]}`)

// batches cuts findings into requests of at most MaxBatchFindings findings
// and MaxBatchBytes bytes, in order.
func batches(fs []sized, o Options) [][]sized {
	var out [][]sized
	var cur []sized
	n := envelope
	for _, f := range fs {
		add := f.size + 1 // the comma before it
		if len(cur) > 0 && (len(cur) == o.MaxBatchFindings || n+add > o.MaxBatchBytes) {
			out, cur, n = append(out, cur), nil, envelope
		}
		if len(cur) == 0 {
			add = f.size
		}
		cur, n = append(cur, f), n+add
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// send imports one batch. Findings the service refuses with a code that may
// pass later are sent again, alone, after an exponential backoff; the
// others are recorded as failed with Security Hub's code and message.
func send(ctx context.Context, api API, batch []sized, o Options, res *Result) {
	pending := batch
	for attempt := 1; ; attempt++ {
		out, err := api.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: toSDK(pending)})
		res.Batches++
		if err != nil {
			code, msg := requestError(err)
			res.fail(pending, code, msg)
			return
		}
		refused := map[string]types.ImportFindingsError{}
		for _, e := range out.FailedFindings {
			refused[aws.ToString(e.Id)] = e
		}
		var again []sized
		for _, f := range pending {
			e, ok := refused[f.Id]
			code := aws.ToString(e.ErrorCode)
			switch {
			case !ok:
				res.Imported++
			case attempt < o.Attempts && retryable(code):
				again = append(again, f)
			default:
				res.Failed = append(res.Failed, FailedFinding{Id: f.Id, ErrorCode: code, ErrorMessage: aws.ToString(e.ErrorMessage)})
			}
		}
		if len(again) == 0 {
			return
		}
		if err := o.Sleep(ctx, backoff(o.Backoff, attempt)); err != nil {
			for _, f := range again {
				e := refused[f.Id]
				res.Failed = append(res.Failed, FailedFinding{Id: f.Id, ErrorCode: CodeCanceled,
					ErrorMessage: fmt.Sprintf("refused (%s: %s), not resent: %v", aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage), err)})
			}
			return
		}
		pending = again
	}
}

func backoff(base time.Duration, attempt int) time.Duration {
	return min(base<<(attempt-1), maxBackoff)
}

// retryable says whether a refused finding may be accepted on a later
// attempt. Security Hub refuses a finding that breaks the ASFF with
// InvalidInput, and resending it cannot help, nor can resending what the
// caller may not write; anything else (an internal error, a limit) may
// pass.
func retryable(code string) bool {
	c := strings.ToLower(code)
	for _, permanent := range []string{"invalid", "validation", "accessdenied", "unauthorized", "forbidden", "notfound"} {
		if strings.Contains(c, permanent) {
			return false
		}
	}
	return true
}

// requestError is the code and a log-safe reason for a request that failed
// as a whole (after the SDK's own retries).
func requestError(err error) (code, msg string) {
	msg = awserr.Reason("securityhub:BatchImportFindings", err)
	var apiErr smithy.APIError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return CodeCanceled, msg
	case errors.As(err, &apiErr):
		return apiErr.ErrorCode(), msg
	}
	return CodeRequestFailed, msg
}
