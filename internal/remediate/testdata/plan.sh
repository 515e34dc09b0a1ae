#!/usr/bin/env bash
# sagekey remediation plan (sagekey.remediation/v1). Review it before running.
# Usage: bash plan.sh [ITEM...]   (no arguments: every item, in order)
# Destructive steps ask for "yes" on stdin; any other answer skips them.
set -euo pipefail

# confirm asks before a destructive or deliberate command; only "yes" runs it.
confirm() {
  local answer
  printf '\n%s\nType yes to continue: ' "$1" >&2
  read -r answer || return 1
  [[ "$answer" == yes ]]
}

# require stops the run before anything changes when a variable is unset.
require() {
  if [[ -z "${!1:-}" ]]; then
    printf 'sagekey plan: %s is not set: %s\n' "$1" "$2" >&2
    exit 1
  fi
}

# done_by_hand waits for a person to run the commands printed above it.
done_by_hand() {
  confirm "$1" || { echo "stopping: run the commands shown above first, then run this item again" >&2; exit 1; }
}

SAGEKEY_WORKDIR="${SAGEKEY_WORKDIR:-$(mktemp -d -t sagekey-remediation.XXXXXX)}"
echo "sagekey plan: working files in $SAGEKEY_WORKDIR" >&2

# ARN of the customer-managed KMS key for resources in eu-west-1 (not given: pass --key arn:aws:kms:eu-west-1:<account>:key/<id> or export it)
export KMS_KEY_ARN_EU_WEST_1="${KMS_KEY_ARN_EU_WEST_1:-}"
# ARN of the customer-managed KMS key for resources in us-east-1
if [[ -z "${KMS_KEY_ARN_US_EAST_1:-}" ]]; then KMS_KEY_ARN_US_EAST_1=arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111; fi
export KMS_KEY_ARN_US_EAST_1="${KMS_KEY_ARN_US_EAST_1:-}"
# S3 prefix (s3://bucket/prefix) for notebook backups; the bucket should use SSE-KMS with a customer-managed key
export SAGEKEY_BACKUP_S3_URI="${SAGEKEY_BACKUP_S3_URI:-}"

# var_help says what a variable is for, when it is missing.
var_help() {
  case "$1" in
    KMS_KEY_ARN_EU_WEST_1) echo 'ARN of the customer-managed KMS key for resources in eu-west-1 (not given: pass --key arn:aws:kms:eu-west-1:<account>:key/<id> or export it)' ;;
    KMS_KEY_ARN_US_EAST_1) echo 'ARN of the customer-managed KMS key for resources in us-east-1' ;;
    SAGEKEY_BACKUP_S3_URI) echo 'S3 prefix (s3://bucket/prefix) for notebook backups; the bucket should use SSE-KMS with a customer-managed key' ;;
  esac
}
# Verify first (no fix proposed): endpoint.cmk on arn:aws:sagemaker:us-east-1:111122223333:endpoint/ghost-ep: could not verify: endpoint config ghost-config no longer exists

# === Item 1: kms-key.state on kms-key 33333333-3333-3333-3333-333333333333 (priority critical) ===
# Resource: arn:aws:kms:us-east-1:111122223333:key/33333333-3333-3333-3333-333333333333
# Finding: key is pending deletion (deletion date 2026-07-01): the data of 1 resource becomes unrecoverable when it is deleted
# Strategy: key-cancel-deletion: Cancel the scheduled deletion now; re-enable the key only once arn:aws:iam::111122223333:role/KeyAdmin (as arn:aws:sts::111122223333:assumed-role/KeyAdmin/bob`id` # x), who scheduled it, has said why.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Warning: Every resource below loses its data for good when the key is deleted on 2026-07-01: 1 resource(s) depend on this key: notebook-instance nb'; rm -rf / # (arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb'; rm -rf / #).
item_1() {
:
# Step 1: Cancel the key deletion
# Why: Cancelling is safe and reversible; it leaves the key Disabled, so nothing can use it yet.
aws kms cancel-key-deletion --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/33333333-3333-3333-3333-333333333333
# Step 2: Ask arn:aws:iam::111122223333:role/KeyAdmin (as arn:aws:sts::111122223333:assumed-role/KeyAdmin/bob`id` # x) why they scheduled the deletion
# Why: CloudTrail shows arn:aws:iam::111122223333:role/KeyAdmin (as arn:aws:sts::111122223333:assumed-role/KeyAdmin/bob`id` # x) scheduled the deletion on 2026-06-20 09:30 UTC with aws-cli from 198.51.100.4 (pending window 7 days), CloudTrail event ev-ScheduleKeyDeletion-3333. Ask them before the key is used again: it may have been retired on purpose.
# Step 3: Re-enable the key
# Why: Only once the people who disabled or scheduled it agree: enabling makes every dependent resource readable again.
if confirm 'Re-enable KMS key arn:aws:kms:us-east-1:111122223333:key/33333333-3333-3333-3333-333333333333 (you know who disabled it and why)?'; then
aws kms enable-key --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/33333333-3333-3333-3333-333333333333
else
  echo "skipped: "'Re-enable KMS key arn:aws:kms:us-east-1:111122223333:key/33333333-3333-3333-3333-333333333333 (you know who disabled it and why)?' >&2
fi
}

# === Item 2: kms-key.state on kms-key 66666666-6666-6666-6666-666666666666 (priority critical) ===
# Resource: arn:aws:kms:us-east-1:111122223333:key/66666666-6666-6666-6666-666666666666
# Finding: key does not exist: the data of 1 resource encrypted with it may be unrecoverable
# Strategy: key-lost: The key no longer exists: data encrypted only under it cannot be decrypted. Recreate the resources with a healthy key and restore their data from sources that do not depend on it.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Warning: 1 resource(s) depend on this key: training-job train-ebs (arn:aws:sagemaker:us-east-1:111122223333:training-job/train-ebs).
item_2() {
:
# Step 1: Recreate each dependent resource with a healthy key
# Why: Follow the <kind>.cmk item of each resource listed in the warnings; KMS cannot bring a deleted key back.
}

# === Item 3: cluster.cmk on cluster hp-cluster (priority high) ===
# Resource: arn:aws:sagemaker:us-east-1:111122223333:cluster/hp-cluster
# Finding: key slots not protected by a healthy customer-managed key
# Strategy: hyperpod-new-instance-group: The key of an existing HyperPod instance group cannot be changed: add a copy of each group with customer-managed EBS keys, shift the workload to it, then delete the old group.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: The target key (KMS_KEY_ARN_US_EAST_1) is customer-managed (KeyManager CUSTOMER), Enabled, and in us-east-1, the resource's own region: SageMaker cannot use a key from another region.
# Precondition: The target key's policy allows the resource's execution role kms:CreateGrant (with the condition kms:GrantIsForAWSResource = true) and kms:DescribeKey; without them the create or update fails (for jobs, asynchronously).
# Precondition: The cluster uses NodeProvisioningMode=Continuous: customer-managed keys are supported only there.
# Precondition: The groups are not restricted instance groups (those cannot use customer-managed keys).
# Precondition: The key policy has no kms:EncryptionContext* condition: HyperPod passes no encryption context.
# Precondition: Each group's execution role may call kms:CreateGrant on the key (scale-out, node replacement and patching need it).
# Warning: The new groups run as many instances as the old ones until the old groups are deleted: check the instance quota (or training plan capacity) and the cost.
# Warning: Local NVMe instance storage (p4d, p5, trn...) is never KMS-encrypted; the hardware encrypts it.
item_3() {
:
# Step 1: Check the target key
# Why: A key that is AWS-managed, not Enabled or in another region would make the new resource fail or stay non-compliant.
read -r key_manager key_state key_arn < <(aws kms describe-key --region us-east-1 --key-id "$KMS_KEY_ARN_US_EAST_1" \
  --query 'KeyMetadata.[KeyManager,KeyState,Arn]' --output text)
if [[ "$key_manager" != CUSTOMER || "$key_state" != Enabled || "$key_arn" != arn:*:kms:us-east-1:* ]]; then
  echo "target key $KMS_KEY_ARN_US_EAST_1 is $key_manager/$key_state ($key_arn): need a CUSTOMER key, Enabled, in "us-east-1 >&2
  exit 1
fi
# Step 2: Check the node provisioning mode
# Why: Customer-managed EBS keys work only with NodeProvisioningMode=Continuous.
mode=$(aws sagemaker describe-cluster --region us-east-1 --cluster-name hp-cluster --query NodeProvisioningMode --output text)
if [ "$mode" != Continuous ]; then
  echo "cluster "hp-cluster" uses NodeProvisioningMode=$mode; switch it to Continuous first (update-cluster --node-provisioning-mode Continuous)" >&2
  exit 1
fi
# Step 3: Add keyed copies of instance group(s) workers
# Why: Each new group copies the old one (instance type, count, lifecycle config, role, threads, VPC) and carries EbsVolumeConfig entries with VolumeKmsKeyId: RootVolume=true for the root volume and the same secondary volumes. UpdateCluster takes the complete list of groups, so the existing ones are restated unchanged.
aws sagemaker describe-cluster --region us-east-1 --cluster-name hp-cluster > old-cluster.json
python3 - old-cluster.json update-cluster.json "$KMS_KEY_ARN_US_EAST_1" workers <<'PY'
import json, sys
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
print("wrote", dst)
PY
aws sagemaker update-cluster --region us-east-1 --cli-input-json file://update-cluster.json
sleep 30
while :; do
  status=$(aws sagemaker describe-cluster --region us-east-1 --cluster-name hp-cluster --query ClusterStatus --output text)
  case "$status" in
    InService) break ;;
    Failed|RollingBack) echo "cluster update ended in $status" >&2; exit 1 ;;
  esac
  sleep 30
