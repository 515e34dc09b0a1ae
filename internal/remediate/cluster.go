package remediate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// clusterPy writes the UpdateCluster input that keeps every instance group
// as it is and adds, for each group named, a copy "<group>-cmk" whose root
// and secondary EBS volumes carry the key. UpdateCluster takes the full
// list, so existing groups are restated from DescribeCluster (their
// TargetCount becomes InstanceCount).
const clusterPy = `import json, sys
import botocore.session
src, dst, key = sys.argv[1:4]
replace = sys.argv[4:]
c = json.load(open(src))
model = botocore.session.get_session().get_service_model("sagemaker")

def keep(v, shape):
    if shape.type_name == "structure" and isinstance(v, dict):
        return {k: keep(x, shape.members[k]) for k, x in v.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(v, list):
        return [keep(x, shape.member) for x in v]
    return v

def spec(g, shape):
    g = dict(g, InstanceCount=g.get("TargetCount", g.get("CurrentCount", 0)))
    if "MinCount" in g:
        g["MinInstanceCount"] = g["MinCount"]
    return keep(g, model.shape_for(shape))

groups = [spec(g, "ClusterInstanceGroupSpecification") for g in c.get("InstanceGroups", [])]
for name in replace:
    old = next(g for g in groups if g["InstanceGroupName"] == name)
    new = json.loads(json.dumps(old))
    new["InstanceGroupName"] = name[:59] + "-cmk"
    storage = [s for s in old.get("InstanceStorageConfigs", []) if "EbsVolumeConfig" not in s]
    storage.append({"EbsVolumeConfig": {"RootVolume": True, "VolumeKmsKeyId": key}})
    for s in old.get("InstanceStorageConfigs", []):
        ebs = s.get("EbsVolumeConfig")
        if ebs and not ebs.get("RootVolume"):
            storage.append({"EbsVolumeConfig": dict(ebs, VolumeKmsKeyId=key)})
    new["InstanceStorageConfigs"] = storage
    groups.append(new)
req = {"ClusterName": c["ClusterName"], "InstanceGroups": groups}
restricted = [spec(g, "ClusterRestrictedInstanceGroupSpecification") for g in c.get("RestrictedInstanceGroups", [])]
if restricted:
    req["RestrictedInstanceGroups"] = restricted
with open(dst, "w") as out:
    json.dump(req, out, indent=2, sort_keys=True)
print("wrote", dst)`

