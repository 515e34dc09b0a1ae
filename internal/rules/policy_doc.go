package rules

import (
	"encoding/json"
	"fmt"
	"sort"
)

// policyDoc is the part of an IAM policy document the key-policy rule reads.
// IAM allows a single string or a list in most places, hence stringList.
type policyDoc struct {
	Statement statements `json:"Statement"`
}

type policyStatement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal principals                `json:"Principal"`
	Action    stringList                `json:"Action"`
	Condition map[string]map[string]any `json:"Condition"`
}

type statements []policyStatement

func (s *statements) UnmarshalJSON(b []byte) error {
	var one policyStatement
	if err := json.Unmarshal(b, &one); err == nil && one.Effect != "" {
		*s = statements{one}
		return nil
	}
	var many []policyStatement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

func (l stringList) has(v string) bool {
	for _, s := range l {
		if s == v {
			return true
		}
	}
	return false
}

// principals flattens "*" and {"AWS": [...], "Service": ...} into the AWS
// principal values ("*", account IDs, ARNs); service principals are dropped
// because granting a service is how SageMaker is meant to use the key.
type principals []string

func (p *principals) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		*p = principals{star}
		return nil
	}
	var byType map[string]stringList
	if err := json.Unmarshal(b, &byType); err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	var out principals
	for typ, vals := range byType {
		if typ == "AWS" || typ == "*" {
			out = append(out, vals...)
		}
	}
	sort.Strings(out)
	*p = out
	return nil
}

func parsePolicy(text string) (policyDoc, error) {
	var doc policyDoc
	if text == "" {
		return doc, fmt.Errorf("empty policy")
	}
	err := json.Unmarshal([]byte(text), &doc)
	return doc, err
}
