package remediate

import (
	"fmt"
	"strings"
)

// reshapePy turns a Describe* output (as `aws ... describe-*` prints it)
// into the input of a Create*/Update* call: it puts the key on every
// requested path, sets the new name, copies the tags, and keeps only the
// members the operation accepts, read from botocore's own model so that
// read-only fields (ARNs, statuses, timestamps) are dropped without a list
// that would go stale. Values arrive as arguments, never as source text.
//
// A path is dotted; "[]" after a segment walks every list element and "+"
// creates the segment when missing. A key is put only where its parent
// exists, and each --key needs at least one of its '|'-separated paths to
// exist, so a slot the snippet cannot reach stops the run instead of
// creating a resource that is still non-compliant.
const reshapePy = `import argparse, json, sys
import botocore.session

p = argparse.ArgumentParser()
p.add_argument("src"); p.add_argument("dst"); p.add_argument("operation")
p.add_argument("--set", nargs=2, action="append", default=[], metavar=("FIELD", "VALUE"))
p.add_argument("--key", nargs=3, action="append", default=[], metavar=("SLOT", "PATHS", "KEY"))
p.add_argument("--tags")
p.add_argument("--only", nargs="+", help="send only these top-level members (an update, not a copy)")
a = p.parse_args()
doc = json.load(open(a.src))

` + pyPut + `
for slot, paths, key in a.key:
    if not sum(put(doc, path.split("."), key) for path in paths.split("|")):
        sys.exit("%s: none of %s exists in %s; set the key by hand" % (slot, paths, a.src))
for field, value in a.set:
    doc[field] = value
if a.tags:
    tags = [t for t in json.load(open(a.tags)).get("Tags", []) if not t["Key"].startswith("aws:")]
    if tags:
        doc["Tags"] = tags

` + pyKeep + `
if a.only:
    doc = {k: v for k, v in doc.items() if k in a.only}
model = botocore.session.get_session().get_service_model("sagemaker")
with open(a.dst, "w") as out:
    json.dump(keep(doc, model.operation_model(a.operation).input_shape), out, indent=2, sort_keys=True)
print("wrote", a.dst)`

// pyPut and pyKeep are the two Python helpers both snippets (reshapePy
// and the boto3 clone) need: put a key on a dotted path, and keep only the
// members an operation's input shape accepts.
const (
	pyPut = `def put(node, parts, value):
    if not isinstance(node, dict):
        return 0
    head, rest = parts[0], parts[1:]
    if not rest:
        node[head] = value
        return 1
    many, make = head.endswith("[]"), head.endswith("+")
    head = head.rstrip("[]+")
    if make and head not in node:
        node[head] = {}
    child = node.get(head)
    if child is None:
        return 0
    return sum(put(c, rest, value) for c in (child if many else [child]))
`
	pyKeep = `def keep(v, shape):
    if shape.type_name == "structure" and isinstance(v, dict):
        return {k: keep(x, shape.members[k]) for k, x in v.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(v, list):
        return [keep(x, shape.member) for x in v]
    if shape.type_name == "map" and isinstance(v, dict):
        return {k: keep(x, shape.value) for k, x in v.items()}
    return v
`
)

// keyArg is one --key argument of reshapePy.
type keyArg struct {
	slot  string // slot type, for the error message
	paths string // '|'-separated alternatives
}

// reshapeCommand runs reshapePy. set holds --set pairs whose values are
// already shell words (quoted or "$var" references).
func reshapeCommand(src, dst, op, keyRef, tags string, set [][2]string, ks []keyArg, only ...string) string {
	var args []string
	for _, s := range set {
		args = append(args, fmt.Sprintf("--set %s %s", q(s[0]), s[1]))
	}
	for _, k := range ks {
		args = append(args, fmt.Sprintf(`--key %s %s "%s"`, q(k.slot), q(k.paths), keyRef))
	}
	if tags != "" {
		args = append(args, "--tags "+q(tags))
	}
	if len(only) > 0 {
		quoted := make([]string, len(only))
		for i, o := range only {
			quoted[i] = q(o)
		}
		args = append(args, "--only "+strings.Join(quoted, " "))
	}
	return fmt.Sprintf("python3 - %s %s %s \\\n  %s <<'PY'\n%s\nPY", q(src), q(dst), q(op),
		strings.Join(args, " \\\n  "), reshapePy)
}
