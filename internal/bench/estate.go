package bench

import (
	"errors"
	"fmt"
	"slices"
)

// The estate kinds, named as sagekey's catalog names them.
const (
	KindTrainingJob    = "training-job"
	KindProcessingJob  = "processing-job"
	KindNotebook       = "notebook-instance"
	KindEndpointConfig = "endpoint-config"
	KindEndpoint       = "endpoint"
	KindCluster        = "cluster"
)

// EstateKinds lists the seeded kinds in a stable order.
func EstateKinds() []string {
	return []string{KindTrainingJob, KindProcessingJob, KindNotebook, KindEndpointConfig, KindEndpoint, KindCluster}
}

// EstateSpec is the size of the estate to seed, spread evenly over Regions.
type EstateSpec struct {
	Regions         []string `json:"regions"`
	TrainingJobs    int      `json:"training_jobs"`
	ProcessingJobs  int      `json:"processing_jobs"`
	Notebooks       int      `json:"notebooks"`
	EndpointConfigs int      `json:"endpoint_configs"`
	Endpoints       int      `json:"endpoints"`
	Clusters        int      `json:"clusters"`
	Keys            int      `json:"keys"`
	// Models are the SageMaker models the endpoint configs serve: they
	// name no key, but each names the execution role its endpoints run as.
	Models int `json:"models"`
}

func (s EstateSpec) total(kind string) int {
	switch kind {
	case KindTrainingJob:
		return s.TrainingJobs
	case KindProcessingJob:
		return s.ProcessingJobs
	case KindNotebook:
		return s.Notebooks
	case KindEndpointConfig:
		return s.EndpointConfigs
	case KindEndpoint:
		return s.Endpoints
	case KindCluster:
		return s.Clusters
	}
	return 0
}

// PlannedResource is one resource to seed.
type PlannedResource struct {
	Name string
	// KeyIndex indexes the region's keys; -1 means the resource names no
	// key. Endpoints never name a key: they are judged through their config.
	KeyIndex int
	// ConfigIndex is, for an endpoint, the index of the endpoint config it
	// runs.
	ConfigIndex int
	// ModelIndex is, for an endpoint config, the index of the region's
	// model its one variant serves.
	ModelIndex int
	// Role is the bench role the resource runs as (RoleWithKMS or
	// RoleWithoutKMS). An endpoint config and an endpoint run as their
	// model's role instead; their Role is unused.
	Role int
}

// The two execution roles the seeder creates in IAM (see seed_iam.go).
// Every resource, and every model, runs as one of them.
const (
	// RoleWithKMS may use the account's keys through SageMaker and S3:
	// every keyed resource running as it passes <kind>.key-access.
	RoleWithKMS = iota
	// RoleWithoutKMS has no KMS permission: every keyed resource running
	// as it fails <kind>.key-access.
	RoleWithoutKMS
)

// planRole is the role of the j-th resource (or model) of a kind in a
// region: every fourth one, starting with the first, runs without KMS
// permissions. Keyed resources are the even-numbered ones, so half of them
// run as each role.
func planRole(j int) int {
	if j%4 == 0 {
		return RoleWithoutKMS
	}
	return RoleWithKMS
}

// PlannedModel is one SageMaker model to seed.
type PlannedModel struct {
	Name string
	Role int
}

// RegionEstate is the part of the estate in one region.
type RegionEstate struct {
	Region    string
	Keys      int
	Resources map[string][]PlannedResource // by kind
	Models    []PlannedModel
}

// Count is the number of resources of kind in the region.
func (r RegionEstate) Count(kind string) int { return len(r.Resources[kind]) }

// Estate is the planned estate. Planning is pure, so tests and the lower
// bound can reason about it without seeding anything.
type Estate struct {
	Spec    EstateSpec
	Regions []RegionEstate
}

// PlanEstate spreads spec evenly over its regions (the first regions take
// the remainders). In each region every other resource of each kind (the
// even-numbered ones) names one of that region's keys, cycling through
// them, and the rest name none; endpoints cycle through the region's
// endpoint configs, and endpoint configs through the region's models.
// Resources and models run as the roles planRole gives them.
func PlanEstate(spec EstateSpec) (Estate, error) {
	if err := validateSpec(spec); err != nil {
		return Estate{}, err
	}
	est := Estate{Spec: spec}
	for ri, region := range spec.Regions {
		re := RegionEstate{
			Region:    region,
			Keys:      share(spec.Keys, len(spec.Regions), ri),
			Resources: map[string][]PlannedResource{},
			Models:    make([]PlannedModel, share(spec.Models, len(spec.Regions), ri)),
		}
		for m := range re.Models {
			re.Models[m] = PlannedModel{Name: fmt.Sprintf("bench-model-%05d", m), Role: planRole(m)}
		}
		configs := share(spec.EndpointConfigs, len(spec.Regions), ri)
		if configs > 0 && len(re.Models) == 0 {
			return Estate{}, fmt.Errorf("region %s gets %d endpoint configs but no model: raise -models to at least %d", region, configs, len(spec.Regions))
		}
		for _, kind := range EstateKinds() {
			n := share(spec.total(kind), len(spec.Regions), ri)
			if kind == KindEndpoint && n > 0 && configs == 0 {
				return Estate{}, fmt.Errorf("region %s gets %d endpoints but no endpoint config: raise -endpoint-configs to at least %d", region, n, len(spec.Regions))
			}
			list := make([]PlannedResource, n)
			for j := range list {
				list[j] = PlannedResource{Name: resourceName(kind, j), KeyIndex: -1, Role: planRole(j)}
				switch {
				case kind == KindEndpoint:
					list[j].ConfigIndex = j % configs
				case j%2 == 0 && re.Keys > 0:
					list[j].KeyIndex = (j / 2) % re.Keys
				}
				if kind == KindEndpointConfig {
					list[j].ModelIndex = j % len(re.Models)
				}
			}
			re.Resources[kind] = list
		}
		est.Regions = append(est.Regions, re)
	}
	return est, nil
}