// clusterGroups are the instance groups with a failing slot, from slot
// names "root-volume:<group>" and "ebs-volume:<group>[#n]".
func clusterGroups(r res) []string {
	var out []string
	for _, s := range r.slots {
		_, g, ok := strings.Cut(slotSuffix.ReplaceAllString(s.Name, ""), ":")
		if ok && g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

func (b *builder) clusterItem(it *Item, r res) {
	it.Strategy = "hyperpod-new-instance-group"
	it.Summary = "The key of an existing HyperPod instance group cannot be changed: add a copy of each group with " +
		"customer-managed EBS keys, shift the workload to it, then delete the old group."
	region, name := r.f.Resource.Region, r.f.Resource.Name
	rg, cl := q(region), q(name)
	ref := b.targetPreconditions(it, r)
	groups := clusterGroups(r)
	quoted := make([]string, len(groups))
	for i, g := range groups {
		quoted[i] = q(g)
	}
	it.Preconditions = append(it.Preconditions,
		"The cluster uses NodeProvisioningMode=Continuous: customer-managed keys are supported only there.",
		"The groups are not restricted instance groups (those cannot use customer-managed keys).",
		"The key policy has no kms:EncryptionContext* condition: HyperPod passes no encryption context.",
		"Each group's execution role may call kms:CreateGrant on the key (scale-out, node replacement and patching need it).")
	if k, ok := b.keys[b.o.TargetKeys[region]]; ok && strings.Contains(k.Policy, "kms:EncryptionContext") {
		it.Warnings = append(it.Warnings, "The target key's policy mentions kms:EncryptionContext: HyperPod sends none, "+
			"so a condition on it makes node launches fail.")
	}
	it.Warnings = append(it.Warnings, "The new groups run as many instances as the old ones until the old groups are "+
		"deleted: check the instance quota (or training plan capacity) and the cost.",
		"Local NVMe instance storage (p4d, p5, trn...) is never KMS-encrypted; the hardware encrypts it.")
	it.Steps = append(it.Steps, checkKeyStep(region, ref), Step{
		Title: "Check the node provisioning mode",
		Why:   "Customer-managed EBS keys work only with NodeProvisioningMode=Continuous.",
		Commands: []Command{sh(fmt.Sprintf(`mode=$(aws sagemaker describe-cluster --region %s --cluster-name %s --query NodeProvisioningMode --output text)
if [ "$mode" != Continuous ]; then
  echo "cluster "%s" uses NodeProvisioningMode=$mode; switch it to Continuous first (update-cluster --node-provisioning-mode Continuous)" >&2
  exit 1
fi`, rg, cl, cl))},
	}, Step{
		Title: "Add keyed copies of instance group(s) " + strings.Join(groups, ", "),
		Why: "Each new group copies the old one (instance type, count, lifecycle config, role, threads, VPC) and " +
			"carries EbsVolumeConfig entries with VolumeKmsKeyId: RootVolume=true for the root volume and the same " +
			"secondary volumes. UpdateCluster takes the complete list of groups, so the existing ones are restated unchanged.",
		Commands: []Command{sh(fmt.Sprintf(`aws sagemaker describe-cluster --region %s --cluster-name %s > old-cluster.json
python3 - old-cluster.json update-cluster.json "%s" %s <<'PY'
%s
PY
aws sagemaker update-cluster --region %s --cli-input-json file://update-cluster.json
%s`, rg, cl, ref, strings.Join(quoted, " "), clusterPy, rg, waitCluster(rg, cl)))},
	}, Step{
		Title: "Shift the workload to the new group(s)",
		Why: "Slurm: drain the old group's nodes (scontrol update nodename=<nodes> state=drain reason=cmk) and " +
			"point partitions at the new group. EKS: cordon and drain the old group's nodes (label " +
			"sagemaker.amazonaws.com/instance-group-name). Wait for running jobs to finish or checkpoint.",
		Commands: []Command{{Lang: LangShell, Manual: true, Prompt: "Has the workload moved off instance group(s) " +
			strings.Join(groups, ", ") + "?", Text: "kubectl get nodes -l " +
			q("sagemaker.amazonaws.com/instance-group-name="+firstOr(groups)) + "   # EKS: then kubectl cordon/drain each node"}},
	}, Step{
		Title:    "Verify with a re-scan",
		Why:      "cluster.cmk still FAILs while the old groups exist; check that the new groups' slots read \"customer-managed key, Enabled\".",
		Commands: []Command{sh(fmt.Sprintf("sagekey scan --regions %s --checks cluster.cmk || true", rg))},
	})
	del := make([]Command, 0, len(groups))
	for _, g := range groups {
		del = append(del, Command{Lang: LangShell, Confirm: true,
			Prompt: "Delete the old instance group " + g + " of cluster " + name + " (its nodes are drained)?",
			Text: fmt.Sprintf("aws sagemaker update-cluster --region %s --cluster-name %s --instance-groups-to-delete %s\n%s",
				rg, cl, q(g), waitCluster(rg, cl))})
	}
	it.Steps = append(it.Steps, Step{
		Title:    "Delete the old instance group(s)",
		Why:      "Only after the workload has moved: deleting a group terminates its nodes and their volumes.",
		Commands: del,
	})
}

func firstOr(list []string) string {
	if len(list) == 0 {
		return "<group>"
	}
	return list[0]
}

// waitCluster polls until an update has finished: there is no CLI waiter
// for clusters.
func waitCluster(rg, cl string) string {
	return fmt.Sprintf(`sleep 30
while :; do
  status=$(aws sagemaker describe-cluster --region %s --cluster-name %s --query ClusterStatus --output text)
  case "$status" in
    InService) break ;;
    Failed|RollingBack) echo "cluster update ended in $status" >&2; exit 1 ;;
  esac
  sleep 30
done`, rg, cl)
}
