package rules

// PipelineCMK checks every key slot of pipeline resources.
func PipelineCMK() Rule {
	return cmkRule("pipeline",
		"Pipelines are where most jobs come from: each step's Create* arguments decide the keys of every job it will launch. Judging the definition catches non-compliant jobs before they run.")
}
