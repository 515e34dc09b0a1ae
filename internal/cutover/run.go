package cutover

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagekey/sagekey/internal/awserr"
	"github.com/sagekey/sagekey/internal/shellquote"
)

// run carries one cut-over's state between steps.
type run struct {
	api API
	req Request
	o   Options
	res Result
}

// Run performs the cut-over of one endpoint and returns what happened. It
// never returns early without saying which step failed and what the
// endpoint serves from afterwards.
func Run(ctx context.Context, api API, req Request, o Options) Result {
	if o.PollInterval <= 0 {
		o.PollInterval = 30 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &run{api: api, req: req, o: o, res: Result{Endpoint: req.Endpoint}}
	for _, name := range []string{StepRead, StepCreate, StepUpdate, StepWait, StepVerify, StepDelete} {
		r.res.Steps = append(r.res.Steps, Step{Name: name, Status: NotRun})
	}
	r.execute(ctx)
	return r.res
}

func (r *run) execute(ctx context.Context) {
	ep, cfg, tags, err := r.read(ctx)
	if err != nil {
		r.fail(ctx, 0, err)
		return
	}
	r.res.OldConfig = aws.ToString(ep.EndpointConfigName)
	r.done(0, "serving from "+r.res.OldConfig)

	name := newConfigName(r.res.OldConfig, r.o.Now())
	if _, err := r.api.CreateEndpointConfig(ctx, newConfigInput(cfg, userTags(tags), name, r.req.KeyARN)); err != nil {
		r.fail(ctx, 1, fmt.Errorf("creating endpoint config %s: %w", name, err))
		return
	}
	r.res.NewConfig = name
	r.done(1, name)

	_, err = r.api.UpdateEndpoint(ctx, &sm.UpdateEndpointInput{EndpointName: aws.String(r.req.Endpoint), EndpointConfigName: aws.String(name)})
	if err != nil {
		r.fail(ctx, 2, fmt.Errorf("updating endpoint %s: %w", r.req.Endpoint, err))
		return
	}
	r.done(2, "deployment started")

	if err := r.waitInService(ctx, name); err != nil {
		r.fail(ctx, 3, err)
		return
	}
	r.done(3, "InService on "+name)

	if r.o.Verify == nil {
		r.skip(4, "no verifier; the old config is kept")
		r.skip(5, "not verified, so "+r.res.OldConfig+" is kept for a rollback")
		return
	}
	if err := r.o.Verify(ctx, aws.ToString(ep.EndpointArn)); err != nil {
		r.fail(ctx, 4, fmt.Errorf("verification failed: %w", err))
		return
	}
	r.done(4, "every key slot passes")
	r.deleteOld(ctx)
}

// read returns the endpoint, its config and the config's tags; the
// endpoint must be InService, because an update in flight would race ours.
func (r *run) read(ctx context.Context) (*sm.DescribeEndpointOutput, *sm.DescribeEndpointConfigOutput, []types.Tag, error) {
	ep, err := r.api.DescribeEndpoint(ctx, &sm.DescribeEndpointInput{EndpointName: aws.String(r.req.Endpoint)})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading endpoint %s: %w", r.req.Endpoint, err)
	}
	if ep.EndpointStatus != types.EndpointStatusInService {
		return nil, nil, nil, fmt.Errorf("endpoint %s is %s; only an InService endpoint is cut over", r.req.Endpoint, ep.EndpointStatus)
	}
	old := aws.ToString(ep.EndpointConfigName)
	cfg, err := r.api.DescribeEndpointConfig(ctx, &sm.DescribeEndpointConfigInput{EndpointConfigName: aws.String(old)})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading endpoint config %s: %w", old, err)
	}
	var tags []types.Tag
	p := sm.NewListTagsPaginator(r.api, &sm.ListTagsInput{ResourceArn: cfg.EndpointConfigArn})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("reading the tags of endpoint config %s: %w", old, err)
		}
		tags = append(tags, page.Tags...)
	}
	return ep, cfg, tags, nil
}

