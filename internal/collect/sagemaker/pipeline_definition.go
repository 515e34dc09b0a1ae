package sagemaker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sagekey/sagekey/internal/inventory"
)

// Slot type ids of the catalog's "pipeline" kind.
const (
	slotTrainingVolume   = "training-volume"
	slotTrainingOutput   = "training-output"
	slotProcessingVolume = "processing-volume"
	slotProcessingOutput = "processing-output"
	slotTransformVolume  = "transform-volume"
	slotTransformOutput  = "transform-output"
	slotTuningVolume     = "tuning-volume"
	slotTuningOutput     = "tuning-output"
	slotAutoMLVolume     = "automl-volume"
	slotAutoMLOutput     = "automl-output"
)

// maxExprLen bounds how much of a run-time expression is quoted in a
// reason, so a huge Std:Join does not swamp a report.
const maxExprLen = 120

// parsePipeline reads the key slots of a SageMaker Pipelines definition
// (the PipelineDefinition JSON of DescribePipeline). Each step that creates
// a job which takes keys (Training, Processing, Transform, Tuning, AutoML)
// yields that job's volume and output slots, read from the step's
// Arguments, which are the body of the matching Create* request. Condition
// steps are searched recursively. Other step types create nothing keyed
// and yield no slots.
//
// A value may be a pipeline expression instead of a literal. A reference to
// a parameter resolves to the parameter's default, which is what an
// execution started without overrides uses; without a default, or for any
// other expression, the key is only known at run time and the slot records
// why (Unknown) rather than a key, so it is never judged PASS.
//
// The same steps name the roles their jobs run as: RoleArn (a tuning
// step's per training definition), and for a transform step its model's
// ExecutionRoleArn, from a Model step of the pipeline it refers to or,
// when it names a model, read with DescribeModel. The pipeline's own
// RoleArn only calls the Create* APIs; the jobs use the keys as their own
// roles.
//
// A definition that is not valid JSON or not shaped like a definition is an
// error: guessing would risk a false PASS.
func parsePipeline(definition string) (pipelineDef, error) {
	dec := json.NewDecoder(strings.NewReader(definition))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return pipelineDef{}, err
	}
	if dec.More() {
		return pipelineDef{}, errors.New("trailing data after the definition")
	}
	doc, ok := root.(map[string]any)
	if !ok {
		return pipelineDef{}, fmt.Errorf("definition is %s, not an object", jsonKind(root))
	}
	p := &defParser{params: map[string]param{}, names: map[string]bool{}, modelSteps: map[string]any{},
		stepOf: map[string]string{},
		def:    pipelineDef{slots: make([]inventory.Slot, 0), stepRoles: map[string][]string{}, stepModels: map[string][]string{}}}
	if err := p.readParams(doc["Parameters"]); err != nil {
		return pipelineDef{}, err
	}
	if err := p.steps("Steps", doc["Steps"]); err != nil {
		return pipelineDef{}, err
	}
	// Model steps may come after the transform steps that use their models.
	for _, r := range p.modelRefs {
		v, ok := p.modelSteps[r.modelStep]
		if !ok {
			p.roleUnknown(r.step, "it runs the model of step "+r.modelStep+", which is not a Model step of this pipeline")
			continue
		}
		p.roleOfStep(r.step, r.modelStep, "ExecutionRoleArn", v)
	}
	return p.def, nil
}

// pipelineDef is what a definition says about the jobs its steps create.
type pipelineDef struct {
	slots []inventory.Slot
	// roles are the roles the steps' jobs run as, known from the
	// definition (literally or as a parameter's default).
	roles []string
	// models are the models transform steps name: the steps run as their
	// execution roles, read with DescribeModel.
	models []string
	// rolesUnknown are why some steps' roles cannot be told before run time.
	rolesUnknown []string
	// slotSteps[i] is the step slots[i] belongs to; stepRoles and
	// stepModels are the roles and models of each step, so a slot can name
	// the one role that uses its key (inventory.Slot.Role).
	slotSteps  []string
	stepRoles  map[string][]string
	stepModels map[string][]string
}

// param is one declared pipeline parameter.
type param struct {
	def    any
	hasDef bool
}

type defParser struct {
	params map[string]param
	names  map[string]bool // slot names used so far
	def    pipelineDef
	// modelSteps are the ExecutionRoleArn values of the Model steps, by
	// step name; modelRefs the transform steps that run their models.
	modelSteps map[string]any
	modelRefs  []modelRef
	// stepOf maps a slot's base name ("<type>:<step>") to its step.
	stepOf map[string]string
}

