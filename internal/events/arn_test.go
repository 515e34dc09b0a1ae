package events

import "testing"

func TestResourceARN(t *testing.T) {
	base := Target{Account: "123456789012", Region: "eu-west-1"}
	with := func(kind, name, parent, arn string) Target {
		t := base
		t.Kind, t.Name, t.Parent, t.ARN = kind, name, parent, arn
		return t
	}
	tests := []struct {
		name string
		in   Target
		want string
	}{
		{"built from the name, lower-cased", with("notebook-instance", "Team-NB", "", ""),
			"arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/team-nb"},
		{"the event's own ARN wins", with("notebook-instance", "nb", "", "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/NB"),
			"arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/NB"},
		{"parent in the ARN", with("user-profile", "alice", "d-abc", ""),
			"arn:aws:sagemaker:eu-west-1:123456789012:user-profile/d-abc/alice"},
		{"user profile without its domain", with("user-profile", "alice", "", ""), ""},
		{"a cluster's ARN ends in its ID", with("cluster", "hp", "", ""), ""},
		{"a parent not in the ARN", with("model-customization-job", "j", "cat", ""), ""},
		{"a key has no built ARN", with(KindKMSKey, "alias/x", "", ""), ""},
		{"no name", with("endpoint", "", "", ""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.ResourceARN("aws"); got != tt.want {
				t.Errorf("ResourceARN = %q, want %q", got, tt.want)
			}
		})
	}
}