done
# Step 4: Shift the workload to the new group(s)
# Why: Slurm: drain the old group's nodes (scontrol update nodename=<nodes> state=drain reason=cmk) and point partitions at the new group. EKS: cordon and drain the old group's nodes (label sagemaker.amazonaws.com/instance-group-name). Wait for running jobs to finish or checkpoint.
# Run by hand:
#   kubectl get nodes -l sagemaker.amazonaws.com/instance-group-name=workers   # EKS: then kubectl cordon/drain each node
done_by_hand 'Has the workload moved off instance group(s) workers?'
# Step 5: Verify with a re-scan
# Why: cluster.cmk still FAILs while the old groups exist; check that the new groups' slots read "customer-managed key, Enabled".
sagekey scan --regions us-east-1 --checks cluster.cmk || true
# Step 6: Delete the old instance group(s)
# Why: Only after the workload has moved: deleting a group terminates its nodes and their volumes.
if confirm 'Delete the old instance group workers of cluster hp-cluster (its nodes are drained)?'; then
aws sagemaker update-cluster --region us-east-1 --cluster-name hp-cluster --instance-groups-to-delete workers
sleep 30
while :; do
  status=$(aws sagemaker describe-cluster --region us-east-1 --cluster-name hp-cluster --query ClusterStatus --output text)
  case "$status" in
    InService) break ;;
    Failed|RollingBack) echo "cluster update ended in $status" >&2; exit 1 ;;
  esac
  sleep 30
done
else
  echo "skipped: "'Delete the old instance group workers of cluster hp-cluster (its nodes are drained)?' >&2
fi
}

# === Item 4: endpoint-config.cmk on endpoint-config fraud-config (priority high) ===
# Resource: arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/fraud-config
# Finding: key slots not protected by a healthy customer-managed key
# Strategy: endpoint-config-replace: Used by endpoint(s) fraud-ep: their blue/green cut-over (the endpoint.cmk items) moves them to a keyed copy; then this config is deleted.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
item_4() {
:
# Step 1: Cut over the endpoints that use it
# Why: Endpoint configs are immutable: the fix is a new config, which the endpoint.cmk item of each of fraud-ep creates and moves the endpoint to.
# Step 2: Delete this config once no endpoint uses it
# Why: The deletion checks again that no endpoint serves from it, so running it early changes nothing.
if confirm 'Delete the old endpoint config fraud-config?'; then
if ! aws sagemaker describe-endpoint-config --region us-east-1 --endpoint-config-name fraud-config >/dev/null 2>&1; then
  echo "endpoint config "fraud-config" no longer exists" >&2
else
  users=$(for e in $(aws sagemaker list-endpoints --region us-east-1 --query 'Endpoints[].EndpointName' --output text); do
    aws sagemaker describe-endpoint --region us-east-1 --endpoint-name "$e" \
      --query '[EndpointConfigName,PendingDeploymentSummary.EndpointConfigName]' --output text
  done | tr '\t' '\n' | grep -cxF -- fraud-config || true)
  if [ "$users" -gt 0 ]; then
    echo "endpoint config "fraud-config" is still used by $users endpoint(s): not deleted" >&2
  else
    aws sagemaker delete-endpoint-config --region us-east-1 --endpoint-config-name fraud-config
  fi
fi
else
  echo "skipped: "'Delete the old endpoint config fraud-config?' >&2
fi
}