// modelRef is a transform step running the model a Model step creates.
type modelRef struct{ step, modelStep string }

func (p *defParser) readParams(v any) error {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("Parameters is %s, not an array", jsonKind(v))
	}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf("Parameters[%d] is %s, not an object", i, jsonKind(e))
		}
		name, _ := m["Name"].(string)
		if name == "" {
			return fmt.Errorf("Parameters[%d] has no Name", i)
		}
		def, has := m["DefaultValue"]
		p.params[name] = param{def: def, hasDef: has && def != nil}
	}
	return nil
}

// steps reads a list of steps; where names the list in errors.
func (p *defParser) steps(where string, v any) error {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s is %s, not an array", where, jsonKind(v))
	}
	for i, e := range list {
		step, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf("%s[%d] is %s, not an object", where, i, jsonKind(e))
		}
		if err := p.step(fmt.Sprintf("%s[%d]", where, i), step); err != nil {
			return err
		}
	}
	return nil
}

func (p *defParser) step(where string, step map[string]any) error {
	name, _ := step["Name"].(string)
	typ, _ := step["Type"].(string)
	if name == "" {
		name = where
	}
	var args map[string]any
	if a, ok := step["Arguments"]; ok && a != nil {
		if args, ok = a.(map[string]any); !ok {
			if !keyedStepType(typ) && typ != "Condition" {
				return nil // not ours to read
			}
			return fmt.Errorf("step %s: Arguments is %s, not an object", name, jsonKind(a))
		}
	}
	switch typ {
	case "Condition":
		if err := p.steps("step "+name+" IfSteps", args["IfSteps"]); err != nil {
			return err
		}
		return p.steps("step "+name+" ElseSteps", args["ElseSteps"])
	case "Training":
		p.trainingLike(name, "", slotTrainingVolume, slotTrainingOutput, args)
	case "Processing":
		p.processing(name, args)
	case "Transform":
		p.transform(name, args)
	case "Tuning":
		p.tuning(name, args)
	case "AutoML":
		p.automl(name, args)
	case "Model": // CreateModel: the transform steps using it run as its role
		p.modelSteps[name] = args["ExecutionRoleArn"]
	}
	return nil
}

func keyedStepType(typ string) bool {
	switch typ {
	case "Training", "Processing", "Transform", "Tuning", "AutoML":
		return true
	}
	return false
}

// trainingLike reads a CreateTrainingJob body or a tuning job's training
// definition: ResourceConfig (or HyperParameterTuningResourceConfig) and
// OutputDataConfig.
func (p *defParser) trainingLike(step, detail, volumeType, outputType string, args map[string]any) {
	p.role(step, "RoleArn", args["RoleArn"])
	volume := p.newSlot(volumeType, step, detail, "ML storage volume")
	rc, rcWhy := object(args, "ResourceConfig")
	if rc == nil && rcWhy == "" {
		rc, rcWhy = object(args, "HyperParameterTuningResourceConfig")
	}
	switch {
	case rc != nil:
		p.key(&volume, rc["VolumeKmsKeyId"])
		p.instanceTypes(&volume, rc["InstanceType"])
		for _, listKey := range []string{"InstanceGroups", "InstanceConfigs"} {
			if groups, ok := rc[listKey].([]any); ok {
				for _, g := range groups {
					if gm, ok := g.(map[string]any); ok {
						p.instanceTypes(&volume, gm["InstanceType"])
					}
				}
			}
		}
	case rcWhy != "":
		volume.Unknown = rcWhy
	default:
		// As for training jobs: serverless training has no volume.
		volume.Unsupported = "no ResourceConfig: the job has no ML storage volume you can key"
	}
	p.add(volume)

	p.addOutput(outputType, step, detail, args, "OutputDataConfig", "S3OutputPath")
}

func (p *defParser) processing(step string, args map[string]any) {
	p.role(step, "RoleArn", args["RoleArn"])
	volume := p.newSlot(slotProcessingVolume, step, "", "ML storage volume")
	res, why := object(args, "ProcessingResources")
	var cc map[string]any
	if res != nil {
		cc, why = object(res, "ClusterConfig")
	}
	if cc != nil {
		p.key(&volume, cc["VolumeKmsKeyId"])
		p.instanceTypes(&volume, cc["InstanceType"])
	} else if why != "" {
		volume.Unknown = why
	}
	p.add(volume)

	if args["ProcessingOutputConfig"] == nil {
		return // the job writes nothing to S3
	}
	// A processing job may have several outputs; the slot keeps no single URI.
	p.addOutput(slotProcessingOutput, step, "", args, "ProcessingOutputConfig", "")
}

