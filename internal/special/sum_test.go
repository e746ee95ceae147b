package special

import (
	"math"
	"testing"
)

// TestSum: the terms 1, 1e100, 1, −1e100 sum to 2 exactly; a plain
// floating-point sum gives 0. And 10⁷ copies of 0.1 sum to 10⁶ within an
// ulp, where a plain sum drifts by about 1e-4.
func TestSum(t *testing.T) {
	var s Sum
	for _, v := range []float64{1, 1e100, 1, -1e100} {
		s.Add(v)
	}
	if s.Value() != 2 {
		t.Fatalf("got %v, want 2", s.Value())
	}
	var inf Sum
	for _, v := range []float64{1, math.Inf(1), 2} {
		inf.Add(v)
	}
	if !math.IsInf(inf.Value(), 1) {
		t.Fatalf("sum with +Inf is %v", inf.Value())
	}
	var a, b Sum
	var plain float64
	for k := 0; k < 10_000_000; k++ {
		if k%2 == 0 {
			a.Add(0.1)
		} else {
			b.Add(0.1)
		}
		plain += 0.1
	}
	a.Merge(b)
	if got := a.Value(); math.Abs(got-1e6) > 2.5e-10 {
		t.Fatalf("compensated %v, want 1e6 (plain sum %v)", got, plain)
	}
	if math.Abs(plain-1e6) < 1e-6 {
		t.Log("plain sum happened to be accurate on this machine")
	}
}