# === Item 5: endpoint.cmk on endpoint fraud-ep (priority high) ===
# Resource: arn:aws:sagemaker:us-east-1:111122223333:endpoint/fraud-ep
# Finding: key slots not protected by a healthy customer-managed key
# Ask arn:aws:iam::111122223333:role/ml-deploy, who created it with terraform on 2026-06-02.
# Strategy: endpoint-blue-green: Blue/green cut-over without downtime: a new endpoint config that copies the current one and adds the customer-managed key, UpdateEndpoint to it, verify, then delete the old config.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: The target key (KMS_KEY_ARN_US_EAST_1) is customer-managed (KeyManager CUSTOMER), Enabled, and in us-east-1, the resource's own region: SageMaker cannot use a key from another region.
# Precondition: The target key's policy allows the resource's execution role kms:CreateGrant (with the condition kms:GrantIsForAWSResource = true), kms:Decrypt, kms:DescribeKey, kms:GenerateDataKey and kms:GenerateDataKeyWithoutPlaintext; without them the create or update fails (for jobs, asynchronously).
# Precondition: The endpoint is InService: UpdateEndpoint cannot start while it is Creating, Updating or Failed.
# Precondition: Instance quota for a second copy of the endpoint's instances: during a blue/green update both fleets run until traffic has moved.
# Warning: If the endpoint has auto scaling, UpdateEndpoint resets instance counts to the new config's values; add --retain-all-variant-properties to keep the current weights and counts.
item_5() {
:
# Step 1: Check the target key
# Why: A key that is AWS-managed, not Enabled or in another region would make the new resource fail or stay non-compliant.
read -r key_manager key_state key_arn < <(aws kms describe-key --region us-east-1 --key-id "$KMS_KEY_ARN_US_EAST_1" \
  --query 'KeyMetadata.[KeyManager,KeyState,Arn]' --output text)
if [[ "$key_manager" != CUSTOMER || "$key_state" != Enabled || "$key_arn" != arn:*:kms:us-east-1:* ]]; then
  echo "target key $KMS_KEY_ARN_US_EAST_1 is $key_manager/$key_state ($key_arn): need a CUSTOMER key, Enabled, in "us-east-1 >&2
  exit 1
fi
# Step 2: Create endpoint config fraud-config-cmk with the key
# Why: Endpoint configs are immutable, so the key goes on a copy: every production and shadow variant, data capture, async inference, explainer, VPC, network isolation, execution role and tag of the current config, plus the customer-managed key on each failing slot (volume, data-capture, async-output).
old_config=$(aws sagemaker describe-endpoint --region us-east-1 --endpoint-name fraud-ep --query EndpointConfigName --output text)
if [ "$old_config" != fraud-config ]; then
  echo "endpoint "fraud-ep" now serves from $old_config, not "fraud-config": scan again and make a new plan" >&2
  exit 1
fi
new_config="${old_config:0:59}-cmk"
aws sagemaker describe-endpoint-config --region us-east-1 --endpoint-config-name "$old_config" > old-endpoint-config.json
aws sagemaker list-tags --region us-east-1 --resource-arn "$(aws sagemaker describe-endpoint-config --region us-east-1 \
  --endpoint-config-name "$old_config" --query EndpointConfigArn --output text)" > old-endpoint-config-tags.json
python3 - old-endpoint-config.json new-endpoint-config.json CreateEndpointConfig \
  --set EndpointConfigName "$new_config" \
  --key volume KmsKeyId "$KMS_KEY_ARN_US_EAST_1" \
  --key data-capture DataCaptureConfig.KmsKeyId "$KMS_KEY_ARN_US_EAST_1" \
  --key async-output AsyncInferenceConfig.OutputConfig.KmsKeyId "$KMS_KEY_ARN_US_EAST_1" \
  --tags old-endpoint-config-tags.json <<'PY'
import argparse, json, sys
import botocore.session

p = argparse.ArgumentParser()
p.add_argument("src"); p.add_argument("dst"); p.add_argument("operation")
p.add_argument("--set", nargs=2, action="append", default=[], metavar=("FIELD", "VALUE"))
p.add_argument("--key", nargs=3, action="append", default=[], metavar=("SLOT", "PATHS", "KEY"))
p.add_argument("--tags")
p.add_argument("--only", nargs="+", help="send only these top-level members (an update, not a copy)")
a = p.parse_args()
doc = json.load(open(a.src))

def put(node, parts, value):
    if not isinstance(node, dict):
        return 0
    head, rest = parts[0], parts[1:]
    if not rest:
        node[head] = value
        return 1
    many, make = head.endswith("[]"), head.endswith("+")
    head = head.rstrip("[]+")
    if make and head not in node:
        node[head] = {}
    child = node.get(head)
    if child is None:
        return 0
    return sum(put(c, rest, value) for c in (child if many else [child]))

for slot, paths, key in a.key:
    if not sum(put(doc, path.split("."), key) for path in paths.split("|")):
        sys.exit("%s: none of %s exists in %s; set the key by hand" % (slot, paths, a.src))
for field, value in a.set:
    doc[field] = value
if a.tags:
    tags = [t for t in json.load(open(a.tags)).get("Tags", []) if not t["Key"].startswith("aws:")]
    if tags:
        doc["Tags"] = tags

def keep(v, shape):
    if shape.type_name == "structure" and isinstance(v, dict):
        return {k: keep(x, shape.members[k]) for k, x in v.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(v, list):
        return [keep(x, shape.member) for x in v]
    if shape.type_name == "map" and isinstance(v, dict):
        return {k: keep(x, shape.value) for k, x in v.items()}
    return v

if a.only:
    doc = {k: v for k, v in doc.items() if k in a.only}
model = botocore.session.get_session().get_service_model("sagemaker")
with open(a.dst, "w") as out:
    json.dump(keep(doc, model.operation_model(a.operation).input_shape), out, indent=2, sort_keys=True)
print("wrote", a.dst)
PY
aws sagemaker create-endpoint-config --region us-east-1 --cli-input-json file://new-endpoint-config.json
# Step 3: Move the endpoint to the new config
# Why: UpdateEndpoint is a blue/green deployment: SageMaker starts the new fleet, shifts traffic, then retires the old fleet; if the new fleet fails it rolls back and the endpoint keeps serving.
aws sagemaker update-endpoint --region us-east-1 --endpoint-name fraud-ep --endpoint-config-name "$new_config"
aws sagemaker wait endpoint-in-service --region us-east-1 --endpoint-name fraud-ep
# Step 4: Verify with a re-scan
# Why: Look for endpoint fraud-ep with status PASS on endpoint.cmk: its slots are now read from the new config and say "customer-managed key, Enabled". The script stops here otherwise, before anything is deleted.
sagekey scan --regions us-east-1 --checks endpoint.cmk --format json --output sagekey-verify.json || true
python3 - sagekey-verify.json endpoint fraud-ep <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kind, name = sys.argv[2:4]
st = [f["status"] for f in doc["findings"] if f["resource"]["kind"] == kind and f["resource"]["name"] == name]
if st != ["PASS"]:
    sys.exit("%s %s is %s, not PASS: stop here and investigate" % (kind, name, st or "missing"))
print(kind, name, "PASS")
PY
# Step 5: Re-encrypt or delete the old captured data and async results
# Why: Objects already written keep the encryption they were written with; the new key only covers new objects. Copying them onto themselves with SSE-KMS re-encrypts them in place. If the bucket is versioned, the previous versions stay under the old encryption until they are deleted too.
if confirm 'Re-encrypt every object under s3://capture-bucket/fraud/ in place with the target key?'; then
aws s3 cp --recursive --region us-east-1 s3://capture-bucket/fraud/ s3://capture-bucket/fraud/ --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN_US_EAST_1"
else
  echo "skipped: "'Re-encrypt every object under s3://capture-bucket/fraud/ in place with the target key?' >&2
fi
# Run by hand:
#   # or, if the data is no longer needed:
#   aws s3 rm --recursive --region us-east-1 s3://capture-bucket/fraud/
if confirm 'Re-encrypt every object under s3://async-bucket/fraud/ in place with the target key?'; then
aws s3 cp --recursive --region us-east-1 s3://async-bucket/fraud/ s3://async-bucket/fraud/ --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN_US_EAST_1"
else
  echo "skipped: "'Re-encrypt every object under s3://async-bucket/fraud/ in place with the target key?' >&2
fi
# Run by hand:
#   # or, if the data is no longer needed:
#   aws s3 rm --recursive --region us-east-1 s3://async-bucket/fraud/
# Step 6: Delete the old endpoint config
# Why: Only after verification, and only if no other endpoint serves from it: a config in use by another endpoint is left alone (that endpoint needs its own cut-over).
if confirm 'Delete the old endpoint config fraud-config?'; then
if ! aws sagemaker describe-endpoint-config --region us-east-1 --endpoint-config-name "$old_config" >/dev/null 2>&1; then
  echo "endpoint config ""$old_config"" no longer exists" >&2
else
  users=$(for e in $(aws sagemaker list-endpoints --region us-east-1 --query 'Endpoints[].EndpointName' --output text); do
    aws sagemaker describe-endpoint --region us-east-1 --endpoint-name "$e" \
      --query '[EndpointConfigName,PendingDeploymentSummary.EndpointConfigName]' --output text
  done | tr '\t' '\n' | grep -cxF -- "$old_config" || true)
  if [ "$users" -gt 0 ]; then
    echo "endpoint config ""$old_config"" is still used by $users endpoint(s): not deleted" >&2
  else
    aws sagemaker delete-endpoint-config --region us-east-1 --endpoint-config-name "$old_config"
  fi
fi
else
  echo "skipped: "'Delete the old endpoint config fraud-config?' >&2
fi
}

# === Item 6: kms-key.policy on kms-key 55555555-5555-5555-5555-555555555555 (priority high) ===
# Resource: arn:aws:kms:us-east-1:111122223333:key/55555555-5555-5555-5555-555555555555
# Finding: statement Anyone allows any principal ("*") without a restricting condition; statement Partner grants access to account 999988887777
# Strategy: key-policy-least-privilege: Replace the key policy with a least-privilege one: the account root keeps kms:*, administrators manage but cannot use the key, users (execution roles) use it and grant it only to AWS resources.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: The administrators and users in the proposal are the right ones: whoever is left out loses access to the key (the account root keeps it, so IAM policies still work).
# Warning: Not carried over: statement Anyone: any principal ("*"); statement Partner: principal arn:aws:iam::999988887777:root outside account 111122223333. Add back any that are still needed, restricted by conditions.
#   --- current key policy
#   +++ proposed key policy
#   @@ -7,50 +7,84 @@
#            "AWS": "arn:aws:iam::111122223333:root"
#          },
#          "Resource": "*",
#   -      "Sid": "Root"
#   +      "Sid": "EnableRootAccountPermissions"
#        },
#        {
#          "Action": [
#            "kms:Create*",
#   +        "kms:Describe*",
#   +        "kms:Enable*",
#   +        "kms:List*",
#            "kms:Put*",
#   +        "kms:Update*",
#   +        "kms:Revoke*",
#            "kms:Disable*",
#   -        "kms:ScheduleKeyDeletion"
#   +        "kms:Get*",
#   +        "kms:Delete*",
#   +        "kms:TagResource",
#   +        "kms:UntagResource",
#   +        "kms:ScheduleKeyDeletion",
#   +        "kms:CancelKeyDeletion",
#   +        "kms:RotateKeyOnDemand"
#          ],
#          "Effect": "Allow",
#          "Principal": {
#            "AWS": "arn:aws:iam::111122223333:role/KeyAdmin"
#          },
#          "Resource": "*",
#   -      "Sid": "Admins"
#   +      "Sid": "AllowKeyAdministration"
#        },
#        {
#          "Action": [
#            "kms:Decrypt",
#   -        "kms:GenerateDataKey*",
#   -        "kms:DescribeKey"
#   +        "kms:DescribeKey",
#   +        "kms:Encrypt",
#   +        "kms:GenerateDataKey",
#   +        "kms:GenerateDataKeyWithoutPlaintext",
#   +        "kms:ReEncryptFrom",
#   +        "kms:ReEncryptTo"
#          ],
#          "Effect": "Allow",
#          "Principal": {
#            "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
#          },
#          "Resource": "*",
#   -      "Sid": "Users"
#   +      "Sid": "AllowUseOfTheKey"
#        },
#        {
#   -      "Action": "kms:Decrypt",
#   +      "Action": "kms:CreateGrant",
#   +      "Condition": {
#   +        "Bool": {
#   +          "kms:GrantIsForAWSResource": "true"
#   +        }
#   +      },
#          "Effect": "Allow",
#   -      "Principal": "*",
#   +      "Principal": {
#   +        "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
#   +      },
#          "Resource": "*",
#   -      "Sid": "Anyone"
#   +      "Sid": "AllowGrantsForAWSResources"
#        },
#        {
#   -      "Action": "kms:Decrypt",
#   +      "Action": [
#   +        "kms:ListGrants",
#   +        "kms:RetireGrant",
#   +        "kms:RevokeGrant"
#   +      ],
#   +      "Condition": {
#   +        "StringLike": {
#   +          "kms:ViaService": [
#   +            "sagemaker.*.amazonaws.com",
#   +            "sagemaker.*.amazonaws.com.cn"
#   +          ]
#   +        }
#   +      },
#          "Effect": "Allow",
#          "Principal": {
#   -        "AWS": "arn:aws:iam::999988887777:root"
#   +        "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
#          },
#          "Resource": "*",
#   -      "Sid": "Partner"
#   +      "Sid": "AllowGrantManagementThroughAWSServices"
#        }
#      ],
#      "Version": "2012-10-17"
item_6() {
:
# Step 1: Save the current policy
# Why: It is the rollback if something loses access.
aws kms get-key-policy --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/55555555-5555-5555-5555-555555555555 --policy-name default --query Policy --output text > current-key-policy.json
# Step 2: Apply the proposed policy
# Why: Review the diff first. KMS refuses a policy that would lock the caller out unless the lockout safety check is bypassed; never bypass it.
if confirm 'Replace the key policy of arn:aws:kms:us-east-1:111122223333:key/55555555-5555-5555-5555-555555555555?'; then
cat > proposed-key-policy.json <<'JSON'
{
  "Statement": [
    {
      "Action": "kms:*",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:root"
      },
      "Resource": "*",
      "Sid": "EnableRootAccountPermissions"
    },
    {
      "Action": [
        "kms:Create*",
        "kms:Describe*",
        "kms:Enable*",
        "kms:List*",
        "kms:Put*",
        "kms:Update*",
        "kms:Revoke*",
        "kms:Disable*",
        "kms:Get*",
        "kms:Delete*",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:RotateKeyOnDemand"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/KeyAdmin"
      },
      "Resource": "*",
      "Sid": "AllowKeyAdministration"
    },
    {
      "Action": [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
      },
      "Resource": "*",
      "Sid": "AllowUseOfTheKey"
    },
    {
      "Action": "kms:CreateGrant",
      "Condition": {
        "Bool": {
          "kms:GrantIsForAWSResource": "true"
        }
      },
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
      },
      "Resource": "*",
      "Sid": "AllowGrantsForAWSResources"
    },
    {
      "Action": [
        "kms:ListGrants",
        "kms:RetireGrant",
        "kms:RevokeGrant"
      ],
      "Condition": {
        "StringLike": {
          "kms:ViaService": [
            "sagemaker.*.amazonaws.com",
            "sagemaker.*.amazonaws.com.cn"
          ]
        }
      },
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
      },
      "Resource": "*",
      "Sid": "AllowGrantManagementThroughAWSServices"
    }
  ],
  "Version": "2012-10-17"
}
JSON
aws kms put-key-policy --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/55555555-5555-5555-5555-555555555555 --policy-name default --policy file://proposed-key-policy.json
else
  echo "skipped: "'Replace the key policy of arn:aws:kms:us-east-1:111122223333:key/55555555-5555-5555-5555-555555555555?' >&2
fi
# Step 3: Verify with a re-scan
# Why: kms-key.policy must now PASS for the key; the <kind>.cmk checks of the resources it protects should not change.
sagekey scan --regions us-east-1 --checks kms-key.policy --format json --output sagekey-verify.json || true
python3 - sagekey-verify.json kms-key 55555555-5555-5555-5555-555555555555 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kind, name = sys.argv[2:4]
st = [f["status"] for f in doc["findings"] if f["resource"]["kind"] == kind and f["resource"]["name"] == name]
if st != ["PASS"]:
    sys.exit("%s %s is %s, not PASS: stop here and investigate" % (kind, name, st or "missing"))
