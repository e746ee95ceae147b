package mle

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDownStepsDescend checks CD's downward steps against the one-variable
// objective of a coordinate, evaluated directly with logarithms:
//
//	φ(f) = c f − Σ_e x_e log(r_e + f g_e) − (α−1) log f
//
// on random coordinates whose Newton step points down: a step that
// curvatureBounded or endpointStep lets through, and every step
// safeDownStep returns, lowers φ (to rounding) and keeps every rate
// positive; endpointStep leaves the rates at the step's end when it takes
// it and untouched when not. Some cases take the Newton step on the
// bound, some by the far end's curvature, some only after safeDownStep's
// logarithms, and some need halving (the Newton step itself raises φ
// there), so no branch goes untested.
func TestDownStepsDescend(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a1 := range []float64{0, 0.5, 2} {
		onBound, endpoint, checked, halved, newtonRose := 0, 0, 0, 0, 0
		for trial := range 2000 {
			m := 1 + rng.IntN(40)
			x, g, rest := make([]float64, m), make([]float64, m), make([]float64, m)
			cur := rng.ExpFloat64()
			for e := range m {
				x[e] = float64(1 + rng.IntN(5))
				g[e] = rng.ExpFloat64()
				// Rates mostly made of this coordinate, so that its
				// Newton step is long and can overshoot.
				rest[e] = 1e-3 * rng.ExpFloat64()
				if rng.IntN(2) == 0 {
					rest[e] = rng.ExpFloat64()
				}
			}
			phi := func(f float64) float64 {
				v := 0.0
				for e := range m {
					v -= x[e] * math.Log(rest[e]+f*g[e])
				}
				if a1 > 0 {
					v -= a1 * math.Log(f)
				}
				return v
			}
			// c large enough that the gradient is positive: the step is
			// downward.
			var grad, hess, peak float64
			for e := range m {
				mu := rest[e] + cur*g[e]
				grad -= x[e] * g[e] / mu
				hess += x[e] * g[e] * g[e] / (mu * mu)
				peak = max(peak, g[e]/mu)
			}
			if a1 > 0 {
				grad -= a1 / cur
				hess += a1 / (cur * cur)
			}
			u := rng.Float64()
			c := -grad + 3*u*u*u*hess*cur
			grad += c
			obj := func(f float64) float64 { return c*f + phi(f) }
			delta := max(-grad/hess, -cur)
			if !(delta < 0) {
				t.Fatalf("trial %d: step %v is not downward", trial, delta)
			}
			inv := make([]float64, m)
			for e := range m {
				inv[e] = 1 / (rest[e] + cur*g[e])
			}
			step := delta
			bounded := curvatureBounded(delta, cur, a1, peak)
			var sc cdScratch
			sc.grow(m, 0)
			for e := range m {
				sc.mu[e] = rest[e] + cur*g[e]
			}
			copy(sc.inv, inv)
			var atEnd bool
			if !bounded {
				_, _, atEnd = sc.endpointStep(delta, cur, a1, grad, peak, m, x, g)
			}
			if !bounded && !atEnd {
				step = safeDownStep(delta, cur, c, a1, inv, x, g, make([]float64, m))
			}
			switch {
			case bounded:
				onBound++
			case atEnd:
				endpoint++
				// The kept rates are those at the step's end.
				for e := range m {
					want := rest[e] + (cur+delta)*g[e]
					if d := math.Abs(sc.mu[e] - want); d > 1e-12*want || math.Abs(sc.inv[e]*want-1) > 1e-12 {
						t.Fatalf("trial %d: endpointStep left rate %d at %v (1/μ %v), want %v", trial, e, sc.mu[e], sc.inv[e], want)
					}
				}
			case step == delta:
				checked++
			default:
				halved++
			}
			if !bounded && !atEnd {
				for e := range m {
					if sc.mu[e] != rest[e]+cur*g[e] || sc.inv[e] != inv[e] {
						t.Fatalf("trial %d: a refused endpointStep moved rate %d", trial, e)
					}
				}
			}
			if obj(cur+delta) > obj(cur) || math.IsNaN(obj(cur+delta)) {
				newtonRose++
			}
			if step < delta || step > 0 {
				t.Fatalf("trial %d: step %v outside [%v, 0]", trial, step, delta)
			}
			// Up to rounding: a step of 1e-11 · f moves φ by less than
			// its own last digits.
			if got, was := obj(cur+step), obj(cur); !(got <= was+1e-13*math.Abs(was)) {
				t.Fatalf("α−1 = %v trial %d: φ rose from %.17g to %.17g with step %v (Newton %v)", a1, trial, was, got, step, delta)
			}
			for e := range m {
				if !(rest[e]+(cur+step)*g[e] > 0) {
					t.Fatalf("trial %d: rate %d left at %v", trial, e, rest[e]+(cur+step)*g[e])
				}
			}
		}
		t.Logf("α−1 = %v: of 2000 downward steps %d on the bound, %d by the far end's curvature, %d checked with logarithms, %d halved; the Newton step raised φ in %d", a1, onBound, endpoint, checked, halved, newtonRose)
		if onBound == 0 || endpoint == 0 || checked == 0 || halved == 0 || newtonRose == 0 {
			t.Fatalf("α−1 = %v: a branch went untested", a1)
		}
	}
}
