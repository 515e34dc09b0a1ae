package finding

// Location is where in source code a finding's subject is declared: set
// for findings from infrastructure as code (`sagekey iac`), nil for a live
// scan. It points at the key attribute when there is one, else at the
// resource block that lacks it.
type Location struct {
	// File is the path as the command was given it (relative paths stay
	// relative, so the same repository gives the same findings anywhere).
	File        string `json:"file"`
	StartLine   int    `json:"start_line"`
	StartColumn int    `json:"start_column"`
	EndLine     int    `json:"end_line,omitempty"`
	EndColumn   int    `json:"end_column,omitempty"`
	// Module is the Terraform module path ("module.ml") or the
	// CloudFormation nested-stack path; empty for the root.
	Module string `json:"module,omitempty"`
	// Address is the resource's address in the configuration
	// (aws_sagemaker_notebook_instance.nb, module.ml.aws_kms_key.k[0],
	// Stack/NotebookInstance).
	Address string `json:"address,omitempty"`
}

// Fix is a change to the source that would make a finding pass: the key
// attribute to add, referring to a suitable key the same configuration
// defines. Reports offer it (SARIF fixes); nothing applies it.
type Fix struct {
	Description string `json:"description"`
	// File, Line and Column are where Text is inserted (1-based; Column 1
	// is the start of the line).
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Text   string `json:"text"`
}