print(kind, name, "PASS")
PY
}

# === Item 7: kms-key.state on kms-key 22222222-2222-2222-2222-222222222222 (priority high) ===
# Resource: arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222
# Finding: key is Disabled: the data of 1 resource cannot be read
# Strategy: key-enable: Find out who disabled the key and why, then re-enable it.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Warning: Someone disabled this key deliberately (possibly to contain an incident or to crypto-shred data): find out who and why in CloudTrail before re-enabling it. 1 resource(s) depend on this key: training-job train-ebs (arn:aws:sagemaker:us-east-1:111122223333:training-job/train-ebs).
item_7() {
:
# Step 1: Find out who disabled the key
# Why: Look for DisableKey events on the key; CloudTrail lookup covers the last 90 days in the key's region.
aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue=arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222 \
  --query 'Events[?EventName==`DisableKey`].[EventTime,EventName,Username,EventId]' --output table
# Step 2: Re-enable the key
# Why: Only once the people who disabled or scheduled it agree: enabling makes every dependent resource readable again.
if confirm 'Re-enable KMS key arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222 (you know who disabled it and why)?'; then
aws kms enable-key --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222
else
  echo "skipped: "'Re-enable KMS key arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222 (you know who disabled it and why)?' >&2
fi
}

# === Item 8: notebook-instance.cmk on notebook-instance nb'; rm -rf / # (priority high) ===
# Resource: arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb'; rm -rf / #
# Finding: key slots not protected by a healthy customer-managed key
# Ask arn:aws:iam::111122223333:role/ds`reboot`|*x* (as arn:aws:sts::111122223333:assumed-role/ds/carol rm -rf / # $(id)), who created it with console on 2026-06-03.
# Strategy: notebook-replace: The key of a notebook instance cannot be changed: back up /home/ec2-user/SageMaker, create a replacement with the same settings and the key, restore, verify, then retire the old notebook.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: The target key (KMS_KEY_ARN_US_EAST_1) is customer-managed (KeyManager CUSTOMER), Enabled, and in us-east-1, the resource's own region: SageMaker cannot use a key from another region.
# Precondition: The target key's policy allows the resource's execution role kms:CreateGrant (with the condition kms:GrantIsForAWSResource = true) and kms:DescribeKey; without them the create or update fails (for jobs, asynchronously).
# Precondition: A backup location in SAGEKEY_BACKUP_S3_URI whose bucket uses SSE-KMS with a customer-managed key (check: aws s3api get-bucket-encryption --bucket <bucket>), writable by the notebook's role.
# Precondition: The notebook's users know it will be replaced and have saved their work; only /home/ec2-user/SageMaker survives (packages installed elsewhere must be reinstalled, e.g. by the lifecycle config).
# Warning: The replacement has a new name (nb'; rm -rf / #-cmk) and URL; update bookmarks, IAM policies and automation that name the old one.
# Warning: Nothing is deleted without an explicit yes: stop and delete the old notebook only after the users confirm their data is on the new one.
item_8() {
:
# Step 1: Check the target key
# Why: A key that is AWS-managed, not Enabled or in another region would make the new resource fail or stay non-compliant.
read -r key_manager key_state key_arn < <(aws kms describe-key --region us-east-1 --key-id "$KMS_KEY_ARN_US_EAST_1" \
  --query 'KeyMetadata.[KeyManager,KeyState,Arn]' --output text)
if [[ "$key_manager" != CUSTOMER || "$key_state" != Enabled || "$key_arn" != arn:*:kms:us-east-1:* ]]; then
  echo "target key $KMS_KEY_ARN_US_EAST_1 is $key_manager/$key_state ($key_arn): need a CUSTOMER key, Enabled, in "us-east-1 >&2
  exit 1
fi
# Step 2: Record the old notebook's settings
# Why: A copy of the description is the rollback reference and the evidence of what the replacement must match.
old_notebook='nb'\''; rm -rf / #'
new_notebook="${old_notebook:0:59}-cmk"
aws sagemaker describe-notebook-instance --region us-east-1 --notebook-instance-name "$old_notebook" > old-notebook.json
# Step 3: Back up /home/ec2-user/SageMaker to S3 (in the old notebook's terminal)
# Why: Only the ML volume holds user data. Run this in a terminal of the running notebook (Jupyter: File > New > Terminal); for a stopped notebook, add the same sync to its on-start lifecycle config and start it. The copy is written with SSE-KMS under the target key; set SAGEKEY_BACKUP_S3_URI and KMS_KEY_ARN_US_EAST_1 in that terminal first.
# Run by hand:
#   aws s3 sync /home/ec2-user/SageMaker "$SAGEKEY_BACKUP_S3_URI/"'nb'\''; rm -rf / #'"/" --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN_US_EAST_1" --exclude '*/.ipynb_checkpoints/*'
done_by_hand 'Has the backup of notebook nb'\''; rm -rf / # to S3 finished?'
# Step 4: Create the replacement with the same settings and the key
# Why: Instance type, role, subnet, security groups, lifecycle config, volume size, root access, direct internet access, code repositories, IMDS settings and tags are copied; only KmsKeyId is new.
python3 - us-east-1 "$old_notebook" "$new_notebook" "$KMS_KEY_ARN_US_EAST_1" <<'PY'
import sys, boto3
region, old, new, key = sys.argv[1:5]
sm = boto3.client("sagemaker", region_name=region)
d = sm.describe_notebook_instance(NotebookInstanceName=old)
req = {"NotebookInstanceName": new, "KmsKeyId": key, "InstanceType": d["InstanceType"], "RoleArn": d["RoleArn"]}
for field, src in [("SubnetId", "SubnetId"), ("SecurityGroupIds", "SecurityGroups"),
                   ("LifecycleConfigName", "NotebookInstanceLifecycleConfigName"),
                   ("DirectInternetAccess", "DirectInternetAccess"), ("VolumeSizeInGB", "VolumeSizeInGB"),
                   ("AcceleratorTypes", "AcceleratorTypes"), ("DefaultCodeRepository", "DefaultCodeRepository"),
                   ("AdditionalCodeRepositories", "AdditionalCodeRepositories"), ("RootAccess", "RootAccess"),
                   ("PlatformIdentifier", "PlatformIdentifier"), ("IpAddressType", "IpAddressType"),
                   ("InstanceMetadataServiceConfiguration", "InstanceMetadataServiceConfiguration")]:
    if d.get(src):
        req[field] = d[src]
tags = [t for page in sm.get_paginator("list_tags").paginate(ResourceArn=d["NotebookInstanceArn"])
        for t in page["Tags"] if not t["Key"].startswith("aws:")]
if tags:
    req["Tags"] = tags
print(sm.create_notebook_instance(**req)["NotebookInstanceArn"])
PY
aws sagemaker wait notebook-instance-in-service --region us-east-1 --notebook-instance-name "$new_notebook"
# Step 5: Restore the data (in the new notebook's terminal)
# Why: Copies the backup onto the new, key-encrypted ML volume.
# Run by hand:
#   aws s3 sync "$SAGEKEY_BACKUP_S3_URI/"'nb'\''; rm -rf / #'"/" /home/ec2-user/SageMaker
done_by_hand 'Has the data been restored on nb'\''; rm -rf / #-cmk?'
# Step 6: Verify with a re-scan
# Why: Look for notebook-instance nb'; rm -rf / #-cmk with status PASS; the old notebook still FAILs until it is deleted.
sagekey scan --regions us-east-1 --checks notebook-instance.cmk --format json --output sagekey-verify.json || true
python3 - sagekey-verify.json notebook-instance 'nb'\''; rm -rf / #-cmk' <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kind, name = sys.argv[2:4]
st = [f["status"] for f in doc["findings"] if f["resource"]["kind"] == kind and f["resource"]["name"] == name]
if st != ["PASS"]:
    sys.exit("%s %s is %s, not PASS: stop here and investigate" % (kind, name, st or "missing"))
print(kind, name, "PASS")
PY
# Step 7: Decommission the old notebook (after explicit confirmation)
# Why: Stop first (it must be Stopped to be deleted), then delete; its unencrypted-by-CMK volume goes with it.
if confirm 'Stop the old notebook nb'\''; rm -rf / #?'; then
aws sagemaker stop-notebook-instance --region us-east-1 --notebook-instance-name "$old_notebook"
aws sagemaker wait notebook-instance-stopped --region us-east-1 --notebook-instance-name "$old_notebook"
else
  echo "skipped: "'Stop the old notebook nb'\''; rm -rf / #?' >&2
fi
if confirm 'Delete the old notebook nb'\''; rm -rf / # for good (its users confirmed their data is on nb'\''; rm -rf / #-cmk)?'; then
aws sagemaker delete-notebook-instance --region us-east-1 --notebook-instance-name "$old_notebook"
else
  echo "skipped: "'Delete the old notebook nb'\''; rm -rf / # for good (its users confirmed their data is on nb'\''; rm -rf / #-cmk)?' >&2
fi
}

