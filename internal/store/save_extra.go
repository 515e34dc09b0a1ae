package store

import (
	"encoding/json"
	"fmt"

	"github.com/sagekey/sagekey/internal/history"
)

// extra is what the findings table keeps of an observation beyond its
// lifecycle state: the owner tag's value and the page detail as JSON.
type extra struct {
	owner, detail string
}

// extras finds each observation's owner and detail by fingerprint, for
// the states the scan advances. The detail is encoded only when its state
// is written: a scan's details together are larger than the rest of what
// it stores, and no more than one needs to be held at a time.
type extras struct {
	obs  []history.Observation
	byFP map[string]int // fingerprint → index in obs (the last one wins)
}

// currentExtras indexes obs by fingerprint.
func currentExtras(obs []history.Observation) extras {
	byFP := make(map[string]int, len(obs))
	for i := range obs {
		byFP[obs[i].Fingerprint()] = i
	}
	return extras{obs: obs, byFP: byFP}
}

// lookup returns the owner and encoded detail of the observation with
// fingerprint fp; observed is false when the scan made none.
func (x extras) lookup(fp string) (e extra, observed bool, err error) {
	i, ok := x.byFP[fp]
	if !ok {
		return extra{}, false, nil
	}
	o := &x.obs[i]
	e.owner = o.Owner
	if o.Detail != nil {
		b, err := json.Marshal(o.Detail)
		if err != nil {
			return extra{}, true, fmt.Errorf("finding detail %s %s: %w", o.CheckID, o.ResourceARN, err)
		}
		e.detail = string(b)
	}
	return e, true, nil
}
