package tfplan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// fillerKinds is how many filler types fillerType cycles through.
const fillerKinds = 8

// fillerType is one of the resource types of a generated plan that Read
// skips.
func fillerType(i int) string {
	switch i % fillerKinds {
	case 0:
		return "aws_instance"
	case 1:
		return "aws_s3_bucket"
	case 2:
		return "aws_iam_role"
	case 3:
		return "aws_security_group"
	case 4:
		return "aws_lambda_function"
	case 5:
		return "aws_cloudwatch_log_group"
	case 6:
		return "aws_route53_record"
	}
	return "aws_ecs_service"
}

// planGen writes a synthetic plan JSON of roughly size bytes: resources
// of many types in the root module and in count-indexed child modules,
// one wanted (a KMS key or a notebook referring to it) in every fifty, each
// with a change, a prior state twice as large as the planned values, and
// a configuration.
type planGen struct {
	w   *bufio.Writer
	err error
	// perModule is how many instances each module holds.
	perModule int
}

// writePlan writes the plan and returns how many wanted instances it has.
func writePlan(out io.Writer, size int64) (count int, err error) {
	g := &planGen{w: bufio.NewWriterSize(out, 1<<20), perModule: 500}
	// One instance costs about 4 KiB over planned values, changes and
	// prior state.
	modules := max(1, int(size/(4<<10))/g.perModule)
	g.printf(`{"format_version":"1.2","terraform_version":"1.9.5","variables":{"env":{"value":"bench"}},`)
	g.printf(`"planned_values":{"root_module":{"resources":[`)
	sep := g.separator()
	g.instances(0, "", 0, func(addr, typ, name, index string, values map[string]any) {
		sep()
		g.printf(`{"address":%q,"mode":"managed","type":%q,"name":%q,"index":%s,"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":`, addr, typ, name, index)
		g.json(values)
		g.printf(`,"sensitive_values":{}}`)
	})
	g.printf(`],"child_modules":[`)
	for m := 1; m < modules; m++ {
		if m > 1 {
			g.printf(",")
		}
		g.printf(`{"address":"module.svc[%d]","resources":[`, m)
		sep := g.separator()
		g.instances(m, fmt.Sprintf("module.svc[%d].", m), 0, func(addr, typ, name, index string, values map[string]any) {
			sep()
			g.printf(`{"address":%q,"mode":"managed","type":%q,"name":%q,"index":%s,"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":`, addr, typ, name, index)
			g.json(values)
			g.printf(`,"sensitive_values":{}}`)
		})
		g.printf(`]}`)
	}
	g.printf(`]}},"resource_changes":[`)
	sep = g.separator()
	for m := 0; m < modules; m++ {
		prefix := ""
		if m > 0 {
			prefix = fmt.Sprintf("module.svc[%d].", m)
		}
		g.instances(m, prefix, 0, func(addr, typ, name, index string, values map[string]any) {
			sep()
			if wanted(typ) {
				count++
			}
			g.printf(`{"address":%q,"mode":"managed","type":%q,"name":%q,"index":%s,"provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"before":null,"after":`, addr, typ, name, index)
			g.json(values)
			g.printf(`,"after_unknown":{"arn":true,"id":true,"kms_key_id":true},"before_sensitive":false,"after_sensitive":{}}}`)
		})
	}
	g.printf(`],"prior_state":{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{"resources":[`)
	sep = g.separator()
	for m := 0; m < modules; m++ {
		// The prior state holds two generations of every instance.
		for gen := 1; gen <= 2; gen++ {
			g.instances(m, fmt.Sprintf("module.old%d[%d].", gen, m), gen, func(addr, typ, name, index string, values map[string]any) {
				sep()
				g.printf(`{"address":%q,"mode":"managed","type":%q,"name":%q,"index":%s,"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":`, addr, typ, name, index)
				g.json(values)
				g.printf(`,"sensitive_values":{}}`)
			})
		}
	}
	g.printf(`]}}},"configuration":{"root_module":{"resources":`)
	g.configResources()
	g.printf(`,"module_calls":{"svc":{"source":"./svc","count_expression":{"constant_value":%d},"module":{"resources":`, modules-1)
	g.configResources()
	g.printf(`}}}}}}`)
	g.printf("\n")
	if g.err == nil {
		g.err = g.w.Flush()
	}
	return count, g.err
}

