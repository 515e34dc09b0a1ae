package iampolicy

// Truth is a three-valued answer. The zero value is Unknown, so an answer
// that was never computed can never read as True.
type Truth int

// Truth values.
const (
	Unknown Truth = iota
	True
	False
)

func (t Truth) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "unknown"
}

// Verdict is a Truth with, when it is Unknown, what it depends on: the
// condition key as written in the policy ("kms:EncryptionContext:aws:s3:arn"),
// a policy variable ("${aws:username}") or an operator sagekey does not
// evaluate ("condition operator ArnMatches").
type Verdict struct {
	Truth     Truth
	DependsOn string
}

// Verdicts without a dependency.
var (
	yes = Verdict{Truth: True}
	no  = Verdict{Truth: False}
)

func unknownOn(what string) Verdict { return Verdict{Truth: Unknown, DependsOn: what} }

func verdictOf(b bool) Verdict {
	if b {
		return yes
	}
	return no
}

// And combines verdicts the way IAM combines the parts of a statement:
// False wins over Unknown, Unknown over True. The first Unknown is kept, so
// the dependency named is the first one in evaluation order.
func And(vs ...Verdict) Verdict {
	out := yes
	for _, v := range vs {
		switch {
		case v.Truth == False:
			return no
		case v.Truth == Unknown && out.Truth == True:
			out = v
		}
	}
	return out
}

// not negates a verdict, keeping the dependency of an Unknown.
func not(v Verdict) Verdict {
	switch v.Truth {
	case True:
		return no
	case False:
		return yes
	}
	return v
}

// anyOf is the OR over n items: True wins over Unknown, Unknown over False.
func anyOf(n int, f func(i int) Verdict) Verdict {
	out := no
	for i := range n {
		v := f(i)
		switch {
		case v.Truth == True:
			return yes
		case v.Truth == Unknown && out.Truth == False:
			out = v
		}
	}
	return out
}

// allOf is the AND over n items.
func allOf(n int, f func(i int) Verdict) Verdict {
	return not(anyOf(n, func(i int) Verdict { return not(f(i)) }))
}
