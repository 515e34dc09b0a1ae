package catalog

// Constructors for the slot shapes most kinds share, so each kind's entry
// states only what differs (field path, IaC names, instance table).

func volumeSlot(apiField, terraform, cfn string, table Table) SlotSpec {
	return SlotSpec{
		ID: "volume", Title: "ML storage volume of the job's instances",
		APIField: apiField, Terraform: terraform, CloudFormation: cfn,
		ConditionKeys: volumeConditionKeys, LocalStorage: table, EmptyMeans: emptyVolume,
	}
}

func outputSlot(apiField, terraform, cfn string, conditionKeys []string) SlotSpec {
	return SlotSpec{
		ID: "output", Title: "output written to S3",
		APIField: apiField, Terraform: terraform, CloudFormation: cfn,
		ConditionKeys: conditionKeys, S3Output: true, EmptyMeans: emptyS3,
	}
}

// s3Slot is an S3-bound slot with its own id.
func s3Slot(id, title, apiField, terraform, cfn string, conditionKeys []string) SlotSpec {
	s := outputSlot(apiField, terraform, cfn, conditionKeys)
	s.ID, s.Title = id, title
	return s
}

// immutableJob is the remediation of every job record that cannot change.
func immutableJob(what, fields string) string {
	return what + " records are immutable. Run the job again with " + fields +
		" set to customer-managed keys, then re-encrypt or delete the old outputs."
}