// separator returns a func that writes the comma before every element of
// a JSON array but the first.
func (g *planGen) separator() func() {
	first := true
	return func() {
		if !first {
			g.printf(",")
		}
		first = false
	}
}

func (g *planGen) printf(format string, args ...any) {
	if g.err == nil {
		_, g.err = fmt.Fprintf(g.w, format, args...)
	}
}

func (g *planGen) json(v any) {
	if g.err == nil {
		g.err = json.NewEncoder(g.w).Encode(v)
	}
}

// typeOf is the type of the i-th instance of a module: a KMS key and a
// notebook in every fifty, the filler types otherwise.
func typeOf(i int) string {
	switch i % 50 {
	case 0:
		return "aws_kms_key"
	case 1:
		return "aws_sagemaker_notebook_instance"
	}
	return fillerType(i)
}

// instances calls fn for every instance of module m with its address,
// type, name, index and values.
func (g *planGen) instances(m int, prefix string, gen int, fn func(addr, typ, name, index string, values map[string]any)) {
	for i := 0; i < g.perModule && g.err == nil; i++ {
		typ := typeOf(i)
		name := fmt.Sprintf("r%d", i/fillerKinds)
		idx := i % fillerKinds
		addr := fmt.Sprintf("%s%s.%s[%d]", prefix, typ, name, idx)
		fn(addr, typ, name, fmt.Sprint(idx), values(typ, m, i, gen))
	}
}

// values are an instance's attributes: the fields its kind is judged on,
// plus the bulk real resources carry (tags, a policy document, nested
// blocks).
func values(typ string, m, i, gen int) map[string]any {
	v := map[string]any{
		"name":        fmt.Sprintf("bench-%d-%d-%d", m, i, gen),
		"tags":        map[string]any{"env": "bench", "owner": "platform", "cost_center": fmt.Sprint(1000 + i)},
		"description": strings.Repeat("generated ", 8),
	}
	switch typ {
	case "aws_kms_key":
		v["is_enabled"], v["enable_key_rotation"], v["deletion_window_in_days"] = true, i%100 == 0, 30
	case "aws_sagemaker_notebook_instance":
		v["instance_type"], v["volume_size"] = "ml.t3.medium", 5
	default:
		v["policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bench/*"}]}`
		v["ingress"] = []any{
			map[string]any{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8"}},
			map[string]any{"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8", "172.16.0.0/12"}},
		}
		v["environment"] = []any{map[string]any{"variables": map[string]any{"A": "1", "B": "2", "C": strings.Repeat("x", 200)}}}
	}
	return v
}

// configResources writes one configuration block per (type, name) of a
// module, count-indexed; notebooks refer to the key block of their row.
func (g *planGen) configResources() {
	g.printf("[")
	seen := map[string]bool{}
	for i := 0; i < g.perModule; i++ {
		typ, name := typeOf(i), fmt.Sprintf("r%d", i/fillerKinds)
		if seen[typ+"."+name] {
			continue
		}
		if len(seen) > 0 {
			g.printf(",")
		}
		seen[typ+"."+name] = true
		exprs := map[string]any{"name": map[string]any{"references": []string{"var.env", "count.index"}}}
		if typ == "aws_sagemaker_notebook_instance" {
			// Row i's key is typeOf(i-1) = aws_kms_key with the same name.
			key := "aws_kms_key." + fmt.Sprintf("r%d", (i-1)/fillerKinds)
			exprs["kms_key_id"] = map[string]any{"references": []string{key + ".arn", key}}
		}
		g.printf(`{"address":"%s.%s","mode":"managed","type":%q,"name":%q,"provider_config_key":"aws","schema_version":0,"count_expression":{"constant_value":%d},"expressions":`, typ, name, typ, name, fillerKinds)
		g.json(exprs)
		g.printf("}")
	}
	g.printf("]")
}

// writePlanFile writes a generated plan to path.
func writePlanFile(path string, size int64) (wanted int, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	wanted, err = writePlan(f, size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return wanted, err
}
