package remediate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/inventory"
)

// hostingPaths are where each hosting slot's key lives in an endpoint
// config. Shadow variants have no volume key of their own (the top-level
// key covers them) but do have their own core-dump key.
var hostingPaths = map[string]string{
	"volume":       "KmsKeyId",
	"data-capture": "DataCaptureConfig.KmsKeyId",
	"async-output": "AsyncInferenceConfig.OutputConfig.KmsKeyId",
	"core-dump":    "ProductionVariants[].CoreDumpConfig.KmsKeyId|ShadowProductionVariants[].CoreDumpConfig.KmsKeyId",
}

// hostingKeys lists the keys the new config gets: one per failing slot type,
// except a volume key where no variant has an ML volume.
func hostingKeys(it *Item, r res) []keyArg {
	var out []keyArg
	for _, t := range r.slotTypes() {
		if t == "volume" && noHostingVolume(r) {
			it.Warnings = append(it.Warnings, "No volume key is set: every variant is serverless or runs on instance "+
				"types with local NVMe storage, which the instance hardware encrypts and KmsKeyId does not cover.")
			continue
		}
		if p, ok := hostingPaths[t]; ok {
			out = append(out, keyArg{slot: t, paths: p})
		}
	}
	return out
}

func noHostingVolume(r res) bool {
	for _, s := range r.slots {
		if s.Type != "volume" {
			continue
		}
		if s.Serverless {
			return true
		}
		if len(s.InstanceTypes) == 0 {
			return false
		}
		for _, t := range s.InstanceTypes {
			if !catalog.HasLocalStorage(catalog.TableHosting, t) {
				return false
			}
		}
		return true
	}
	return false
}

// newConfigCommands creates "<old>-cmk" from the config named by the shell
// word oldWord, with the keys ks, copying variants, shadow variants, data
// capture, async inference, explainer, VPC, network isolation, execution
// role and tags (everything CreateEndpointConfig accepts).
func newConfigCommands(region, oldWord, ref string, ks []keyArg) []Command {
	rg := q(region)
	return []Command{
		sh(fmt.Sprintf(`new_config=%s
aws sagemaker describe-endpoint-config --region %s --endpoint-config-name %s > old-endpoint-config.json
aws sagemaker list-tags --region %s --resource-arn "$(aws sagemaker describe-endpoint-config --region %s \
  --endpoint-config-name %s --query EndpointConfigArn --output text)" > old-endpoint-config-tags.json`,
			newName("old_config", 63), rg, oldWord, rg, rg, oldWord)),
		sh(reshapeCommand("old-endpoint-config.json", "new-endpoint-config.json", "CreateEndpointConfig", ref,
			"old-endpoint-config-tags.json", [][2]string{{"EndpointConfigName", `"$new_config"`}}, ks)),
		sh(fmt.Sprintf("aws sagemaker create-endpoint-config --region %s --cli-input-json file://new-endpoint-config.json", rg)),
	}
}

// deleteConfigCommand deletes an endpoint config only if it still exists
// and no endpoint of the region serves from it (or is moving to it).
// cfgWord is a complete shell word; it is spliced between closed quotes in
// messages so a hostile name stays one literal word.
func deleteConfigCommand(region, cfgWord, label string) Command {
	rg := q(region)
	return Command{Lang: LangShell, Confirm: true, Prompt: "Delete the old endpoint config " + label + "?",
		Text: fmt.Sprintf(`if ! aws sagemaker describe-endpoint-config --region %[1]s --endpoint-config-name %[2]s >/dev/null 2>&1; then
  echo "endpoint config "%[2]s" no longer exists" >&2
else
  users=$(for e in $(aws sagemaker list-endpoints --region %[1]s --query 'Endpoints[].EndpointName' --output text); do
    aws sagemaker describe-endpoint --region %[1]s --endpoint-name "$e" \
      --query '[EndpointConfigName,PendingDeploymentSummary.EndpointConfigName]' --output text
  done | tr '\t' '\n' | grep -cxF -- %[2]s || true)
  if [ "$users" -gt 0 ]; then
    echo "endpoint config "%[2]s" is still used by $users endpoint(s): not deleted" >&2
  else
    aws sagemaker delete-endpoint-config --region %[1]s --endpoint-config-name %[2]s
  fi
fi`, rg, cfgWord)}
}

