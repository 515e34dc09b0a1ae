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

// currentExtras encodes each observation's owner and detail by
// fingerprint, for the states the scan advances.
func currentExtras(obs []history.Observation) (map[string]extra, error) {
	out := make(map[string]extra, len(obs))
	for _, o := range obs {
		x := extra{owner: o.Owner}
		if o.Detail != nil {
			b, err := json.Marshal(o.Detail)
			if err != nil {
				return nil, fmt.Errorf("finding detail %s %s: %w", o.CheckID, o.ResourceARN, err)
			}
			x.detail = string(b)
		}
		out[o.Fingerprint()] = x
	}
	return out, nil
}