func (p *defParser) transform(step string, args map[string]any) {
	p.transformModel(step, args["ModelName"])
	volume := p.newSlot(slotTransformVolume, step, "", "ML storage volume")
	if tr, why := object(args, "TransformResources"); tr != nil {
		p.key(&volume, tr["VolumeKmsKeyId"])
		p.instanceTypes(&volume, tr["InstanceType"])
	} else if why != "" {
		volume.Unknown = why
	}
	p.add(volume)

	p.addOutput(slotTransformOutput, step, "", args, "TransformOutput", "S3OutputPath")
}

// tuning reads the training definition(s) of a CreateHyperParameterTuningJob
// body: TrainingJobDefinition, and each of TrainingJobDefinitions.
func (p *defParser) tuning(step string, args map[string]any) {
	const defUnknown = "its training job definition is computed at run time"
	if def, why := object(args, "TrainingJobDefinition"); def != nil {
		p.trainingLike(step, "", slotTuningVolume, slotTuningOutput, def)
	} else if why != "" {
		p.unknownPair(step, "", slotTuningVolume, slotTuningOutput, why)
		p.roleUnknown(step, defUnknown)
	}
	defs, ok := args["TrainingJobDefinitions"].([]any)
	if !ok {
		if v, present := args["TrainingJobDefinitions"]; present && v != nil {
			p.unknownPair(step, "", slotTuningVolume, slotTuningOutput, runTime(v))
			p.roleUnknown(step, defUnknown)
		}
		return
	}
	for i, d := range defs {
		detail := "training definition " + strconv.Itoa(i+1)
		dm, ok := d.(map[string]any)
		if !ok {
			p.unknownPair(step, detail, slotTuningVolume, slotTuningOutput, runTime(d))
			p.roleUnknown(step, defUnknown)
			continue
		}
		if n := p.literal(dm["DefinitionName"]); n != "" {
			detail = "training definition " + n
		}
		p.trainingLike(step, detail, slotTuningVolume, slotTuningOutput, dm)
	}
}

// automl reads CreateAutoMLJob (AutoMLJobConfig.SecurityConfig) or
// CreateAutoMLJobV2 (SecurityConfig) bodies.
func (p *defParser) automl(step string, args map[string]any) {
	p.role(step, "RoleArn", args["RoleArn"])
	volume := p.newSlot(slotAutoMLVolume, step, "", "ML storage volume")
	sc, why := object(args, "SecurityConfig")
	if sc == nil && why == "" {
		var cfg map[string]any
		if cfg, why = object(args, "AutoMLJobConfig"); cfg != nil {
			sc, why = object(cfg, "SecurityConfig")
		}
	}
	if sc != nil {
		p.key(&volume, sc["VolumeKmsKeyId"])
	} else if why != "" {
		volume.Unknown = why
	}
	p.add(volume)

	p.addOutput(slotAutoMLOutput, step, "", args, "OutputDataConfig", "S3OutputPath")
}

// role records the role a step's job runs as, from its field, or why it
// is not known before run time.
func (p *defParser) role(step, field string, v any) {
	p.roleOfStep(step, step, field, v)
}

// roleOfStep records the role a step's job runs as, read from the
// definition of step source (the step itself, or the Model step whose model
// a transform step runs).
func (p *defParser) roleOfStep(step, source, field string, v any) {
	if v == nil {
		p.roleUnknown(source, "it names no "+field)
		return
	}
	role, why := p.resolveAs(v, "role")
	if why != "" {
		p.roleUnknown(source, why)
		return
	}
	p.def.roles = append(p.def.roles, role)
	p.def.stepRoles[step] = append(p.def.stepRoles[step], role)
}

func (p *defParser) roleUnknown(step, why string) {
	p.def.rolesUnknown = append(p.def.rolesUnknown, "step "+step+": "+why)
}

// transformModel records the model a transform step runs: named (read
// with DescribeModel), or created by a Model step of the pipeline.
func (p *defParser) transformModel(step string, v any) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if ref, ok := m["Get"].(string); ok && strings.HasPrefix(ref, "Steps.") && strings.HasSuffix(ref, ".ModelName") {
			p.modelRefs = append(p.modelRefs, modelRef{step: step,
				modelStep: strings.TrimSuffix(strings.TrimPrefix(ref, "Steps."), ".ModelName")})
			return
		}
	}
	if v == nil {
		p.roleUnknown(step, "it names no ModelName")
		return
	}
	model, why := p.resolveAs(v, "model")
	if why != "" {
		p.roleUnknown(step, why)
		return
	}
	p.def.models = append(p.def.models, model)
	p.def.stepModels[step] = append(p.def.stepModels[step], model)
}

