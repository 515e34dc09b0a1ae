package remediate

import (
	"fmt"
	"strings"
)

// updateSpec is how a kind whose keys can change is fixed in place:
// describe, put the key on the failing paths, send back only the members
// the update needs.
type updateSpec struct {
	describe, update string // CLI commands
	updateOp         string
	ident            func(r res) string // describe's identifying flags, quoted
	paths            map[string]string  // slot type -> key path in the description
	only             []string           // members sent to the update
}

var updateSpecs = map[string]updateSpec{
	"user-profile": {describe: "describe-user-profile", update: "update-user-profile", updateOp: "UpdateUserProfile",
		ident: func(r res) string {
			return "--domain-id " + q(domainID(r.f.Resource.ARN)) + " --user-profile-name " + q(r.f.Resource.Name)
		},
		paths: map[string]string{"sharing-output": "UserSettings.SharingSettings.S3KmsKeyId",
			"canvas-output": "UserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId"},
		only: []string{"DomainId", "UserProfileName", "UserSettings"}},
	"domain": {describe: "describe-domain", update: "update-domain", updateOp: "UpdateDomain",
		ident: func(r res) string { return "--domain-id " + q(domainID(r.f.Resource.ARN)) },
		paths: map[string]string{"sharing-output": "DefaultUserSettings.SharingSettings.S3KmsKeyId",
			"canvas-output": "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId"},
		only: []string{"DomainId", "DefaultUserSettings"}},
	"device-fleet": {describe: "describe-device-fleet", update: "update-device-fleet", updateOp: "UpdateDeviceFleet",
		ident: func(r res) string { return "--device-fleet-name " + q(r.f.Resource.Name) },
		paths: map[string]string{"output": "OutputConfig.KmsKeyId"},
		only:  []string{"DeviceFleetName", "OutputConfig", "RoleArn"}},
	"monitoring-schedule": {describe: "describe-monitoring-schedule", update: "update-monitoring-schedule",
		updateOp: "UpdateMonitoringSchedule",
		ident:    func(r res) string { return "--monitoring-schedule-name " + q(r.f.Resource.Name) },
		paths: map[string]string{
			"volume": "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.VolumeKmsKeyId",
			"output": "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.KmsKeyId"},
		only: []string{"MonitoringScheduleName", "MonitoringScheduleConfig"}},
	"inference-experiment": {describe: "describe-inference-experiment", update: "update-inference-experiment",
		updateOp: "UpdateInferenceExperiment",
		ident:    func(r res) string { return "--name " + q(r.f.Resource.Name) },
		paths:    map[string]string{"data-storage": "DataStorageConfig.KmsKey"},
		only:     []string{"Name", "DataStorageConfig"}},
}

// domainID reads the Studio domain id from a domain or user-profile ARN
// (".../domain/d-xxx" or ".../user-profile/d-xxx/name").
func domainID(arn string) string {
	_, rest, _ := strings.Cut(arn, ":domain/")
	if rest == "" {
		_, rest, _ = strings.Cut(arn, ":user-profile/")
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// otherItem fixes the remaining kinds: in place where the failing slots can
// change, otherwise by recreating as the catalog's remediation says.
func (b *builder) otherItem(it *Item, r res) {
	it.Summary = r.kind.Remediation
	if it.Summary == "" {
		it.Summary = r.f.Remediation
	}
	ref := b.targetPreconditions(it, r)
	region := r.f.Resource.Region
	it.Steps = append(it.Steps, checkKeyStep(region, ref))
	spec, ok := updateSpecs[r.kind.ID]
	var inPlace []keyArg
	var recreate []string
	for _, t := range r.slotTypes() {
		if p, found := spec.paths[t]; ok && found {
			inPlace = append(inPlace, keyArg{slot: t, paths: p})
		} else if s, found := r.kind.Slot(t); found {
			recreate = append(recreate, s.APIField)
		} else {
			recreate = append(recreate, t)
		}
	}
	it.Strategy = "recreate"
	if len(inPlace) > 0 {
		it.Strategy = "in-place-update"
		rg := q(region)
		it.Steps = append(it.Steps, Step{
			Title: "Set the key in place with " + spec.updateOp,
			Why: "These slots can change without recreating anything (" + slotList(inPlace) + "); only the settings " +
				"that hold them are sent back, as they are now plus the key.",
			Commands: []Command{
				sh(fmt.Sprintf("aws sagemaker %s --region %s %s > current.json", spec.describe, rg, spec.ident(r))),
				sh(reshapeCommand("current.json", "update.json", spec.updateOp, ref, "", nil, inPlace, spec.only...)),
				sh(fmt.Sprintf("aws sagemaker %s --region %s --cli-input-json file://update.json", spec.update, rg)),
			},
		})
		if r.kind.ID == "monitoring-schedule" {
			it.Warnings = append(it.Warnings, "A schedule that references a job definition (MonitoringJobDefinitionName) "+
				"has no inline keys: the snippet stops, and the fix is a keyed copy of the definition that the schedule "+
				"then points to.")
		}
	}
	if len(recreate) > 0 {
		if it.Strategy == "in-place-update" {
			it.Strategy = "in-place-update+recreate"
		}
		it.Steps = append(it.Steps, Step{
			Title: "Recreate it with the key (these fields cannot change in place)",
			Why:   r.kind.Remediation,
			Commands: []Command{{Lang: LangShell, Manual: true, Text: fmt.Sprintf(
				"# %s has no update for: %s\n# Create a replacement from its %s output with each of them set to \"%s\",\n# move its users to the replacement, verify with a re-scan, then delete the old one.",
				r.kind.Title, strings.Join(recreate, ", "), r.kind.DescribeAPI, ref)}},
		})
	}
	verify := verifyScanCommand(region, r.f.CheckID, r.kind.ID, r.f.Resource.Name)
	if len(recreate) > 0 {
		// The replacement may have another name, and the old resource fails
		// until it is deleted, so the check is read by a person.
		verify = Command{Lang: LangShell, Manual: true,
			Text: fmt.Sprintf("sagekey scan --regions %s --checks %s", q(region), q(r.f.CheckID))}
	}
	it.Steps = append(it.Steps, Step{
		Title:    "Verify with a re-scan",
		Why:      "Look for " + r.kind.ID + " " + r.f.Resource.Name + " (or its replacement) with status PASS on " + r.f.CheckID + ".",
		Commands: []Command{verify},
	})
}
