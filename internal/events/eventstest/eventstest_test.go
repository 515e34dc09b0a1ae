package eventstest_test

import (
	"testing"
	"time"

	"github.com/sagekey/sagekey/internal/events"
	"github.com/sagekey/sagekey/internal/events/eventstest"
)

// TestCallParses holds the builder to what the consumer reads.
func TestCallParses(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		call eventstest.Call
		want events.Target
	}{
		{eventstest.Call{ID: "e1", Account: "123456789012", Region: "us-east-1", Service: "sagemaker", Name: "CreateNotebookInstance",
			Request: map[string]any{"notebookInstanceName": "nb"}, Time: at},
			events.Target{Kind: "notebook-instance", Name: "nb", Account: "123456789012", Region: "us-east-1",
				Action: "sagemaker:CreateNotebookInstance", EventID: "e1", Time: at}},
		{eventstest.Call{ID: "e2", Account: "123456789012", Region: "us-east-1", Service: "sagemaker", Name: "DeleteNotebookInstance",
			Request: map[string]any{"notebookInstanceName": "nb"}, Time: at},
			events.Target{Kind: "notebook-instance", Name: "nb", Account: "123456789012", Region: "us-east-1", Delete: true,
				Action: "sagemaker:DeleteNotebookInstance", EventID: "e2", Time: at}},
		{eventstest.Call{ID: "e3", Account: "123456789012", Region: "us-east-1", Service: "sagemaker", Name: "CreateNotebookInstance",
			Request: map[string]any{"notebookInstanceName": "nb"}, Time: at, ErrorCode: "AccessDenied"},
			// A failed call is dropped unread: its name is not parsed.
			events.Target{Kind: "notebook-instance", Account: "123456789012", Region: "us-east-1", Failed: true,
				Action: "sagemaker:CreateNotebookInstance", EventID: "e3", Time: at}},
	}
	for _, tt := range tests {
		got, err := events.Parse(tt.call.JSON())
		if err != nil {
			t.Fatalf("%s: %v", tt.call.ID, err)
		}
		if got.Kind != tt.want.Kind || got.Name != tt.want.Name || got.Account != tt.want.Account || got.Region != tt.want.Region ||
			got.Delete != tt.want.Delete || got.Failed != tt.want.Failed || got.Action != tt.want.Action ||
			got.EventID != tt.want.EventID || !got.Time.Equal(tt.want.Time) {
			t.Errorf("%s: Parse = %+v, want %+v", tt.call.ID, got, tt.want)
		}
	}
}
