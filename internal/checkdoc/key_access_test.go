package checkdoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagekey/sagekey/internal/catalog"
)

// TestKeyAccessPageIsCurrent fails when docs/key-access.md no longer matches
// the catalog. Fix: go run ./tools/gendocs
func TestKeyAccessPageIsCurrent(t *testing.T) {
	t.Parallel()
	got, err := os.ReadFile(filepath.Join("..", "..", "docs", KeyAccessFile))
	if err != nil {
		t.Fatalf("%v (run go run ./tools/gendocs)", err)
	}
	if string(got) != KeyAccessPage() {
		t.Errorf("docs/%s is stale (run go run ./tools/gendocs)", KeyAccessFile)
	}
}

func TestKeyAccessTable(t *testing.T) {
	t.Parallel()
	table := KeyAccessTable()
	rows := 0
	for _, k := range catalog.Kinds() {
		if k.RoleField != "" {
			rows += len(k.Slots)
		}
	}
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if len(lines) != rows+2 {
		t.Errorf("table has %d rows, want one per slot of a kind with a role (%d)", len(lines)-2, rows)
	}
	for _, l := range lines {
		// Escaped pipes (in "A | B" role fields) stay inside their cell.
		if cells := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); cells != 8 {
			t.Errorf("row has %d separators, want 8: %s", cells, l)
		}
	}
	for _, want := range []string{
		"| `training-job` | `volume` | `RoleArn` | `kms:CreateGrant`, `kms:DescribeKey`, `kms:GenerateDataKeyWithoutPlaintext` | " +
			"`sagemaker.<region>.amazonaws.com` | " +
			"[sagemaker-roles](https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createtrainingjob-perms) | kms:DescribeKey",
		"| `cluster` | `root-volume` | `InstanceGroups[].ExecutionRole` | `kms:CreateGrant`, `kms:DescribeKey` |",
		"| `endpoint` | `volume` | `ProductionVariants[].ModelName \\| ShadowProductionVariants[].ModelName → DescribeModel.ExecutionRoleArn` |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	if strings.Contains(table, "`model-card`") {
		t.Error("a kind without an execution role is listed")
	}
}