func (b *builder) endpointItem(it *Item, r res) {
	it.Strategy, it.Automatable = "endpoint-blue-green", true
	it.Summary = "Blue/green cut-over without downtime: a new endpoint config that copies the current one and adds " +
		"the customer-managed key, UpdateEndpoint to it, verify, then delete the old config."
	region, name := r.f.Resource.Region, r.f.Resource.Name
	rg, cfg := q(region), r.inv.Attributes[inventory.AttrEndpointConfig]
	ref := b.targetPreconditions(it, r)
	it.Preconditions = append(it.Preconditions, "The endpoint is InService: UpdateEndpoint cannot start while it "+
		"is Creating, Updating or Failed.", "Instance quota for a second copy of the endpoint's instances: during a "+
		"blue/green update both fleets run until traffic has moved.")
	it.Warnings = append(it.Warnings, "If the endpoint has auto scaling, UpdateEndpoint resets instance counts to "+
		"the new config's values; add --retain-all-variant-properties to keep the current weights and counts.")
	for _, s := range r.slots {
		if strings.HasPrefix(s.Name, "pending:") {
			it.Warnings = append(it.Warnings, "An update of this endpoint was in progress when it was scanned; wait "+
				"for it to finish and scan again before cutting over.")
			break
		}
	}
	ks := hostingKeys(it, r)
	find := fmt.Sprintf(`old_config=$(aws sagemaker describe-endpoint --region %s --endpoint-name %s --query EndpointConfigName --output text)`, rg, q(name))
	label := "<current config>-cmk"
	if cfg != "" {
		label = replacementName(cfg, 63)
		find += fmt.Sprintf(`
if [ "$old_config" != %s ]; then
  echo "endpoint "%s" now serves from $old_config, not "%s": scan again and make a new plan" >&2
  exit 1
fi`, q(cfg), q(name), q(cfg))
	}
	it.Steps = append(it.Steps, checkKeyStep(region, ref), Step{
		Title: "Create endpoint config " + label + " with the key",
		Why: "Endpoint configs are immutable, so the key goes on a copy: every production and shadow variant, " +
			"data capture, async inference, explainer, VPC, network isolation, execution role and tag of the current " +
			"config, plus the customer-managed key on each failing slot (" + strings.Join(r.slotTypes(), ", ") + ").",
		Commands: append([]Command{sh(find)}, newConfigCommands(region, `"$old_config"`, ref, ks)...),
	}, Step{
		Title: "Move the endpoint to the new config",
		Why: "UpdateEndpoint is a blue/green deployment: SageMaker starts the new fleet, shifts traffic, then " +
			"retires the old fleet; if the new fleet fails it rolls back and the endpoint keeps serving.",
		Commands: []Command{sh(fmt.Sprintf(`aws sagemaker update-endpoint --region %s --endpoint-name %s --endpoint-config-name "$new_config"
aws sagemaker wait endpoint-in-service --region %s --endpoint-name %s`, rg, q(name), rg, q(name)))},
	}, Step{
		Title: "Verify with a re-scan",
		Why: "Look for endpoint " + name + " with status PASS on endpoint.cmk: its slots are now read from the " +
			"new config and say \"customer-managed key, Enabled\". The script stops here otherwise, before anything is deleted.",
		Commands: []Command{verifyScanCommand(region, "endpoint.cmk", "endpoint", name)},
	})
	var uris []string
	for _, s := range r.slots {
		if (s.Type == "data-capture" || s.Type == "async-output") && s.OutputURI != "" && !slices.Contains(uris, s.OutputURI) {
			uris = append(uris, s.OutputURI)
		}
	}
	if len(uris) > 0 {
		it.Steps = append(it.Steps, reencryptStep(region, ref, uris, "captured data and async results"))
	}
	it.Steps = append(it.Steps, Step{
		Title: "Delete the old endpoint config",
		Why: "Only after verification, and only if no other endpoint serves from it: a config in use by another " +
			"endpoint is left alone (that endpoint needs its own cut-over).",
		Commands: []Command{deleteConfigCommand(region, `"$old_config"`, cmp.Or(cfg, "the endpoint served from"))},
	})
}
