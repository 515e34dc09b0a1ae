package remediate

import (
	"strings"
	"time"

	"github.com/sagekey/sagekey/internal/finding"
	"github.com/sagekey/sagekey/internal/inventory"
	"github.com/sagekey/sagekey/internal/keys"
	"github.com/sagekey/sagekey/internal/trail"
)

const (
	acct      = "111122223333"
	east      = "us-east-1"
	west      = "eu-west-1"
	targetKey = "arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111"
	hostile   = "nb'; rm -rf / #"
)

func arn(kind, name string) string {
	return "arn:aws:sagemaker:us-east-1:111122223333:" + kind + "/" + name
}

func keyARN(id string) string { return "arn:aws:kms:us-east-1:111122223333:key/" + id }

// resAndFinding builds an inventory resource and the FAIL finding on it; a slot
// whose key is empty FAILs unless na says why it is not applicable.
func resAndFinding(kind, name, region string, slots []inventory.Slot, na map[string]string) (inventory.Resource, finding.Finding) {
	a := arn(kind, name)
	if region == west {
		a = "arn:aws:sagemaker:eu-west-1:111122223333:" + kind + "/" + name
	}
	r := inventory.Resource{Kind: kind, ARN: a, Name: name, Account: acct, Region: region, Slots: slots}
	f := finding.Finding{CheckID: kind + ".cmk", Status: finding.Fail, Severity: finding.High,
		Message:  "key slots not protected by a healthy customer-managed key",
		Resource: finding.Resource{ARN: a, Kind: kind, Name: name, Account: acct, Region: region}}
	for _, s := range slots {
		fs := finding.Slot{Name: s.Name, KeyRef: s.KeyRef, Status: finding.Fail, Reason: "no key"}
		switch {
		case na[s.Name] != "":
			fs.Status, fs.Reason = finding.NotApplicable, na[s.Name]
		case s.KeyRef != "":
			fs.Status, fs.Reason = finding.Pass, "customer-managed key, Enabled"
		}
		f.Slots = append(f.Slots, fs)
	}
	return r, f
}

func hostingSlotsFixture(prefix string) []inventory.Slot {
	return []inventory.Slot{
		{Type: "volume", Name: prefix + "volume", Label: "ML storage volume", InstanceTypes: []string{"ml.m5.xlarge"}},
		{Type: "data-capture", Name: prefix + "data-capture", Label: "data capture", OutputURI: "s3://capture-bucket/fraud/"},
		{Type: "async-output", Name: prefix + "async-output", Label: "async inference output", OutputURI: "s3://async-bucket/fraud/"},
	}
}

func keyFinding(check string, sev finding.Severity, k keys.Key, msg string, protects ...finding.Resource) finding.Finding {
	return finding.Finding{CheckID: check, Status: finding.Fail, Severity: sev, Message: msg,
		Resource: finding.Resource{ARN: k.ARN, Kind: "kms-key", Name: k.ARN[len(k.ARN)-36:], Account: acct, Region: east},
		Protects: protects}
}

const broadPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/KeyAdmin"},"Action":["kms:Create*","kms:Put*","kms:Disable*","kms:ScheduleKeyDeletion"],"Resource":"*"},
 {"Sid":"Users","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/SageMakerExec"]},"Action":["kms:Decrypt","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},
 {"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"},
 {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"kms:Decrypt","Resource":"*"}]}`

// fixture covers every strategy the golden files show.
func fixture() Input {
	var in Input
	add := func(r inventory.Resource, f finding.Finding) {
		in.Inventory.Resources = append(in.Inventory.Resources, r)
		in.Findings = append(in.Findings, f)
	}
	ep, epF := resAndFinding("endpoint", "fraud-ep", east, hostingSlotsFixture("config:"), nil)
	ep.Attributes = map[string]string{inventory.AttrEndpointConfig: "fraud-config"}
	add(ep, epF)
	add(resAndFinding("endpoint-config", "fraud-config", east, hostingSlotsFixture(""), nil))
	nb, nbF := resAndFinding("notebook-instance", hostile, east,
		[]inventory.Slot{{Type: "volume", Name: "volume", Label: "ML storage volume"}}, nil)
	nb.Tags = map[string]string{"owner": "`whoami` | $(id)"}
	add(nb, nbF)
	add(resAndFinding("training-job", "train-g4dn", east, []inventory.Slot{
		{Type: "volume", Name: "volume", InstanceTypes: []string{"ml.g4dn.xlarge"}},
		{Type: "output", Name: "output", OutputURI: "s3://models-bucket/out"},
	}, map[string]string{"volume": "instance type ml.g4dn.xlarge has local NVMe storage"}))
	trEBS, trEBSF := resAndFinding("training-job", "train-ebs", east, []inventory.Slot{
		{Type: "volume", Name: "volume", InstanceTypes: []string{"ml.m5.xlarge"}},
		{Type: "output", Name: "output", OutputURI: "s3://models-bucket/out"},
	}, nil)
	trEBS.ExecutionRoles = []string{sageMakerExec}
	add(trEBS, trEBSF)
	add(trainAccess(), keyAccessFinding())
	in.Inventory.IAM = []inventory.AccountIAM{fixtureIAM()}
	add(resAndFinding("processing-job", "prep-data", west, []inventory.Slot{
		{Type: "volume", Name: "volume", InstanceTypes: []string{"ml.m5.xlarge"}},
		{Type: "output", Name: "output", OutputURI: "s3://prep-bucket/features/"},
	}, nil))
	add(resAndFinding("cluster", "hp-cluster", east, []inventory.Slot{
		{Type: "root-volume", Name: "root-volume:controller", KeyRef: targetKey, InstanceTypes: []string{"ml.m5.xlarge"}},
		{Type: "root-volume", Name: "root-volume:workers", InstanceTypes: []string{"ml.p5.48xlarge"}},
		{Type: "ebs-volume", Name: "ebs-volume:workers", InstanceTypes: []string{"ml.p5.48xlarge"}},
	}, nil))

	target := keys.Key{ARN: targetKey, Account: acct, Region: east, Manager: keys.ManagerCustomer, State: keys.StateEnabled}
	disabled := keys.Key{ARN: keyARN("22222222-2222-2222-2222-222222222222"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: "Disabled"}
	pending := keys.Key{ARN: keyARN("33333333-3333-3333-3333-333333333333"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: "PendingDeletion", DeletionDate: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	norot := keys.Key{ARN: keyARN("44444444-4444-4444-4444-444444444444"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: keys.StateEnabled, KeySpec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS"}
	broad := keys.Key{ARN: keyARN("55555555-5555-5555-5555-555555555555"), Account: acct, Region: east,
		Manager: keys.ManagerCustomer, State: keys.StateEnabled, Policy: broadPolicy}
	// A deleted key's plan is manual only: its shell function must still
	// be valid bash.
	lost := keys.Key{ARN: keyARN("66666666-6666-6666-6666-666666666666"), Account: acct, Region: east, NotFound: true}
	in.Keys = []keys.Key{target, disabled, pending, norot, broad, lost, noDelegationKey, delegatingKey, sharedKey}
	nbRes := finding.Resource{ARN: nb.ARN, Kind: nb.Kind, Name: nb.Name, Account: acct, Region: east}
	trRes := finding.Resource{ARN: arn("training-job", "train-ebs"), Kind: "training-job", Name: "train-ebs", Account: acct, Region: east}
	in.Findings = append(in.Findings,
		keyFinding("kms-key.state", finding.High, disabled, "key is Disabled: the data of 1 resource cannot be read", trRes),
		// A severity override lowered this one; its plan is still critical.
		keyFinding("kms-key.state", finding.Medium, pending, "key is pending deletion (deletion date 2026-07-01): "+
			"the data of 1 resource becomes unrecoverable when it is deleted", nbRes),
		keyFinding("kms-key.rotation", finding.Medium, norot, "automatic rotation is disabled"),
		keyFinding("kms-key.state", finding.Critical, lost, "key does not exist: the data of 1 resource encrypted with it may be unrecoverable", trRes),
		leastPrivilegeFinding(trRes),
		keyFinding("kms-key.policy", finding.High, broad, "statement Anyone allows any principal (\"*\") without a "+
			"restricting condition; statement Partner grants access to account 999988887777"),
		finding.Finding{CheckID: "endpoint.cmk", Status: finding.Error, Severity: finding.High,
			Message:  "could not verify: endpoint config ghost-config no longer exists",
			Resource: finding.Resource{ARN: arn("endpoint", "ghost-ep"), Kind: "endpoint", Name: "ghost-ep", Account: acct, Region: east}},
		finding.Finding{CheckID: "kms-key.rotation", Status: finding.Pass, Severity: finding.Medium,
			Resource: finding.Resource{ARN: targetKey, Kind: "kms-key", Account: acct, Region: east}},
		finding.Finding{CheckID: "domain.cmk", Status: finding.Muted, Severity: finding.High,
			Resource: finding.Resource{ARN: arn("domain", "d-123"), Kind: "domain", Account: acct, Region: east}},
	)
	in.Trail = fixtureTrail(target, disabled, pending)
	return in
}

// fixtureTrail knows who created the endpoint and the hostile notebook (a
// principal and session built to break out of markdown and shell comments),
// and who scheduled the pending key's deletion (the latest of two). It
// knows of no DisableKey on the disabled key (only its EnableKey, and a
// DisableKey on another key), so that plan still looks it up. The muted
// domain and the unverified endpoint have creators no plan may name.
func fixtureTrail(target, disabled, pending keys.Key) Trail {
	at := func(day int) time.Time { return time.Date(2026, 6, day, 9, 30, 0, 0, time.UTC) }
	creator := func(resARN, action, principal, identity, tool string, day int) trail.Creator {
		return trail.Creator{ResourceARN: resARN, Account: acct, Region: east, Action: action, EventID: "ev-" + action[10:],
			Time: at(day), Principal: principal, Identity: identity, SourceIP: "203.0.113.7", UserAgent: tool + "/1.0", Tool: tool}
	}
	t := Trail{Creators: map[string]trail.Creator{}}
	for _, c := range []trail.Creator{
		creator(arn("endpoint", "fraud-ep"), "sagemaker:CreateEndpoint", "arn:aws:iam::111122223333:role/ml-deploy", "", trail.ToolTerraform, 2),
		creator(arn("notebook-instance", hostile), "sagemaker:CreateNotebookInstance",
			"arn:aws:iam::111122223333:role/ds`reboot`|*x*", "arn:aws:sts::111122223333:assumed-role/ds/carol\nrm -rf / # $(id)",
			trail.ToolConsole, 3),
		creator(arn("domain", "d-123"), "sagemaker:CreateDomain", "arn:aws:iam::111122223333:role/platform", "", trail.ToolCLI, 4),
		creator(arn("endpoint", "ghost-ep"), "sagemaker:CreateEndpoint", "arn:aws:iam::111122223333:role/ghost", "", trail.ToolCLI, 5),
	} {
		t.Creators[strings.ToLower(c.ResourceARN)] = c
	}
	event := func(k keys.Key, action, principal, identity, tool, detail string, day int) trail.KeyEvent {
		return trail.KeyEvent{EventID: "ev-" + action[4:] + "-" + k.ARN[len(k.ARN)-4:], Time: at(day), Account: acct, Region: east,
			KeyARN: k.ARN, Action: action, Principal: principal, Identity: identity, SourceIP: "198.51.100.4",
			UserAgent: tool + "/1.0", Tool: tool, Detail: detail}
	}
	t.KeyEvents = []trail.KeyEvent{
		event(pending, "kms:ScheduleKeyDeletion", "arn:aws:iam::111122223333:role/old-admin", "", trail.ToolCLI, "pending window 30 days", 1),
		event(pending, "kms:ScheduleKeyDeletion", "arn:aws:iam::111122223333:role/KeyAdmin",
			"arn:aws:sts::111122223333:assumed-role/KeyAdmin/bob`id`\n# x", trail.ToolCLI, "pending window 7 days", 20),
		event(disabled, "kms:EnableKey", "arn:aws:iam::111122223333:role/KeyAdmin", "", trail.ToolConsole, "", 10),
		event(target, "kms:DisableKey", "arn:aws:iam::111122223333:role/KeyAdmin", "", trail.ToolConsole, "", 11),
	}
	return t
}

func fixtureOptions() Options {
	return Options{TargetKeys: map[string]string{east: targetKey}}
}
