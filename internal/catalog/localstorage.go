package catalog

import "strings"

// Table names an instance-type enum whose members may carry local NVMe
// instance storage, which SageMaker encrypts in hardware and which cannot
// take (or is not covered by) a volume KMS key.
type Table string

// The tables of reference §3. Each API has its own enum, so the same family
// can differ between them.
const (
	TableNone       Table = ""
	TableTraining   Table = "training"   // TrainingInstanceType, InstanceGroup, HPO
	TableProcessing Table = "processing" // ProcessingInstanceType, Model Monitor
	TableHosting    Table = "hosting"    // ProductionVariantInstanceType
	TableTransform  Table = "transform"  // TransformInstanceType
)

// localStorageFamilies lists, per table, the instance families with local
// instance storage. Source: SageMaker instance enums (botocore service-2.json)
// intersected with EC2 DescribeInstanceTypes InstanceStorageSupported=true;
// see docs/reference in the project notes. Families are used rather than
// sizes because every size of these families has instance storage.
var localStorageFamilies = map[Table][]string{
	TableTraining: {"g4dn", "g5", "g6", "g6e", "g7", "g7e", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en",
		"p6-b200", "p6-b300", "r5d", "trn1", "trn1n", "trn2"},
	TableProcessing: {"g4dn", "g5", "g6", "g6e", "g7", "g7e", "p5", "r5d"},
	TableHosting: {"c5d", "c6gd", "g4dn", "g5", "g6", "g6e", "g7", "g7e", "m5d", "m6gd", "p4d", "p4de", "p5",
		"p5e", "p5en", "p6-b200", "p6-b300", "r5d", "r6gd", "r7gd", "trn1", "trn1n", "trn2"},
	TableTransform: {"g4dn", "g5", "g6", "trn1"},
}

// HasLocalStorage reports whether instanceType (e.g. "ml.g4dn.xlarge") has
// local NVMe instance storage according to table.
func HasLocalStorage(table Table, instanceType string) bool {
	family := instanceFamily(instanceType)
	for _, f := range localStorageFamilies[table] {
		if f == family {
			return true
		}
	}
	return false
}

// LocalStorageFamilies returns the families of a table, for guardrail
// exemptions and docs.
func LocalStorageFamilies(table Table) []string {
	return append([]string(nil), localStorageFamilies[table]...)
}

func instanceFamily(instanceType string) string {
	t := strings.TrimPrefix(instanceType, "ml.")
	if i := strings.LastIndex(t, "."); i >= 0 {
		t = t[:i]
	}
	return t
}