func validateSpec(spec EstateSpec) error {
	if len(spec.Regions) == 0 {
		return errors.New("no regions")
	}
	for i, r := range spec.Regions {
		if r == "" {
			return errors.New("empty region name")
		}
		if slices.Contains(spec.Regions[:i], r) {
			return fmt.Errorf("region %s listed twice", r)
		}
	}
	for _, kind := range EstateKinds() {
		if spec.total(kind) < 0 {
			return fmt.Errorf("negative number of %ss", kind)
		}
	}
	if spec.Keys < 0 {
		return errors.New("negative number of keys")
	}
	if spec.Models < 0 {
		return errors.New("negative number of models")
	}
	return nil
}

// share is region i's part of n spread over k regions.
func share(n, k, i int) int {
	s := n / k
	if i < n%k {
		s++
	}
	return s
}

func resourceName(kind string, j int) string {
	prefix := map[string]string{
		KindTrainingJob:    "bench-train",
		KindProcessingJob:  "bench-proc",
		KindNotebook:       "bench-nb",
		KindEndpointConfig: "bench-ec",
		KindEndpoint:       "bench-ep",
		KindCluster:        "bench-cluster",
	}[kind]
	return fmt.Sprintf("%s-%05d", prefix, j)
}

// DistinctKeysReferenced counts the keys named by at least one resource.
func (e Estate) DistinctKeysReferenced() int {
	n := 0
	for _, r := range e.Regions {
		used := map[int]bool{}
		for _, list := range r.Resources {
			for _, res := range list {
				if res.KeyIndex >= 0 {
					used[res.KeyIndex] = true
				}
			}
		}
		n += len(used)
	}
	return n
}

// Keyed counts the resources of kind that name a key.
func (e Estate) Keyed(kind string) int {
	n := 0
	for _, r := range e.Regions {
		for _, res := range r.Resources[kind] {
			if res.KeyIndex >= 0 {
				n++
			}
		}
	}
	return n
}

// Count is the number of resources of kind over all regions.
func (e Estate) Count(kind string) int {
	n := 0
	for _, r := range e.Regions {
		n += r.Count(kind)
	}
	return n
}

// KeyReferences is the number of key references written on resources of
// kind: keyed resources times the key slots the seeder fills for that kind.
func (e Estate) KeyReferences(kind string) int {
	return e.Keyed(kind) * keySlotsSeeded(kind)
}

// ModelsServed counts the region's distinct models named by its endpoint
// configs (the bench seeds no transform job, the other kind that names
// models).
func (r RegionEstate) ModelsServed() int {
	used := map[int]bool{}
	for _, c := range r.Resources[KindEndpointConfig] {
		used[c.ModelIndex] = true
	}
	return len(used)
}

// Models is the number of models seeded over all regions.
func (e Estate) Models() int {
	n := 0
	for _, r := range e.Regions {
		n += len(r.Models)
	}
	return n
}

// NamesRoles reports whether any resource runs as an execution role, which
// is when a scan reads the account's IAM roles: every seeded kind has one.
func (e Estate) NamesRoles() bool {
	for _, k := range EstateKinds() {
		if e.Count(k) > 0 {
			return true
		}
	}
	return false
}

// BoundInput is what the lower bound needs to know about the planned
// estate. What only the emulator can tell (the IAM listing) is left out;
// SeededEstate.BoundInput adds it.
func (e Estate) BoundInput() BoundInput {
	in := BoundInput{DistinctKeys: e.DistinctKeysReferenced()}
	for _, r := range e.Regions {
		in.Regions = append(in.Regions, RegionCounts{
			Region:          r.Region,
			TrainingJobs:    r.Count(KindTrainingJob),
			ProcessingJobs:  r.Count(KindProcessingJob),
			Notebooks:       r.Count(KindNotebook),
			EndpointConfigs: r.Count(KindEndpointConfig),
			Endpoints:       r.Count(KindEndpoint),
			Clusters:        r.Count(KindCluster),
			Models:          r.ModelsServed(),
		})
	}
	return in
}

// roleOf is the bench role a resource of kind runs as: its own, or, for an
// endpoint config, its model's, and for an endpoint, its config's.
func (r RegionEstate) roleOf(kind string, res PlannedResource) int {
	switch kind {
	case KindEndpoint:
		return r.roleOf(KindEndpointConfig, r.Resources[KindEndpointConfig][res.ConfigIndex])
	case KindEndpointConfig:
		return r.Models[res.ModelIndex].Role
	}
	return res.Role
}

// keyed reports whether a resource of kind uses a key: its own, or, for an
// endpoint, its config's.
func (r RegionEstate) keyed(kind string, res PlannedResource) bool {
	if kind == KindEndpoint {
		return r.Resources[KindEndpointConfig][res.ConfigIndex].KeyIndex >= 0
	}
	return res.KeyIndex >= 0
}

// RunningWithoutKMS counts the resources of kind that run as
// RoleWithoutKMS.
func (e Estate) RunningWithoutKMS(kind string) int {
	n := 0
	for _, r := range e.Regions {
		for _, res := range r.Resources[kind] {
			if r.roleOf(kind, res) == RoleWithoutKMS {
				n++
			}
		}
	}
	return n
}