// waitInService polls until the endpoint serves from name. SageMaker rolls
// a failed deployment back to the old config, which is reported as such.
func (r *run) waitInService(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	for {
		ep, err := r.api.DescribeEndpoint(ctx, &sm.DescribeEndpointInput{EndpointName: aws.String(r.req.Endpoint)})
		if err != nil {
			return fmt.Errorf("waiting for endpoint %s: %w", r.req.Endpoint, err)
		}
		serving := aws.ToString(ep.EndpointConfigName)
		switch ep.EndpointStatus {
		case types.EndpointStatusInService:
			if serving == name {
				return nil
			}
			if serving == r.res.OldConfig && ep.PendingDeploymentSummary == nil {
				return fmt.Errorf("SageMaker rolled the deployment back: %s", aws.ToString(ep.FailureReason))
			}
		case types.EndpointStatusFailed, types.EndpointStatusUpdateRollbackFailed, types.EndpointStatusOutOfService:
			return fmt.Errorf("endpoint %s is %s: %s", r.req.Endpoint, ep.EndpointStatus, aws.ToString(ep.FailureReason))
		}
		t := time.NewTimer(r.o.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("endpoint %s not InService on %s after %s: %w", r.req.Endpoint, name, r.o.Timeout, ctx.Err())
		case <-t.C:
		}
	}
}

// deleteOld removes the old config unless another endpoint still uses it.
func (r *run) deleteOld(ctx context.Context) {
	users, err := r.otherUsers(ctx)
	switch {
	case err != nil:
		r.fail(ctx, 5, fmt.Errorf("checking who else uses %s: %w", r.res.OldConfig, err))
		return
	case len(users) > 0:
		r.skip(5, fmt.Sprintf("%s is still used by %v", r.res.OldConfig, users))
		return
	}
	_, err = r.api.DeleteEndpointConfig(ctx, &sm.DeleteEndpointConfigInput{EndpointConfigName: aws.String(r.res.OldConfig)})
	if err != nil && awserr.Classify(err) != awserr.NotFound {
		r.fail(ctx, 5, fmt.Errorf("deleting endpoint config %s: %w", r.res.OldConfig, err))
		return
	}
	r.done(5, "deleted "+r.res.OldConfig)
}

// otherUsers lists the other endpoints serving from (or moving to) the old
// config; deleting it under them would strand their next scale-out.
func (r *run) otherUsers(ctx context.Context) ([]string, error) {
	var users []string
	p := sm.NewListEndpointsPaginator(r.api, &sm.ListEndpointsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Endpoints {
			name := aws.ToString(e.EndpointName)
			if name == r.req.Endpoint {
				continue
			}
			ep, err := r.api.DescribeEndpoint(ctx, &sm.DescribeEndpointInput{EndpointName: e.EndpointName})
			if awserr.Classify(err) == awserr.NotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			pending := ""
			if ep.PendingDeploymentSummary != nil {
				pending = aws.ToString(ep.PendingDeploymentSummary.EndpointConfigName)
			}
			if aws.ToString(ep.EndpointConfigName) == r.res.OldConfig || pending == r.res.OldConfig {
				users = append(users, name)
			}
		}
	}
	return users, nil
}

func (r *run) done(i int, detail string) { r.res.Steps[i].Status, r.res.Steps[i].Detail = Done, detail }
func (r *run) skip(i int, detail string) {
	r.res.Steps[i].Status, r.res.Steps[i].Detail = Skipped, detail
}

// fail records the failed step, stops, and reads back what the endpoint
// serves from so the report states the endpoint's real condition.
func (r *run) fail(ctx context.Context, i int, err error) {
	r.res.Steps[i].Status, r.res.Steps[i].Detail = Failed, err.Error()
	r.res.Error = err.Error()
	if errors.Is(err, context.Canceled) {
		ctx = context.WithoutCancel(ctx)
	}
	if ep, derr := r.api.DescribeEndpoint(ctx, &sm.DescribeEndpointInput{EndpointName: aws.String(r.req.Endpoint)}); derr == nil {
		r.res.ServingConfig = aws.ToString(ep.EndpointConfigName)
	}
	if r.res.NewConfig != "" && r.res.ServingConfig != r.res.NewConfig {
		r.res.Cleanup = append(r.res.Cleanup, "the new config is unused: "+
			shellquote.Join("aws", "sagemaker", "delete-endpoint-config", "--endpoint-config-name", r.res.NewConfig))
	}
	if i >= 4 && r.res.OldConfig != "" {
		r.res.Cleanup = append(r.res.Cleanup, "to roll back: "+shellquote.Join("aws", "sagemaker", "update-endpoint",
			"--endpoint-name", r.req.Endpoint, "--endpoint-config-name", r.res.OldConfig))
	}
}
