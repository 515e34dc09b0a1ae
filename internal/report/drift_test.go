package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDriftIsWritten(t *testing.T) {
	r := &Report{Started: time.Unix(0, 0), Finished: time.Unix(1, 0), Files: []string{"main.tf"},
		Drift: []Drift{{Kind: DriftNotDeployed, ResourceKind: "notebook-instance", Name: "nb", Address: "aws_sagemaker_notebook_instance.nb",
			ARN: "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb", Message: "fixed in code, not yet deployed"}}}
	var table bytes.Buffer
	if err := WriteTable(&table, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "CODE VS DEPLOYMENT: 1 difference") ||
		!strings.Contains(table.String(), "notebook-instance/nb (aws_sagemaker_notebook_instance.nb): fixed in code, not yet deployed") {
		t.Errorf("table:\n%s", table.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scan struct{ Drift []Drift } `json:"scan"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.Scan.Drift) != 1 || doc.Scan.Drift[0].Kind != DriftNotDeployed {
		t.Errorf("json drift = %+v (%v)", doc.Scan.Drift, err)
	}
}
