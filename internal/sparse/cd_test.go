package sparse

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCDLoops checks GradSums and StepRates, on whichever path this build
// and processor run, against the Go reference loops and a compensated
// sum, for every length from 0 to 100 (the assembly steps by 8, 4 and 1),
// on rates of mixed scale, with steps up and down; StepRates must leave
// the element after each output untouched.
func TestCDLoops(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for m := 0; m <= 100; m++ {
		g, x, mu := mixed(r, m), make([]float64, m), mixed(r, m)
		inv, ratio := make([]float64, m), make([]float64, m)
		for e := range x {
			x[e] = float64(1 + r.IntN(5))
			inv[e] = 1 / mu[e]
			ratio[e] = x[e] * inv[e]
		}
		grad, hess := GradSums(g, ratio, inv)
		wg, wh := gradSumsGo(g, ratio, inv)
		var cg, ch compensated
		var sg, sh float64
		for e := range g {
			cg.add(g[e] * ratio[e])
			ch.add(g[e] * g[e] * ratio[e] * inv[e])
			sg += math.Abs(g[e] * ratio[e])
			sh += math.Abs(g[e] * g[e] * ratio[e] * inv[e])
		}
		for _, c := range []struct {
			name           string
			got, want, ref float64
			scale          float64
		}{{"gradient", grad, wg, cg.value(), sg}, {"curvature", hess, wh, ch.value(), sh}} {
			if math.Abs(c.got-c.want) > 1e-13*c.scale || math.Abs(c.got-c.ref) > 1e-13*c.scale {
				t.Fatalf("m = %d: %s sum %v, Go loop %v, compensated %v", m, c.name, c.got, c.want, c.ref)
			}
		}
		// Down steps shrink no rate by more than a fifth, as CD's own
		// bound on them keeps every μ well away from zero.
		down := 1.0
		for e := range mu {
			down = min(down, mu[e]/g[e])
		}
		for _, delta := range []float64{0.3, -0.2 * down} {
			pad := func(v []float64) []float64 { return append(slices.Clone(v), 42) }
			mu1, inv1, ratio1 := pad(mu), pad(inv), pad(ratio)
			mu2, inv2, ratio2 := pad(mu), pad(inv), pad(ratio)
			StepRates(mu1[:m], inv1[:m], ratio1[:m], x, g, delta)
			stepRatesGo(mu2[:m], inv2[:m], ratio2[:m], x, g, delta)
			for _, v := range [][2][]float64{{mu1, mu2}, {inv1, inv2}, {ratio1, ratio2}} {
				if v[0][m] != 42 {
					t.Fatalf("m = %d: StepRates wrote past the end", m)
				}
				for e := range m {
					if math.Abs(v[0][e]-v[1][e]) > 1e-15*math.Abs(v[1][e]) {
						t.Fatalf("m = %d, delta %v, element %d: %v, Go loop %v", m, delta, e, v[0][e], v[1][e])
					}
				}
			}
		}
	}
}
