package bench

import "testing"

func TestPlanEstateSpreadsEvenlyAndKeysHalf(t *testing.T) {
	t.Parallel()
	est, err := PlanEstate(EstateSpec{
		Regions: []string{"r1", "r2", "r3"}, TrainingJobs: 10, Notebooks: 4, EndpointConfigs: 3, Endpoints: 5, Clusters: 1, Keys: 4,
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
	if _, err := PlanEstate(EstateSpec{Regions: []string{"r1", "r2"}, EndpointConfigs: 1, Endpoints: 2}); err == nil {
		t.Error("planned endpoints in a region with no endpoint config")
	}
	if _, err := PlanEstate(EstateSpec{Regions: []string{"r1", "r1"}}); err == nil {
		t.Error("accepted a region listed twice")
	}
}
