package trail

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestMerge(t *testing.T) {
	d := func(count int64, samples ...string) Denial {
		return denial(count, samples)
	}
	b := func(count int64, samples ...string) Blocked { return blocked(count, samples) }
	r := func(day time.Time, count int64) RequestCount {
		return RequestCount{Day: day, Account: acct, Region: region, KeyARN: keyARN, Operation: "kms:Decrypt", Count: count}
	}
	c := func(id string, when time.Time) Creator {
		return Creator{ResourceARN: "arn:aws:sagemaker:us-east-1:111122223333:training-job/xgb", EventID: id, Time: when, Tool: ToolBoto3}
	}
	k := func(id string) KeyEvent {
		return KeyEvent{EventID: id, Time: t0, KeyARN: keyARN, Action: "kms:DisableKey"}
	}
	p := func(unit string, n int64) Problem {
		return Problem{Unit: unit, Kind: ProblemUnreadable, Reason: "gzip: invalid header", Count: n}
	}
	a := &Aggregates{
		Denials:   []Denial{d(2, "a1", "a2")},
		Blocked:   []Blocked{b(1, "b9")},
		Requests:  []RequestCount{r(day0, 10)},
		Creators:  []Creator{c("c1", t0)},
		KeyEvents: []KeyEvent{k("k1")},
		Problems:  []Problem{p("u1", 1)},
		Events:    100, Matched: 14,
	}
	bb := &Aggregates{
		Denials:   []Denial{d(3, "a0", "a3", "a4")},
		Blocked:   []Blocked{b(2, "b1", "b2")},
		Requests:  []RequestCount{r(day0, 5), r(day0.AddDate(0, 0, 1), 7)},
		Creators:  []Creator{c("c2", t0.Add(time.Minute))},
		KeyEvents: []KeyEvent{k("k1"), k("k2")},
		Problems:  []Problem{p("u1", 2), p("u2", 1)},
		Events:    50, Matched: 20,
	}
	want := &Aggregates{
		Denials:   []Denial{d(5, "a0", "a1", "a2")},
		Blocked:   []Blocked{b(3, "b1", "b2", "b9")},
		Requests:  []RequestCount{r(day0, 15), r(day0.AddDate(0, 0, 1), 7)},
		Creators:  []Creator{c("c2", t0.Add(time.Minute))},
		KeyEvents: []KeyEvent{k("k1"), k("k2")},
		Problems:  []Problem{p("u1", 3), p("u2", 1)},
		Events:    150, Matched: 34,
	}
	same(t, "Merge(a, b)", Merge(a, bb), want)
	same(t, "Merge(b, nil, a)", Merge(bb, nil, a), want)
	same(t, "Merge()", Merge(), &Aggregates{})
	same(t, "Merge(nil)", Merge(nil), &Aggregates{})

	// Merge does not change its inputs, and its result shares no samples
	// with them.
	if got := a.Denials[0]; got.Count != 2 || !slices.Equal(got.Samples, []string{"a1", "a2"}) {
		t.Errorf("Merge changed its input: %+v", got)
	}
	m := Merge(a)
	m.Denials[0].Samples[0] = "changed"
	if a.Denials[0].Samples[0] != "a1" {
		t.Error("the merged samples share an array with the input's")
	}
}

func TestMergeSamples(t *testing.T) {
	cases := []struct {
		have, ids, want []string
	}{
		{nil, nil, []string{}},
		{nil, []string{"c", "a"}, []string{"a", "c"}},
		{[]string{"a", "b"}, []string{"b", "c"}, []string{"a", "b", "c"}},
		{[]string{"d", "e", "f"}, []string{"a"}, []string{"a", "d", "e"}},
		{[]string{"a"}, []string{"", "b"}, []string{"a", "b"}},
		{[]string{"e", "d", "c", "b", "a"}, nil, []string{"a", "b", "c"}},
	}
	for _, tc := range cases {
		have := slices.Clone(tc.have)
		got := mergeSamples(have, tc.ids)
		if !slices.Equal(got, tc.want) {
			t.Errorf("mergeSamples(%q, %q) = %q, want %q", tc.have, tc.ids, got, tc.want)
		}
		if !slices.Equal(have, tc.have) {
			t.Errorf("mergeSamples changed its input %q to %q", tc.have, have)
		}
		if len(got) > MaxSamples {
			t.Errorf("%d samples kept, at most %d wanted", len(got), MaxSamples)
		}
	}
}

