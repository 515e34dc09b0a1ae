package remediate

import (
	"sort"
	"strings"

	"github.com/sagekey/sagekey/internal/inventory"
)

// endpointConfigItem fixes a config through the endpoints that use it (their
// cut-over replaces it); an unused config is deleted, or recreated if a
// deployment still refers to it.
func (b *builder) endpointConfigItem(it *Item, r res) {
	region, name := r.f.Resource.Region, r.f.Resource.Name
	users := b.configUsers(r)
	if len(users) > 0 {
		it.Strategy = "endpoint-config-replace"
		it.Summary = "Used by endpoint(s) " + strings.Join(users, ", ") + ": their blue/green cut-over (the " +
			"endpoint.cmk items) moves them to a keyed copy; then this config is deleted."
		it.Steps = append(it.Steps, Step{
			Title: "Cut over the endpoints that use it",
			Why: "Endpoint configs are immutable: the fix is a new config, which the endpoint.cmk item of each of " +
				strings.Join(users, ", ") + " creates and moves the endpoint to.",
		}, Step{
			Title:    "Delete this config once no endpoint uses it",
			Why:      "The deletion checks again that no endpoint serves from it, so running it early changes nothing.",
			Commands: []Command{deleteConfigCommand(region, q(name), name)},
		})
		return
	}
	it.Strategy = "endpoint-config-recreate-or-delete"
	it.Summary = "No endpoint uses this config: delete it, or, if a deployment still refers to it, recreate it with the key."
	ref := b.targetPreconditions(it, r)
	create := newConfigCommands(region, q(name), ref, hostingKeys(it, r))
	create[0].Text = "old_config=" + q(name) + "\n" + create[0].Text
	for i := range create {
		create[i].Manual = true
	}
	it.Steps = append(it.Steps, Step{
		Title:    "Only if a deployment still refers to it: recreate it as " + replacementName(name, 63) + " with the key",
		Why:      "Unused configs are usually left over; fix the template or pipeline that creates them so new ones carry the key.",
		Commands: create,
	}, Step{
		Title:    "Delete the config",
		Why:      "An unused config holds no data, but it keeps failing the audit and can be deployed again by mistake.",
		Commands: []Command{deleteConfigCommand(region, q(name), name)},
	})
}

// configUsers lists the endpoints (same account and region) serving from r.
func (b *builder) configUsers(r res) []string {
	var out []string
	for _, e := range b.in.Inventory.Resources {
		if e.Kind == "endpoint" && e.Account == r.f.Resource.Account && e.Region == r.f.Resource.Region &&
			e.Attributes[inventory.AttrEndpointConfig] == r.f.Resource.Name {
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out
}
