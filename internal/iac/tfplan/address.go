package tfplan

import (
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// step is one dot-separated part of a Terraform address or reference and
// the instance key written after it, brackets included: `main` and `[0]`,
// `ml` and `["a.b"]`.
type step struct{ name, key string }

// splitSteps splits an address or reference at the dots outside instance
// keys, so that a for_each key containing a dot stays whole.
func splitSteps(s string) []step {
	var out []step
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' {
			j++
		}
		st := step{name: s[i:j]}
		i = j
		if i < len(s) && s[i] == '[' {
			k := closeBracket(s, i)
			st.key = s[i:k]
			i = k
		}
		out = append(out, st)
		if i < len(s) && s[i] == '.' {
			i++
		}
	}
	return out
}

// closeBracket returns the index just past the ']' that closes the '[' at
// open, skipping quoted strings; len(s) when it is not closed.
func closeBracket(s string, open int) int {
	quoted := false
	for k := open + 1; k < len(s); k++ {
		switch c := s[k]; {
		case quoted && c == '\\':
			k++
		case c == '"':
			quoted = !quoted
		case !quoted && c == ']':
			return k + 1
		}
	}
	return len(s)
}

// literalKey reports whether an instance key is a number or a quoted
// string, as in a planned address, rather than an expression.
func literalKey(key string) bool {
	if len(key) < 3 {
		return false
	}
	inner := key[1 : len(key)-1]
	if inner[0] == '"' {
		return true
	}
	for _, c := range inner {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// instanceAddr is a parsed resource instance address.
type instanceAddr struct {
	// modules are the module calls on the path, each with its key.
	modules []step
	mode    tfjson.ResourceMode
	typ     string
	name    string
	key     string
}

// parseInstance parses an address such as
// module.ml[0].aws_sagemaker_notebook_instance.nb["a"].
func parseInstance(addr string) instanceAddr {
	steps := splitSteps(addr)
	var a instanceAddr
	i := 0
	for i+1 < len(steps) && steps[i].name == "module" && steps[i].key == "" {
		a.modules = append(a.modules, steps[i+1])
		i += 2
	}
	a.mode = tfjson.ManagedResourceMode
	if i < len(steps) && steps[i].name == "data" && steps[i].key == "" {
		a.mode = tfjson.DataResourceMode
		i++
	}
	if i < len(steps) {
		a.typ = steps[i].name
	}
	if i+1 < len(steps) {
		a.name, a.key = steps[i+1].name, steps[i+1].key
	}
	return a
}

// modulePath is the module instance path, keys included
// (module.ml[0].module.net), "" for the root module.
func (a instanceAddr) modulePath() string {
	return a.path(true)
}

// configModule is the module path with the keys removed, as the
// configuration names it.
func (a instanceAddr) configModule() string {
	return a.path(false)
}

func (a instanceAddr) path(keys bool) string {
	var b strings.Builder
	for i, m := range a.modules {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module.")
		b.WriteString(m.name)
		if keys {
			b.WriteString(m.key)
		}
	}
	return b.String()
}

// configAddress is the address of the configuration block the instance
// comes from: no module or resource keys.
func (a instanceAddr) configAddress() string {
	return joinPath(a.configModule(), localAddress(a.mode, a.typ, a.name))
}

// sameModules reports whether two instances agree on the keys of the
// module calls their paths share from the root, so a reference from
// module.ml[1] prefers the key in module.ml[1].
func sameModules(a, b instanceAddr) bool {
	for i := 0; i < len(a.modules) && i < len(b.modules); i++ {
		if a.modules[i].name != b.modules[i].name {
			return true
		}
		if a.modules[i].key != b.modules[i].key {
			return false
		}
	}
	return true
}

// instancePath is the module instance path of the module at configuration
// path cfgPath as seen from a: the keys of a's own path where cfgPath is a
// module a is in (module.ml[1] for module.ml), cfgPath itself elsewhere.
func (a instanceAddr) instancePath(cfgPath string) string {
	if cfgPath == "" {
		return ""
	}
	for k := 1; k <= len(a.modules); k++ {
		prefix := instanceAddr{modules: a.modules[:k]}
		if prefix.configModule() == cfgPath {
			return prefix.modulePath()
		}
	}
	return cfgPath
}
