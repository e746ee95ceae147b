package sparse

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLogSum compares logSum with the direct sum of x·log(v), in float64
// and in a compensated (Kahan–Neumaier) sum of the same terms, over
// counts and values of every range the passes see: small counts (the
// product path), large counts and values near the underflow clamp or far
// above 1 (the direct path), and long runs that push the exponent far.
func TestLogSum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		name  string
		count func() float64
		value func() float64
		n     int
	}{
		{"ones, values near 1", func() float64 { return 1 }, func() float64 { return 0.5 + r.Float64() }, 10000},
		{"small counts, wide values", func() float64 { return float64(1 + r.IntN(4)) }, func() float64 { return math.Exp(40 * (r.Float64() - 0.5)) }, 10000},
		{"large counts", func() float64 { return float64(1 + r.IntN(100000)) }, func() float64 { return math.Exp(4 * r.NormFloat64()) }, 1000},
		{"at the clamp", func() float64 { return float64(1 + r.IntN(3)) }, func() float64 { return underflow * (1 + r.Float64()) }, 100},
		{"huge values", func() float64 { return 1 }, func() float64 { return 1e100 * (1 + r.Float64()) }, 100},
		{"long run far below 1", func() float64 { return 2 }, func() float64 { return 1e-3 * (1 + r.Float64()) }, 200000},
	}
	for _, c := range cases {
		l := newLogSum()
		var ref compensated
		var scale float64
		for j := 0; j < c.n; j++ {
			x, v := c.count(), c.value()
			l.add(x, v)
			term := x * math.Log(v)
			ref.add(term)
			scale += math.Abs(term)
		}
		want := ref.value()
		if got := l.value(); math.Abs(got-want) > 1e-13*scale {
			t.Errorf("%s: %v, want %v (difference %.3g of Σ|terms| %.3g)", c.name, got, want, got-want, scale)
		}
	}
}

// compensated is Neumaier's compensated sum, the reference the tests of
// this package compare sums with.
type compensated struct{ sum, comp float64 }

func (c *compensated) add(v float64) {
	s := c.sum + v
	if math.Abs(c.sum) >= math.Abs(v) {
		c.comp += (c.sum - s) + v
	} else {
		c.comp += (v - s) + c.sum
	}
	c.sum = s
}

func (c compensated) value() float64 { return c.sum + c.comp }
