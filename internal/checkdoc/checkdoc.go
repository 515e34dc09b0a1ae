// Package checkdoc describes every check for people: the `sagekey checks`
// listing, the generated docs/checks pages and the README coverage table.
// Everything is derived from the rules and the catalog, so the docs cannot
// drift from the code; a test fails when the committed files are stale.
package checkdoc

import (
	"github.com/sagekey/sagekey/internal/catalog"
	"github.com/sagekey/sagekey/internal/rules"
)

// Check is one check as documented.
type Check struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	Severity    string    `json:"severity"`
	KeysMutable *bool     `json:"keys_mutable,omitempty"`
	Slots       []Slot    `json:"slots"`
	Rationale   string    `json:"rationale"`
	Remediation string    `json:"remediation"`
	NeverPasses string    `json:"never_passes,omitempty"`
	Examples    []Example `json:"examples"`
}

// Slot is one key slot a cmk check judges.
type Slot struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	APIField       string   `json:"api_field"`
	Terraform      string   `json:"terraform,omitempty"`
	CloudFormation string   `json:"cloudformation,omitempty"`
	ConditionKeys  []string `json:"condition_keys,omitempty"`
	LocalStorage   string   `json:"local_storage_table,omitempty"`
}

// Example is a documented input and its verdict.
type Example struct {
	Name string `json:"name"`
	Want string `json:"want"`
}

// Checks returns every check, sorted by id.
func Checks() []Check {
	var out []Check
	for _, r := range rules.All() {
		c := Check{ID: r.ID, Kind: r.Kind, Title: r.Title, Severity: r.Severity.String(), Slots: []Slot{},
			Rationale: r.Rationale, Remediation: r.Remediation, NeverPasses: r.NeverPasses}
		for _, e := range r.Examples {
			c.Examples = append(c.Examples, Example{Name: e.Name, Want: string(e.Want)})
		}
		if kind, ok := catalog.Lookup(r.Kind); ok {
			mutable := kind.KeysMutable
			c.KeysMutable = &mutable
			if isCMK(r.ID) {
				for _, s := range kind.Slots {
					c.Slots = append(c.Slots, Slot{ID: s.ID, Title: s.Title, APIField: s.APIField, Terraform: s.Terraform,
						CloudFormation: s.CloudFormation, ConditionKeys: s.ConditionKeys, LocalStorage: string(s.LocalStorage)})
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func isCMK(id string) bool { return len(id) > 4 && id[len(id)-4:] == ".cmk" }
