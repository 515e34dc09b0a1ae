package keys

import "testing"

func TestParseRef(t *testing.T) {
	t.Parallel()
	const acct, region = "111122223333", "us-east-1"
	tests := []struct {
		raw        string
		form       Form
		canonical  string
		awsManaged bool
	}{
		{"1234abcd-12ab-34cd-56ef-1234567890ab", FormKeyID, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", FormKeyARN, "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"alias/team-a", FormAliasName, "arn:aws:kms:us-east-1:111122223333:alias/team-a", false},
		{"arn:aws:kms:us-east-1:111122223333:alias/team-a", FormAliasARN, "arn:aws:kms:us-east-1:111122223333:alias/team-a", false},
		{"mrk-1234abcd12ab34cd56ef1234567890ab", FormMRKID, "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab", false},
		{"alias/aws/sagemaker", FormAliasName, "arn:aws:kms:us-east-1:111122223333:alias/aws/sagemaker", true},
		{"arn:aws:kms:us-east-1:111122223333:alias/aws/s3", FormAliasARN, "arn:aws:kms:us-east-1:111122223333:alias/aws/s3", true},
		{"not-a-key", FormOther, "arn:aws:kms:us-east-1:111122223333:key/not-a-key", false},
	}
	for _, tt := range tests {
		r := ParseRef(tt.raw, acct, region)
		if r.Form != tt.form || r.Canonical() != tt.canonical || r.AWSManagedAlias() != tt.awsManaged {
			t.Errorf("ParseRef(%q) = form %s canonical %s awsManaged %v; want %s %s %v",
				tt.raw, r.Form, r.Canonical(), r.AWSManagedAlias(), tt.form, tt.canonical, tt.awsManaged)
		}
	}
}

func TestKeyIDAndARNShareCanonical(t *testing.T) {
	t.Parallel()
	id := ParseRef("1234abcd-12ab-34cd-56ef-1234567890ab", "111122223333", "cn-north-1")
	arn := ParseRef("arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "999999999999", "us-east-1")
	if id.Canonical() != arn.Canonical() {
		t.Errorf("canonical differs: %s vs %s", id.Canonical(), arn.Canonical())
	}
}
