package bench

import "testing"

func TestPlanEstateSpreadsEvenlyAndKeysHalf(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{
		Regions: []string{"r1", "r2", "r3"}, TrainingJobs: 10, Notebooks: 4, EndpointConfigs: 3, Endpoints: 5, Clusters: 1, Keys: 4, Models: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	wantTraining := []int{4, 3, 3}
	wantKeys := []int{2, 1, 1}
	for i, r := range est.Regions {
		if r.Count(KindTrainingJob) != wantTraining[i] || r.Keys != wantKeys[i] {
			t.Errorf("%s: %d training jobs, %d keys; want %d and %d", r.Region, r.Count(KindTrainingJob), r.Keys, wantTraining[i], wantKeys[i])
		}
		for _, e := range r.Resources[KindEndpoint] {
			if e.KeyIndex != -1 || e.ConfigIndex >= r.Count(KindEndpointConfig) {
				t.Errorf("%s endpoint %s: key %d, config %d; want no key and an existing config", r.Region, e.Name, e.KeyIndex, e.ConfigIndex)
			}
		}
	}
	// Every other resource per region is keyed: training 2+2+2 of 10.
	if got := est.Keyed(KindTrainingJob); got != 6 {
		t.Errorf("keyed training jobs = %d, want 6", got)
	}
	if got := est.KeyReferences(KindTrainingJob); got != 12 {
		t.Errorf("training key references = %d, want 12 (volume and output)", got)
	}
	// r1 uses both its keys (training jobs 0 and 2), r2 and r3 their one.
	if got := est.DistinctKeysReferenced(); got != 4 {
		t.Errorf("distinct keys referenced = %d, want 4", got)
	}
}

func TestPlanEstateRejectsEndpointsWithoutConfigs(t *testing.T) {
	t.Parallel()
	if _, err := PlanEstate(EstateSpec{Regions: []string{"r1", "r2"}, EndpointConfigs: 1, Endpoints: 2, Models: 2}); err == nil {
		t.Error("planned endpoints in a region with no endpoint config")
	}
	if _, err := PlanEstate(EstateSpec{Regions: []string{"r1", "r1"}}); err == nil {
		t.Error("accepted a region listed twice")
	}
}

func TestPlanEstateRolesAndModels(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{
		Regions: []string{"r1", "r2"}, TrainingJobs: 8, EndpointConfigs: 10, Endpoints: 4, Keys: 2, Models: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	r1 := est.Regions[0]
	if len(r1.Models) != 3 || len(est.Regions[1].Models) != 2 || est.Models() != 5 {
		t.Fatalf("models per region %d and %d, want 3 and 2", len(r1.Models), len(est.Regions[1].Models))
	}
	// r1's five configs cycle through its three models; r2's five through two.
	if got := r1.ModelsServed(); got != 3 {
		t.Errorf("r1 serves %d models, want 3", got)
	}
	in := est.BoundInput()
	if in.Regions[0].Models != 3 || in.Regions[1].Models != 2 || in.IAM != nil {
		t.Errorf("bound input models %d and %d, IAM %v; want 3, 2 and nil (measured only once seeded)",
			in.Regions[0].Models, in.Regions[1].Models, in.IAM)
	}
	seeded := &SeededEstate{Estate: est, IAM: IAMListing{Roles: 2, LocalManagedPolicies: 1, Responses: 1}}
	if got := seeded.BoundInput().IAM; got == nil || got.Items() != 3 {
		t.Errorf("seeded bound input IAM = %+v, want the measured listing", got)
	}
	// Every fourth resource, and every fourth model, runs without KMS
	// permissions; an endpoint config runs as its model's role and an
	// endpoint as its config's.
	if got := est.RunningWithoutKMS(KindTrainingJob); got != 2 { // job 0 of each region
		t.Errorf("training jobs without KMS = %d, want 2", got)
	}
	// r1 configs 0..4 serve models 0,1,2,0,1: configs 0 and 3 run as model
	// 0's role; r2 configs 0..4 serve models 0,1,0,1,0: 0, 2 and 4.
	if got := est.RunningWithoutKMS(KindEndpointConfig); got != 5 {
		t.Errorf("endpoint configs without KMS = %d, want 5", got)
	}
	// Endpoints run configs 0 and 1 in each region: config 0 of each.
	if got := est.RunningWithoutKMS(KindEndpoint); got != 2 {
		t.Errorf("endpoints without KMS = %d, want 2", got)
	}
	if _, err := PlanEstate(EstateSpec{Regions: []string{"r1", "r2"}, EndpointConfigs: 2, Models: 1}); err == nil {
		t.Error("planned endpoint configs in a region with no model")
	}
}

func TestExpectedKeyAccess(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{Regions: []string{"r"}, TrainingJobs: 4, EndpointConfigs: 3, Endpoints: 3, Keys: 1, Models: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[resourceID]string{
		// Jobs 0 and 2 are keyed; job 0 runs without KMS.
		{KindTrainingJob, "r", "bench-train-00000"}: statusFail,
		{KindTrainingJob, "r", "bench-train-00001"}: statusNotApplicable,
		{KindTrainingJob, "r", "bench-train-00002"}: statusPass,
		{KindTrainingJob, "r", "bench-train-00003"}: statusNotApplicable,
		// Configs 0 and 2 are keyed and serve model 0 (no KMS); config 1
		// serves model 1 but names no key.
		{KindEndpointConfig, "r", "bench-ec-00000"}: statusFail,
		{KindEndpointConfig, "r", "bench-ec-00001"}: statusNotApplicable,
		{KindEndpointConfig, "r", "bench-ec-00002"}: statusFail,
		// Endpoint j runs config j.
		{KindEndpoint, "r", "bench-ep-00000"}: statusFail,
		{KindEndpoint, "r", "bench-ep-00001"}: statusNotApplicable,
		{KindEndpoint, "r", "bench-ep-00002"}: statusFail,
	}
	got := est.ExpectedKeyAccess()
	if len(got) != len(want) {
		t.Errorf("%d expectations, want %d: %v", len(got), len(want), got)
	}
	for id, status := range want {
		if got[id] != status {
			t.Errorf("%v: %q, want %q", id, got[id], status)
		}
	}
}