// randomEvents draws n events of every kind the aggregator keeps, from a
// small pool of keys, principals, days, resources and event IDs so that
// groups, samples, creators and key events collide across units.
func randomEvents(rng *rand.Rand, n int) []Event {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	var out []Event
	for range n {
		id := fmt.Sprintf("id-%03d", rng.IntN(400))
		when := t0.Add(time.Duration(rng.IntN(4*24)) * time.Hour)
		who := by(assumed(pick(devRole, execRole), pick(devSession, execSession)))
		key := keyParam(pick(keyID, keyARN, aliasName, key2ARN, strayARN))
		var ev Event
		switch rng.IntN(7) {
		case 0:
			ev = kmsEvent(pick("Decrypt", "GenerateDataKey"), withID(id), at(when), who, key, denied(pick("AccessDenied", "AccessDeniedException")))
			if rng.IntN(2) == 0 {
				viaSM(&ev)
			}
		case 1:
			ev = smEvent(pick("CreateNotebookInstance", "CreateTrainingJob"), withID(id), at(when), who, denied("AccessDeniedException"),
				errMessage(denyHead+pick(" with an explicit deny in a service control policy",
					" with an explicit deny in a service control policy: "+scpARN,
					" with an explicit deny in an identity-based policy: "+idPolARN)))
		case 2:
			arn := "arn:aws:sagemaker:us-east-1:111122223333:training-job/job-" + pick("a", "b", "c")
			// Creates of one resource at a few instants, so ties happen.
			// Event IDs are unique here, as CloudTrail's are: the tie-break
			// of two creates at one instant is by ID.
			ev = smEvent("CreateTrainingJob", at(t0.Add(time.Duration(rng.IntN(3))*time.Hour)), who,
				agent(pick("Boto3/1.35.0", "aws-cli/2.15.0", "AWS Internal")), response(`{"trainingJobArn":"`+arn+`"}`))
		case 3:
			// A key event is one record: the same ID always carries the
			// same content, as it does in CloudTrail.
			n := rng.IntN(20)
			actions := KeyLifecycleActions()
			ev = kmsEvent(actions[n%len(actions)], withID(fmt.Sprintf("key-%02d", n)), keyParam(keyARN))
		case 4:
			ev = kmsEvent(pick("Decrypt", "GenerateDataKey", "CreateGrant"), withID(id), at(when), key, viaSM)
		case 5:
			ev = kmsEvent("Decrypt", at(when), key, denied("AccessDenied"),
				weighted(int64(rng.IntN(50)), fmt.Sprintf("w-%02d", rng.IntN(30)), fmt.Sprintf("w-%02d", rng.IntN(30))))
		default:
			ev = kmsEvent("ListKeys", withID(id), at(when))
		}
		out = append(out, ev)
	}
	return out
}

// TestMergeProperties checks on random units that merging does not depend
// on how the trail was cut into units nor on the order they are merged in:
// Merge(a) is a, Merge is commutative and associative, and merging the
// units' aggregates equals aggregating all their events at once.
func TestMergeProperties(t *testing.T) {
	ctx := estate("p-12345678")
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		all := randomEvents(rng, 60+rng.IntN(60))
		// Cut into three units at random points.
		i, j := rng.IntN(len(all)), rng.IntN(len(all))
		i, j = min(i, j), max(i, j)
		a, b, c := aggregate(ctx, all[:i]...), aggregate(ctx, all[i:j]...), aggregate(ctx, all[j:]...)
		if len(a.Denials)+len(b.Denials)+len(c.Denials) == 0 {
			t.Fatalf("seed %d: the generator made no denials", seed)
		}
		a.Problems = []Problem{{Unit: "u", Kind: ProblemBadRecord, Reason: "x", Count: int64(seed)}}
		whole := aggregate(ctx, all...)
		whole.Problems = slices.Clone(a.Problems)
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			same(t, "Merge(a)", Merge(a), a)
			same(t, "Merge(a, b) vs Merge(b, a)", Merge(a, b), Merge(b, a))
			same(t, "Merge(Merge(a, b), c) vs Merge(a, Merge(b, c))", Merge(Merge(a, b), c), Merge(a, Merge(b, c)))
			same(t, "Merge(c, a, b) vs one aggregator over every event", Merge(c, a, b), whole)
			for _, d := range whole.Denials {
				if len(d.Samples) > MaxSamples {
					t.Errorf("denial keeps %d samples", len(d.Samples))
				}
			}
		})
	}
}
