package athena

import (
	"fmt"
	"io"

	"github.com/sagekey/sagekey/internal/trail"
)

// PrintSQL writes what sagekey would run for t and f (--print-sql): the
// table's DDL, then each query, each under a comment saying what it is
// for, each ending in a semicolon so the output runs as a script in the
// Athena console.
func PrintSQL(w io.Writer, t Table, f trail.Filter) error {
	ddl, err := TableDDL(t)
	if err != nil {
		return err
	}
	queries, err := Queries(t, f)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "-- %s.%s: the CloudTrail table with partition projection (run by --athena-create-table)\n%s;\n",
		t.Database, t.Name, ddl); err != nil {
		return err
	}
	for _, q := range queries {
		if _, err := fmt.Fprintf(w, "\n-- %s: %s\n%s;\n", q.Name, queryDoc(q.Name), q.SQL); err != nil {
			return err
		}
	}
	return nil
}
