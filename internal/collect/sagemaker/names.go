package sagemaker

import (
	"slices"
	"strconv"
)

// slotNames keeps slot names unique within one resource, so that two
// volumes of the same group stay two findings ("ebs-volume:g",
// "ebs-volume:g#2") instead of one overwriting the other downstream.
type slotNames map[string]int

func (n slotNames) unique(name string) string {
	n[name]++
	if c := n[name]; c > 1 {
		return name + "#" + strconv.Itoa(c)
	}
	return name
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