func (p *defParser) unknownPair(step, detail, volumeType, outputType, why string) {
	v := p.newSlot(volumeType, step, detail, "ML storage volume")
	v.Unknown = why
	p.add(v)
	o := p.newSlot(outputType, step, detail, "output in S3")
	o.Unknown = why
	p.add(o)
}

func (p *defParser) newSlot(typ, step, detail, what string) inventory.Slot {
	label := "step " + step
	if detail != "" {
		label += " (" + detail + ")"
	}
	name := typ + ":" + step
	p.stepOf[name] = step
	return inventory.Slot{Type: typ, Label: label + ": " + what, Name: name}
}

// add appends s, making its name unique within the pipeline: a second
// slot of the same type and step name gets "#2", and so on.
func (p *defParser) add(s inventory.Slot) {
	name := s.Name
	for n := 2; p.names[name]; n++ {
		name = s.Name + "#" + strconv.Itoa(n)
	}
	p.names[name] = true
	p.def.slotSteps = append(p.def.slotSteps, p.stepOf[s.Name])
	s.Name = name
	p.def.slots = append(p.def.slots, s)
}

// key sets the slot's key from a definition value.
func (p *defParser) key(s *inventory.Slot, v any) {
	s.KeyRef, s.Unknown = p.resolve(v)
}

// instanceTypes records an instance type given literally or through a
// parameter with a default; otherwise it is unknown and left out.
func (p *defParser) instanceTypes(s *inventory.Slot, v any) {
	if t := p.literal(v); t != "" {
		s.InstanceTypes = appendUnique(s.InstanceTypes, t)
	}
}

// literal is v's value when it is known before run time, else "".
func (p *defParser) literal(v any) string {
	val, unknown := p.resolve(v)
	if unknown != "" {
		return ""
	}
	return val
}

// resolve returns a key known from the definition, or why it is not.
func (p *defParser) resolve(v any) (value, unknown string) {
	return p.resolveAs(v, "key")
}

// resolveAs returns a value known from the definition, or why it is not;
// what names the value in the reason ("key", "role").
func (p *defParser) resolveAs(v any, what string) (value, unknown string) {
	switch x := v.(type) {
	case nil:
		return "", ""
	case string:
		return x, ""
	case map[string]any:
		if len(x) == 1 {
			if ref, ok := x["Get"].(string); ok && strings.HasPrefix(ref, "Parameters.") {
				name := strings.TrimPrefix(ref, "Parameters.")
				prm, declared := p.params[name]
				if !declared || !prm.hasDef {
					return "", what + " comes from pipeline parameter " + name +
						", which has no default: it is chosen per execution"
				}
				if s, ok := prm.def.(string); ok {
					return s, ""
				}
				return "", "pipeline parameter " + name + " has a non-string default (" + short(prm.def) + ")"
			}
		}
		return "", what + " is computed at run time (" + short(v) + ")"
	default:
		return "", "unexpected value " + short(v)
	}
}

func runTime(v any) string { return "key is computed at run time (" + short(v) + ")" }

// short renders v as compact JSON, cut to maxExprLen runes.
func short(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if r := []rune(s); len(r) > maxExprLen {
		s = string(r[:maxExprLen]) + "…"
	}
	return s
}

// object returns m[key] as an object. A missing or null key gives (nil, "");
// a key holding something else (an expression) gives why it is unknown.
func object(m map[string]any, key string) (map[string]any, string) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, ""
	}
	if o, ok := v.(map[string]any); ok {
		if len(o) == 1 {
			for k := range o {
				// {"Get": ...}, {"Std:Join": ...}, {"Std:JsonGet": ...}
				if k == "Get" || strings.HasPrefix(k, "Std:") {
					return nil, runTime(v)
				}
			}
		}
		return o, ""
	}
	return nil, key + " is " + jsonKind(v) + ", not an object"
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// addOutput adds the S3 output slot of a step: the KmsKeyId of the
// argument object named field, its S3 location from uriField ("" when the
// object has no single location), or why the object could not be read.
func (p *defParser) addOutput(slotType, step, detail string, args map[string]any, field, uriField string) {
	output := p.newSlot(slotType, step, detail, "output in S3")
	if o, why := object(args, field); o != nil {
		p.key(&output, o["KmsKeyId"])
		if uriField != "" {
			output.OutputURI = p.literal(o[uriField])
		}
	} else if why != "" {
		output.Unknown = why
	}
	p.add(output)
}