# === Item 9: processing-job.cmk on processing-job prep-data (priority high) ===
# Resource: arn:aws:sagemaker:eu-west-1:111122223333:processing-job/prep-data
# Finding: key slots not protected by a healthy customer-managed key
# Strategy: job-clone: Processing job records are immutable. Run the job again with ProcessingResources.ClusterConfig.VolumeKmsKeyId (not for local-NVMe instance types), ProcessingOutputConfig.KmsKeyId and each dataset definition's KmsKeyId set to customer-managed keys, then re-encrypt or delete the old outputs.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: The target key (KMS_KEY_ARN_EU_WEST_1) is customer-managed (KeyManager CUSTOMER), Enabled, and in eu-west-1, the resource's own region: SageMaker cannot use a key from another region.
# Precondition: The target key's policy allows the resource's execution role kms:CreateGrant (with the condition kms:GrantIsForAWSResource = true), kms:Decrypt, kms:DescribeKey, kms:GenerateDataKey and kms:GenerateDataKeyWithoutPlaintext; without them the create or update fails (for jobs, asynchronously).
# Precondition: python3 with botocore (boto3) installed: the clone snippet reads the CreateProcessingJob input shape from botocore's model to drop read-only fields.
# Precondition: The job's inputs (data, images, models) still exist: the clone runs the job again and costs what the original did.
# Warning: No target key was given for eu-west-1: set KMS_KEY_ARN_EU_WEST_1 before running the commands (sagekey remediate --key arn:aws:kms:eu-west-1:<account>:key/<id>).
# Warning: SageMaker cannot delete a job record: the old job keeps failing processing-job.cmk after its outputs are re-encrypted or deleted. Record a suppression for it (reason: superseded by prep-data-cmk) or limit scans with --since.
item_9() {
:
# Step 1: Check the target key
# Why: A key that is AWS-managed, not Enabled or in another region would make the new resource fail or stay non-compliant.
read -r key_manager key_state key_arn < <(aws kms describe-key --region eu-west-1 --key-id "$KMS_KEY_ARN_EU_WEST_1" \
  --query 'KeyMetadata.[KeyManager,KeyState,Arn]' --output text)
if [[ "$key_manager" != CUSTOMER || "$key_state" != Enabled || "$key_arn" != arn:*:kms:eu-west-1:* ]]; then
  echo "target key $KMS_KEY_ARN_EU_WEST_1 is $key_manager/$key_state ($key_arn): need a CUSTOMER key, Enabled, in "eu-west-1 >&2
  exit 1
fi
# Step 2: Save the old job's description and tags
# Why: The clone is built from them, and they record what the old job was.
old_job=prep-data
new_job="${old_job:0:59}-cmk"
aws sagemaker describe-processing-job --region eu-west-1 --processing-job-name "$old_job" > old-job.json
aws sagemaker list-tags --region eu-west-1 --resource-arn arn:aws:sagemaker:eu-west-1:111122223333:processing-job/prep-data > old-job-tags.json
# Step 3: Run a clone with customer-managed keys
# Why: Job records are immutable, so the fix is a new run with the key on volume and output. The snippet keeps everything else (algorithm, role, data, resources, VPC, stopping condition, tags).
python3 - old-job.json new-job.json CreateProcessingJob \
  --set ProcessingJobName "$new_job" \
  --key volume ProcessingResources.ClusterConfig.VolumeKmsKeyId "$KMS_KEY_ARN_EU_WEST_1" \
  --key output ProcessingOutputConfig.KmsKeyId "$KMS_KEY_ARN_EU_WEST_1" \
  --tags old-job-tags.json <<'PY'
import argparse, json, sys
import botocore.session

p = argparse.ArgumentParser()
p.add_argument("src"); p.add_argument("dst"); p.add_argument("operation")
p.add_argument("--set", nargs=2, action="append", default=[], metavar=("FIELD", "VALUE"))
p.add_argument("--key", nargs=3, action="append", default=[], metavar=("SLOT", "PATHS", "KEY"))
p.add_argument("--tags")
p.add_argument("--only", nargs="+", help="send only these top-level members (an update, not a copy)")
a = p.parse_args()
doc = json.load(open(a.src))

def put(node, parts, value):
    if not isinstance(node, dict):
        return 0
    head, rest = parts[0], parts[1:]
    if not rest:
        node[head] = value
        return 1
    many, make = head.endswith("[]"), head.endswith("+")
    head = head.rstrip("[]+")
    if make and head not in node:
        node[head] = {}
    child = node.get(head)
    if child is None:
        return 0
    return sum(put(c, rest, value) for c in (child if many else [child]))

for slot, paths, key in a.key:
    if not sum(put(doc, path.split("."), key) for path in paths.split("|")):
        sys.exit("%s: none of %s exists in %s; set the key by hand" % (slot, paths, a.src))
for field, value in a.set:
    doc[field] = value
if a.tags:
    tags = [t for t in json.load(open(a.tags)).get("Tags", []) if not t["Key"].startswith("aws:")]
    if tags:
        doc["Tags"] = tags

def keep(v, shape):
    if shape.type_name == "structure" and isinstance(v, dict):
        return {k: keep(x, shape.members[k]) for k, x in v.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(v, list):
        return [keep(x, shape.member) for x in v]
    if shape.type_name == "map" and isinstance(v, dict):
        return {k: keep(x, shape.value) for k, x in v.items()}
    return v

if a.only:
    doc = {k: v for k, v in doc.items() if k in a.only}
model = botocore.session.get_session().get_service_model("sagemaker")
with open(a.dst, "w") as out:
    json.dump(keep(doc, model.operation_model(a.operation).input_shape), out, indent=2, sort_keys=True)
print("wrote", a.dst)
PY
aws sagemaker create-processing-job --region eu-west-1 --cli-input-json file://new-job.json
# (a boto3 equivalent of this step is in the markdown and json plans)
# Step 4: Check the keys on the new job
# Why: Every field printed must be the target key (null only where the job has no such section).
aws sagemaker describe-processing-job --region eu-west-1 --processing-job-name "$new_job" --query '[ProcessingResources.ClusterConfig.VolumeKmsKeyId, ProcessingOutputConfig.KmsKeyId]' --output json
# Step 5: Re-encrypt or delete the old outputs
# Why: Objects already written keep the encryption they were written with; the new key only covers new objects. Copying them onto themselves with SSE-KMS re-encrypts them in place. If the bucket is versioned, the previous versions stay under the old encryption until they are deleted too.
if confirm 'Re-encrypt every object under s3://prep-bucket/features/ in place with the target key?'; then
aws s3 cp --recursive --region eu-west-1 s3://prep-bucket/features/ s3://prep-bucket/features/ --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN_EU_WEST_1"
else
  echo "skipped: "'Re-encrypt every object under s3://prep-bucket/features/ in place with the target key?' >&2
fi
# Run by hand:
#   # or, if the data is no longer needed:
#   aws s3 rm --recursive --region eu-west-1 s3://prep-bucket/features/
}

# === Item 10: training-job.cmk on training-job train-ebs (priority high) ===
# Resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/train-ebs
# Finding: key slots not protected by a healthy customer-managed key
# Strategy: job-clone: Training jobs are immutable records. Re-run the job (clone it) with ResourceConfig.VolumeKmsKeyId and OutputDataConfig.KmsKeyId set to customer-managed keys (instance types with local NVMe storage take the output key only), and re-encrypt or delete the old model artifacts.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: The target key (KMS_KEY_ARN_US_EAST_1) is customer-managed (KeyManager CUSTOMER), Enabled, and in us-east-1, the resource's own region: SageMaker cannot use a key from another region.
# Precondition: The target key's policy allows the execution role arn:aws:iam::111122223333:role/SageMakerExec kms:CreateGrant (with the condition kms:GrantIsForAWSResource = true), kms:Decrypt, kms:DescribeKey, kms:GenerateDataKey and kms:GenerateDataKeyWithoutPlaintext; without them the create or update fails (for jobs, asynchronously).
# Precondition: python3 with botocore (boto3) installed: the clone snippet reads the CreateTrainingJob input shape from botocore's model to drop read-only fields.
# Precondition: The job's inputs (data, images, models) still exist: the clone runs the job again and costs what the original did.
# Warning: SageMaker cannot delete a job record: the old job keeps failing training-job.cmk after its outputs are re-encrypted or deleted. Record a suppression for it (reason: superseded by train-ebs-cmk) or limit scans with --since.
item_10() {
:
# Step 1: Check the target key
# Why: A key that is AWS-managed, not Enabled or in another region would make the new resource fail or stay non-compliant.
read -r key_manager key_state key_arn < <(aws kms describe-key --region us-east-1 --key-id "$KMS_KEY_ARN_US_EAST_1" \
  --query 'KeyMetadata.[KeyManager,KeyState,Arn]' --output text)
if [[ "$key_manager" != CUSTOMER || "$key_state" != Enabled || "$key_arn" != arn:*:kms:us-east-1:* ]]; then
  echo "target key $KMS_KEY_ARN_US_EAST_1 is $key_manager/$key_state ($key_arn): need a CUSTOMER key, Enabled, in "us-east-1 >&2
  exit 1
fi
# Step 2: Save the old job's description and tags
# Why: The clone is built from them, and they record what the old job was.
old_job=train-ebs
new_job="${old_job:0:59}-cmk"
aws sagemaker describe-training-job --region us-east-1 --training-job-name "$old_job" > old-job.json
aws sagemaker list-tags --region us-east-1 --resource-arn arn:aws:sagemaker:us-east-1:111122223333:training-job/train-ebs > old-job-tags.json
# Step 3: Run a clone with customer-managed keys
# Why: Job records are immutable, so the fix is a new run with the key on volume and output. The snippet keeps everything else (algorithm, role, data, resources, VPC, stopping condition, tags).
python3 - old-job.json new-job.json CreateTrainingJob \
  --set TrainingJobName "$new_job" \
  --key volume ResourceConfig.VolumeKmsKeyId "$KMS_KEY_ARN_US_EAST_1" \
  --key output OutputDataConfig.KmsKeyId "$KMS_KEY_ARN_US_EAST_1" \
  --tags old-job-tags.json <<'PY'
import argparse, json, sys
import botocore.session

p = argparse.ArgumentParser()
p.add_argument("src"); p.add_argument("dst"); p.add_argument("operation")
p.add_argument("--set", nargs=2, action="append", default=[], metavar=("FIELD", "VALUE"))
p.add_argument("--key", nargs=3, action="append", default=[], metavar=("SLOT", "PATHS", "KEY"))
p.add_argument("--tags")
p.add_argument("--only", nargs="+", help="send only these top-level members (an update, not a copy)")
a = p.parse_args()
doc = json.load(open(a.src))

def put(node, parts, value):
    if not isinstance(node, dict):
        return 0
    head, rest = parts[0], parts[1:]
    if not rest:
        node[head] = value
        return 1
    many, make = head.endswith("[]"), head.endswith("+")
    head = head.rstrip("[]+")
    if make and head not in node:
        node[head] = {}
    child = node.get(head)
    if child is None:
        return 0
    return sum(put(c, rest, value) for c in (child if many else [child]))

for slot, paths, key in a.key:
    if not sum(put(doc, path.split("."), key) for path in paths.split("|")):
        sys.exit("%s: none of %s exists in %s; set the key by hand" % (slot, paths, a.src))
for field, value in a.set:
    doc[field] = value
if a.tags:
    tags = [t for t in json.load(open(a.tags)).get("Tags", []) if not t["Key"].startswith("aws:")]
    if tags:
        doc["Tags"] = tags

def keep(v, shape):
    if shape.type_name == "structure" and isinstance(v, dict):
        return {k: keep(x, shape.members[k]) for k, x in v.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(v, list):
        return [keep(x, shape.member) for x in v]
    if shape.type_name == "map" and isinstance(v, dict):
        return {k: keep(x, shape.value) for k, x in v.items()}
    return v

if a.only:
    doc = {k: v for k, v in doc.items() if k in a.only}
model = botocore.session.get_session().get_service_model("sagemaker")
with open(a.dst, "w") as out:
    json.dump(keep(doc, model.operation_model(a.operation).input_shape), out, indent=2, sort_keys=True)
print("wrote", a.dst)
PY
aws sagemaker create-training-job --region us-east-1 --cli-input-json file://new-job.json
# (a boto3 equivalent of this step is in the markdown and json plans)
# Step 4: Check the keys on the new job
# Why: Every field printed must be the target key (null only where the job has no such section).
aws sagemaker describe-training-job --region us-east-1 --training-job-name "$new_job" --query '[ResourceConfig.VolumeKmsKeyId, OutputDataConfig.KmsKeyId]' --output json
# Step 5: Re-encrypt or delete the old outputs
# Why: Objects already written keep the encryption they were written with; the new key only covers new objects. Copying them onto themselves with SSE-KMS re-encrypts them in place. If the bucket is versioned, the previous versions stay under the old encryption until they are deleted too.
if confirm 'Re-encrypt every object under s3://models-bucket/out/train-ebs/ in place with the target key?'; then
aws s3 cp --recursive --region us-east-1 s3://models-bucket/out/train-ebs/ s3://models-bucket/out/train-ebs/ --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN_US_EAST_1"
else
  echo "skipped: "'Re-encrypt every object under s3://models-bucket/out/train-ebs/ in place with the target key?' >&2
fi
# Run by hand:
#   # or, if the data is no longer needed:
#   aws s3 rm --recursive --region us-east-1 s3://models-bucket/out/train-ebs/
}

# === Item 11: training-job.cmk on training-job train-g4dn (priority high) ===
# Resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/train-g4dn
# Finding: key slots not protected by a healthy customer-managed key
# Strategy: job-clone: Training jobs are immutable records. Re-run the job (clone it) with ResourceConfig.VolumeKmsKeyId and OutputDataConfig.KmsKeyId set to customer-managed keys (instance types with local NVMe storage take the output key only), and re-encrypt or delete the old model artifacts.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: The target key (KMS_KEY_ARN_US_EAST_1) is customer-managed (KeyManager CUSTOMER), Enabled, and in us-east-1, the resource's own region: SageMaker cannot use a key from another region.
# Precondition: The target key's policy allows the resource's execution role kms:Decrypt and kms:GenerateDataKey; without them the create or update fails (for jobs, asynchronously).
# Precondition: python3 with botocore (boto3) installed: the clone snippet reads the CreateTrainingJob input shape from botocore's model to drop read-only fields.
# Precondition: The job's inputs (data, images, models) still exist: the clone runs the job again and costs what the original did.
# Warning: Output key only: instance type ml.g4dn.xlarge has local NVMe storage, which the instance hardware encrypts; the API refuses a volume key for it.
# Warning: SageMaker cannot delete a job record: the old job keeps failing training-job.cmk after its outputs are re-encrypted or deleted. Record a suppression for it (reason: superseded by train-g4dn-cmk) or limit scans with --since.
item_11() {
:
# Step 1: Check the target key
# Why: A key that is AWS-managed, not Enabled or in another region would make the new resource fail or stay non-compliant.
read -r key_manager key_state key_arn < <(aws kms describe-key --region us-east-1 --key-id "$KMS_KEY_ARN_US_EAST_1" \
  --query 'KeyMetadata.[KeyManager,KeyState,Arn]' --output text)
if [[ "$key_manager" != CUSTOMER || "$key_state" != Enabled || "$key_arn" != arn:*:kms:us-east-1:* ]]; then
  echo "target key $KMS_KEY_ARN_US_EAST_1 is $key_manager/$key_state ($key_arn): need a CUSTOMER key, Enabled, in "us-east-1 >&2
  exit 1
fi
# Step 2: Save the old job's description and tags
# Why: The clone is built from them, and they record what the old job was.
old_job=train-g4dn
new_job="${old_job:0:59}-cmk"
aws sagemaker describe-training-job --region us-east-1 --training-job-name "$old_job" > old-job.json
aws sagemaker list-tags --region us-east-1 --resource-arn arn:aws:sagemaker:us-east-1:111122223333:training-job/train-g4dn > old-job-tags.json
# Step 3: Run a clone with customer-managed keys
# Why: Job records are immutable, so the fix is a new run with the key on output. The snippet keeps everything else (algorithm, role, data, resources, VPC, stopping condition, tags).
python3 - old-job.json new-job.json CreateTrainingJob \
  --set TrainingJobName "$new_job" \
  --key output OutputDataConfig.KmsKeyId "$KMS_KEY_ARN_US_EAST_1" \
  --tags old-job-tags.json <<'PY'
import argparse, json, sys
import botocore.session

p = argparse.ArgumentParser()
p.add_argument("src"); p.add_argument("dst"); p.add_argument("operation")
p.add_argument("--set", nargs=2, action="append", default=[], metavar=("FIELD", "VALUE"))
p.add_argument("--key", nargs=3, action="append", default=[], metavar=("SLOT", "PATHS", "KEY"))
p.add_argument("--tags")
p.add_argument("--only", nargs="+", help="send only these top-level members (an update, not a copy)")
a = p.parse_args()
doc = json.load(open(a.src))

def put(node, parts, value):
    if not isinstance(node, dict):
        return 0
    head, rest = parts[0], parts[1:]
    if not rest:
        node[head] = value
        return 1
    many, make = head.endswith("[]"), head.endswith("+")
    head = head.rstrip("[]+")
    if make and head not in node:
        node[head] = {}
    child = node.get(head)
    if child is None:
        return 0
    return sum(put(c, rest, value) for c in (child if many else [child]))

for slot, paths, key in a.key:
    if not sum(put(doc, path.split("."), key) for path in paths.split("|")):
        sys.exit("%s: none of %s exists in %s; set the key by hand" % (slot, paths, a.src))
for field, value in a.set:
    doc[field] = value
if a.tags:
    tags = [t for t in json.load(open(a.tags)).get("Tags", []) if not t["Key"].startswith("aws:")]
    if tags:
        doc["Tags"] = tags

def keep(v, shape):
    if shape.type_name == "structure" and isinstance(v, dict):
        return {k: keep(x, shape.members[k]) for k, x in v.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(v, list):
        return [keep(x, shape.member) for x in v]
    if shape.type_name == "map" and isinstance(v, dict):
        return {k: keep(x, shape.value) for k, x in v.items()}
    return v

if a.only:
    doc = {k: v for k, v in doc.items() if k in a.only}
model = botocore.session.get_session().get_service_model("sagemaker")
with open(a.dst, "w") as out:
    json.dump(keep(doc, model.operation_model(a.operation).input_shape), out, indent=2, sort_keys=True)
print("wrote", a.dst)
PY
aws sagemaker create-training-job --region us-east-1 --cli-input-json file://new-job.json
# (a boto3 equivalent of this step is in the markdown and json plans)
# Step 4: Check the keys on the new job
# Why: Every field printed must be the target key (null only where the job has no such section).
aws sagemaker describe-training-job --region us-east-1 --training-job-name "$new_job" --query '[OutputDataConfig.KmsKeyId]' --output json
# Step 5: Re-encrypt or delete the old outputs
# Why: Objects already written keep the encryption they were written with; the new key only covers new objects. Copying them onto themselves with SSE-KMS re-encrypts them in place. If the bucket is versioned, the previous versions stay under the old encryption until they are deleted too.
if confirm 'Re-encrypt every object under s3://models-bucket/out/train-g4dn/ in place with the target key?'; then
aws s3 cp --recursive --region us-east-1 s3://models-bucket/out/train-g4dn/ s3://models-bucket/out/train-g4dn/ --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN_US_EAST_1"
else
  echo "skipped: "'Re-encrypt every object under s3://models-bucket/out/train-g4dn/ in place with the target key?' >&2
fi
# Run by hand:
#   # or, if the data is no longer needed:
#   aws s3 rm --recursive --region us-east-1 s3://models-bucket/out/train-g4dn/
}

# === Item 12: training-job.key-access on training-job train-access (priority high) ===
# Resource: arn:aws:sagemaker:us-east-1:111122223333:training-job/train-access
# Finding: 2 of 2 role/key pairs cannot use the key: role arn:aws:iam::111122223333:role/TrainRole on key arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777 (ML storage volume): may not kms:CreateGrant, kms:DescribeKey, kms:GenerateDataKeyWithoutPlaintext: not in the key policy and no IAM delegation; role arn:aws:iam::111122223333:role/TrainRole on key arn:aws:kms:us-east-1:111122223333:key/88888888-8888-8888-8888-888888888888 (output written to S3): may not kms:Decrypt: the key policy delegates to IAM but the role's policies do not allow it; kms:GenerateDataKey: explicit Deny in key policy statement DenyWritesOutsideEtl
# Strategy: key-access-grant: Let the execution roles perform the KMS actions they are missing, each only through the service that calls KMS for them: add 2 statement(s) for arn:aws:iam::111122223333:role/ml/TrainRole to the policy of key arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777; add 1 statement(s) on key arn:aws:kms:us-east-1:111122223333:key/88888888-8888-8888-8888-888888888888 to an inline policy of role arn:aws:iam::111122223333:role/ml/TrainRole (the key policy delegates to IAM).
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: You may change the policy of key arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777 (kms:GetKeyPolicy and kms:PutKeyPolicy; its administrators can).
# Precondition: You may change role arn:aws:iam::111122223333:role/ml/TrainRole (iam:GetRolePolicy and iam:PutRolePolicy).
# Warning: Role arn:aws:iam::111122223333:role/ml/TrainRole may not kms:GenerateDataKey on key arn:aws:kms:us-east-1:111122223333:key/88888888-8888-8888-8888-888888888888: explicit Deny in key policy statement DenyWritesOutsideEtl. No Allow overrides an explicit Deny: remove that statement or narrow it (a condition or principal that leaves this role out) once you know why it was added. sagekey does not change it.
#   --- current key policy of arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777
#   +++ proposed key policy of arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777
#   @@ -26,6 +26,40 @@
#          },
#          "Resource": "*",
#          "Sid": "Use"
#   +    },
#   +    {
#   +      "Action": [
#   +        "kms:DescribeKey",
#   +        "kms:GenerateDataKeyWithoutPlaintext"
#   +      ],
#   +      "Condition": {
#   +        "StringEquals": {
#   +          "kms:ViaService": "sagemaker.us-east-1.amazonaws.com"
#   +        }
#   +      },
#   +      "Effect": "Allow",
#   +      "Principal": {
#   +        "AWS": "arn:aws:iam::111122223333:role/ml/TrainRole"
#   +      },
#   +      "Resource": "*",
#   +      "Sid": "SagekeyAllowTrainRoleViaSagemaker"
#   +    },
#   +    {
#   +      "Action": "kms:CreateGrant",
#   +      "Condition": {
#   +        "Bool": {
#   +          "kms:GrantIsForAWSResource": "true"
#   +        },
#   +        "StringEquals": {
#   +          "kms:ViaService": "sagemaker.us-east-1.amazonaws.com"
#   +        }
#   +      },
#   +      "Effect": "Allow",
#   +      "Principal": {
#   +        "AWS": "arn:aws:iam::111122223333:role/ml/TrainRole"
#   +      },
#   +      "Resource": "*",
#   +      "Sid": "SagekeyAllowTrainRoleGrantsViaSagemaker"
#        }
#      ],
#      "Version": "2012-10-17"
#   --- /dev/null
#   +++ inline policy sagekey-key-access-88888888-8888-8888-8888-888888888888 of role arn:aws:iam::111122223333:role/ml/TrainRole
#   @@ -0,0 +1,16 @@
#   +{
#   +  "Statement": [
#   +    {
#   +      "Action": "kms:Decrypt",
#   +      "Condition": {
#   +        "StringEquals": {
#   +          "kms:ViaService": "s3.us-east-1.amazonaws.com"
#   +        }
#   +      },
#   +      "Effect": "Allow",
#   +      "Resource": "arn:aws:kms:us-east-1:111122223333:key/88888888-8888-8888-8888-888888888888",
#   +      "Sid": "SagekeyKeyAccessViaS3"
#   +    }
#   +  ],
#   +  "Version": "2012-10-17"
#   +}
item_12() {
:
# Step 1: Save the current policy of key arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777
# Why: It is the rollback, and the statements are merged into it as it is now, not as the scan saw it.
aws kms get-key-policy --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777 --policy-name default --query Policy --output text > current-key-policy-1.json
# Step 2: Add the statements to the key policy
# Why: Only the statements below are added (a statement an earlier plan added for the same role and service is widened instead). Review the diff first; KMS refuses a policy that would lock the caller out.
if confirm 'Add statements for arn:aws:iam::111122223333:role/ml/TrainRole to the key policy of arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777?'; then
cat > key-access-statements-1.json <<'JSON'
[
  {
    "Action": [
      "kms:DescribeKey",
      "kms:GenerateDataKeyWithoutPlaintext"
    ],
    "Condition": {
      "StringEquals": {
        "kms:ViaService": "sagemaker.us-east-1.amazonaws.com"
      }
    },
    "Effect": "Allow",
    "Principal": {
      "AWS": "arn:aws:iam::111122223333:role/ml/TrainRole"
    },
    "Resource": "*",
    "Sid": "SagekeyAllowTrainRoleViaSagemaker"
  },
  {
    "Action": "kms:CreateGrant",
    "Condition": {
      "Bool": {
        "kms:GrantIsForAWSResource": "true"
      },
      "StringEquals": {
        "kms:ViaService": "sagemaker.us-east-1.amazonaws.com"
      }
    },
    "Effect": "Allow",
    "Principal": {
      "AWS": "arn:aws:iam::111122223333:role/ml/TrainRole"
    },
    "Resource": "*",
    "Sid": "SagekeyAllowTrainRoleGrantsViaSagemaker"
  }
]
JSON
python3 - current-key-policy-1.json key-access-statements-1.json proposed-key-policy-1.json <<'PY'
import json, sys
def listed(v):
    return [v] if isinstance(v, (str, dict)) else list(v or [])
def canon(v):
    return json.dumps(v, sort_keys=True)
try:
    with open(sys.argv[1]) as f:
        doc = json.load(f) or {}
except (OSError, ValueError):
    doc = {}
doc.setdefault("Version", "2012-10-17")
sts = listed(doc.get("Statement"))
with open(sys.argv[2]) as f:
    add = json.load(f)
for st in add:
    key = [canon(st.get(k)) for k in ("Principal", "Condition", "Resource")]
    same = [o for o in sts if o.get("Sid") == st["Sid"] and o.get("Effect") == st["Effect"]
            and [canon(o.get(k)) for k in ("Principal", "Condition", "Resource")] == key]
    if same:
        same[0]["Action"] = sorted(set(listed(same[0].get("Action"))) | set(listed(st["Action"])))
        continue
    sid, n = st["Sid"], 2
    while any(o.get("Sid") == st["Sid"] for o in sts):
        st["Sid"], n = sid + str(n), n + 1
    sts.append(st)
doc["Statement"] = sts
with open(sys.argv[3], "w") as f:
    json.dump(doc, f, indent=2)
PY
aws kms put-key-policy --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777 --policy-name default --policy file://proposed-key-policy-1.json
else
  echo "skipped: "'Add statements for arn:aws:iam::111122223333:role/ml/TrainRole to the key policy of arn:aws:kms:us-east-1:111122223333:key/77777777-7777-7777-7777-777777777777?' >&2
fi
# Step 3: Save the inline policy sagekey-key-access-88888888-8888-8888-8888-888888888888 of role TrainRole, if it has one
# Why: put-role-policy replaces an inline policy of the same name, so the statements are merged into it; it is also the rollback (delete-role-policy when there was none). NoSuchEntity here means there was none.
if ! aws iam get-role-policy --role-name TrainRole --policy-name sagekey-key-access-88888888-8888-8888-8888-888888888888 --query PolicyDocument --output json > current-role-policy-2.json; then
  echo '{}' > current-role-policy-2.json
fi
# Step 4: Add the statements to role TrainRole
# Why: The key policy lets IAM policies of the role's account grant these actions, so the fix belongs to the role, limited to this key and to the service that calls KMS for it.
if confirm 'Allow role arn:aws:iam::111122223333:role/ml/TrainRole to use key arn:aws:kms:us-east-1:111122223333:key/88888888-8888-8888-8888-888888888888?'; then
cat > role-statements-2.json <<'JSON'
[
  {
    "Action": "kms:Decrypt",
    "Condition": {
      "StringEquals": {
        "kms:ViaService": "s3.us-east-1.amazonaws.com"
      }
    },
    "Effect": "Allow",
    "Resource": "arn:aws:kms:us-east-1:111122223333:key/88888888-8888-8888-8888-888888888888",
    "Sid": "SagekeyKeyAccessViaS3"
  }
]
JSON
python3 - current-role-policy-2.json role-statements-2.json proposed-role-policy-2.json <<'PY'
import json, sys
def listed(v):
    return [v] if isinstance(v, (str, dict)) else list(v or [])
def canon(v):
    return json.dumps(v, sort_keys=True)
try:
    with open(sys.argv[1]) as f:
        doc = json.load(f) or {}
except (OSError, ValueError):
    doc = {}
doc.setdefault("Version", "2012-10-17")
sts = listed(doc.get("Statement"))
with open(sys.argv[2]) as f:
    add = json.load(f)
for st in add:
    key = [canon(st.get(k)) for k in ("Principal", "Condition", "Resource")]
    same = [o for o in sts if o.get("Sid") == st["Sid"] and o.get("Effect") == st["Effect"]
            and [canon(o.get(k)) for k in ("Principal", "Condition", "Resource")] == key]
    if same:
        same[0]["Action"] = sorted(set(listed(same[0].get("Action"))) | set(listed(st["Action"])))
        continue
    sid, n = st["Sid"], 2
    while any(o.get("Sid") == st["Sid"] for o in sts):
        st["Sid"], n = sid + str(n), n + 1
    sts.append(st)
doc["Statement"] = sts
with open(sys.argv[3], "w") as f:
    json.dump(doc, f, indent=2)
PY
aws iam put-role-policy --role-name TrainRole --policy-name sagekey-key-access-88888888-8888-8888-8888-888888888888 --policy-document file://proposed-role-policy-2.json
else
  echo "skipped: "'Allow role arn:aws:iam::111122223333:role/ml/TrainRole to use key arn:aws:kms:us-east-1:111122223333:key/88888888-8888-8888-8888-888888888888?' >&2
fi
# Step 5: Verify with a re-scan
# Why: training-job.key-access must now PASS for the resource. IAM changes can take a few seconds to apply; re-run the scan if the first one still fails.
sagekey scan --regions us-east-1 --checks training-job.key-access --format json --output sagekey-verify.json || true
python3 - sagekey-verify.json training-job train-access <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kind, name = sys.argv[2:4]
st = [f["status"] for f in doc["findings"] if f["resource"]["kind"] == kind and f["resource"]["name"] == name]
if st != ["PASS"]:
    sys.exit("%s %s is %s, not PASS: stop here and investigate" % (kind, name, st or "missing"))
print(kind, name, "PASS")
PY
}

# === Item 13: kms-key.least-privilege on kms-key aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa (priority medium) ===
# Resource: arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa
# Finding: 4 principals may use the key beyond the 1 execution role of the resources it protects: * (kms:Decrypt, kms:GenerateDataKey; key policy statement ViaS3InAccount (if kms:CallerAccount, kms:ViaService)); arn:aws:iam::111122223333:role/analytics (kms:CreateGrant, kms:Decrypt, kms:GenerateDataKey; key policy statement #4, key policy statement Use); arn:aws:iam::111122223333:role/etl (kms:Decrypt; grant 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0); arn:aws:iam::111122223333:role/reporting (kms:Decrypt; key policy statement #4)
# Strategy: key-least-privilege: Only the execution roles of the resources this key protects should use it: narrow 2 key policy statements and revoke 1 grant.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Precondition: None of these principals still needs the key: arn:aws:iam::111122223333:role/analytics, arn:aws:iam::111122223333:role/etl, arn:aws:iam::111122223333:role/reporting. Something sagekey did not scan (a Lambda function, an analytics job, another account's pipeline) may use it.
# Precondition: You may change the key policy (kms:PutKeyPolicy; the key's administrators can).
# Warning: Statement ViaS3InAccount lets every principal use the key (if kms:CallerAccount, kms:ViaService): replace it with one that names the execution roles of the resources the key protects (arn:aws:iam::111122223333:role/SageMakerExec). sagekey does not rewrite it.
# Warning: A principal taken off the key policy may still use the key through its IAM policies while the root statement delegates to IAM: remove kms actions on this key from its policies too.
#   --- current key policy
#   +++ proposed key policy
#   @@ -32,26 +32,12 @@
#          ],
#          "Effect": "Allow",
#          "Principal": {
#   -        "AWS": [
#   -          "arn:aws:iam::111122223333:role/SageMakerExec",
#   -          "arn:aws:iam::111122223333:role/analytics"
#   -        ]
#   +        "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
#          },
#          "Resource": "*",
#          "Sid": "Use"
#        },
#        {
#   -      "Action": "kms:Decrypt",
#   -      "Effect": "Allow",
#   -      "Principal": {
#   -        "AWS": [
#   -          "arn:aws:iam::111122223333:role/analytics",
#   -          "arn:aws:iam::111122223333:role/reporting"
#   -        ]
#   -      },
#   -      "Resource": "*"
#   -    },
#   -    {
#          "Action": [
#            "kms:Decrypt",
#            "kms:GenerateDataKey"
item_13() {
:
# Step 1: Check who still uses the key
# Why: CloudTrail keeps 90 days of KMS requests in the key's region: keep any principal above that a workload still needs, and take it out of the proposal.
aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue=arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa \
  --query 'Events[?EventName==`Decrypt` || EventName==`GenerateDataKey` || EventName==`Encrypt` || EventName==`ReEncrypt` || EventName==`CreateGrant`].[EventTime,EventName,Username,EventId]' --output table
# Step 2: Save the current policy
# Why: It is the rollback if a principal turns out to be needed.
aws kms get-key-policy --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa --policy-name default --query Policy --output text > current-key-policy.json
# Step 3: Apply the narrowed policy
# Why: Statement Use: remove arn:aws:iam::111122223333:role/analytics; Statement #4: remove arn:aws:iam::111122223333:role/analytics, arn:aws:iam::111122223333:role/reporting (the statement is dropped: no principal is left). The proposal is the policy the scan read with these principals removed: if current-key-policy.json differs from the diff's left side, rebuild it from the live policy.
if confirm 'Narrow the key policy of arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa?'; then
cat > proposed-key-policy.json <<'JSON'
{
  "Statement": [
    {
      "Action": "kms:*",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:root"
      },
      "Resource": "*",
      "Sid": "Root"
    },
    {
      "Action": [
        "kms:Create*",
        "kms:Describe*",
        "kms:Put*",
        "kms:Revoke*",
        "kms:ScheduleKeyDeletion"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/KeyAdmin"
      },
      "Resource": "*",
      "Sid": "Admins"
    },
    {
      "Action": [
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:CreateGrant"
      ],
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/SageMakerExec"
      },
      "Resource": "*",
      "Sid": "Use"
    },
    {
      "Action": [
        "kms:Decrypt",
        "kms:GenerateDataKey"
      ],
      "Condition": {
        "StringEquals": {
          "kms:CallerAccount": "111122223333",
          "kms:ViaService": "s3.us-east-1.amazonaws.com"
        }
      },
      "Effect": "Allow",
      "Principal": {
        "AWS": "*"
      },
      "Resource": "*",
      "Sid": "ViaS3InAccount"
    }
  ],
  "Version": "2012-10-17"
}
JSON
aws kms put-key-policy --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa --policy-name default --policy file://proposed-key-policy.json
else
  echo "skipped: "'Narrow the key policy of arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa?' >&2
fi
# Step 4: Revoke the grants
# Why: Grants are not part of the key policy; revoking one takes its permissions away at once (allow a few minutes to reach every KMS host). Grants: 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 (arn:aws:iam::111122223333:role/etl).
if confirm 'Revoke grant 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 (arn:aws:iam::111122223333:role/etl) on key arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa?'; then
aws kms revoke-grant --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa --grant-id 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
else
  echo "skipped: "'Revoke grant 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 (arn:aws:iam::111122223333:role/etl) on key arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa?' >&2
fi
# Step 5: Verify with a re-scan
# Why: kms-key.least-privilege must now PASS for the key; the key-access checks of the resources it protects should not change.
sagekey scan --regions us-east-1 --checks kms-key.least-privilege --format json --output sagekey-verify.json || true
python3 - sagekey-verify.json kms-key aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
kind, name = sys.argv[2:4]
st = [f["status"] for f in doc["findings"] if f["resource"]["kind"] == kind and f["resource"]["name"] == name]
if st != ["PASS"]:
    sys.exit("%s %s is %s, not PASS: stop here and investigate" % (kind, name, st or "missing"))
print(kind, name, "PASS")
PY
}

# === Item 14: kms-key.rotation on kms-key 44444444-4444-4444-4444-444444444444 (priority medium) ===
# Resource: arn:aws:kms:us-east-1:111122223333:key/44444444-4444-4444-4444-444444444444
# Finding: automatic rotation is disabled
# Strategy: key-rotation: Turn on automatic rotation: KMS adds new key material yearly (or at the period you set) and keeps the old material to decrypt existing data, so nothing is re-encrypted or recreated.
# Precondition: Credentials for account 111122223333 (the commands name no profile: set AWS_PROFILE or assume a role first).
# Warning: Keys with imported key material (Origin EXTERNAL) and asymmetric or HMAC keys cannot rotate automatically; the command fails for them.
item_14() {
:
# Step 1: Enable automatic rotation
# Why: Compliance frameworks expect rotated key material; rotation is invisible to SageMaker.
aws kms enable-key-rotation --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/44444444-4444-4444-4444-444444444444
aws kms get-key-rotation-status --region us-east-1 --key-id arn:aws:kms:us-east-1:111122223333:key/44444444-4444-4444-4444-444444444444
}

# item_vars lists the variables an item's commands read.
item_vars() {
  case "$1" in
    1) echo '' ;;
    2) echo '' ;;
    3) echo 'KMS_KEY_ARN_US_EAST_1' ;;
    4) echo '' ;;
    5) echo 'KMS_KEY_ARN_US_EAST_1' ;;
    6) echo '' ;;
    7) echo '' ;;
    8) echo 'KMS_KEY_ARN_US_EAST_1 SAGEKEY_BACKUP_S3_URI' ;;
    9) echo 'KMS_KEY_ARN_EU_WEST_1' ;;
    10) echo 'KMS_KEY_ARN_US_EAST_1' ;;
    11) echo 'KMS_KEY_ARN_US_EAST_1' ;;
    12) echo '' ;;
    13) echo '' ;;
    14) echo '' ;;
  esac
}

all_items=(1 2 3 4 5 6 7 8 9 10 11 12 13 14)
selected=("$@")
if [[ ${#selected[@]} -eq 0 ]]; then selected=("${all_items[@]}"); fi
for n in "${selected[@]}"; do
  declare -F "item_$n" >/dev/null || { echo "sagekey plan: no item $n" >&2; exit 2; }
  for v in $(item_vars "$n"); do
    require "$v" "$(var_help "$v")"
  done
done
for n in "${selected[@]}"; do
  mkdir -p "$SAGEKEY_WORKDIR/item-$n"
  (
    cd "$SAGEKEY_WORKDIR/item-$n"
    "item_$n"
  )
done
echo "sagekey plan: done" >&2
