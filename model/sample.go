package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// maxSampledRate bounds the Poisson rates the sampler accepts: a draw must
// fit a Counts entry (2⁵³) with room for its spread.
const maxSampledRate = 1 << 50

// Truth holds parameters drawn from the HPF generative model.
type Truth struct {
	// Xi and Eta are the row activities ξ (n) and column popularities η
	// (p); in the non-hierarchical model they are b' and d'.
	Xi, Eta []float64
	// Theta (n × K) and Beta (p × K) are the weights.
	Theta, Beta *mat.Dense
	// Scale multiplies every rate: x_ui ~ Poisson(Scale · Σ_k θ_uk β_ik).
	Scale float64
}

// Rate returns the true rate Scale · Σ_k θ_uk β_ik.
func (t *Truth) Rate(u, i int) float64 {
	return t.Scale * mat.Dot(t.Theta.RowView(u), t.Beta.RowView(i))
}

// Dims returns n and p.
func (t *Truth) Dims() (n, p int) {
	n, _ = t.Theta.Dims()
	p, _ = t.Beta.Dims()
	return n, p
}

// RowRates fills dst (length p) with the true rates of row u.
func (t *Truth) RowRates(u int, dst []float64) {
	for i := range dst {
		dst[i] = t.Rate(u, i)
	}
}

// Total returns Σ_ui of the true rates.
func (t *Truth) Total() float64 { return t.Scale * Factors{W: t.Theta, H: t.Beta}.Total() }

var _ Rates = (*Truth)(nil)

// Sample draws (ξ, θ, η, β, X) from the HPF generative model
// (docs/MATH.md sections 3 and 5) for n rows, p columns and K factors,
// with x_ui ~ Poisson(scale · Σ_k θ_uk β_ik); scale 0 means 1. All draws
// come from PCG streams seeded by seed. The cost is O(n·p·K): it is meant
// for simulation studies and tests. With the paper's a' = c' = 0.3 rates
// reach 1e13–1e25; a rate above 2⁵⁰ is an error, not a wrapped count, so
// simulations use a' = c' = 2.
func Sample(n, p, k int, h HPF, scale float64, seed uint64) (*Truth, *Counts, error) {
	if scale == 0 {
		scale = 1
	}
	if !(scale > 0) {
		return nil, nil, fmt.Errorf("model: rate scale %v: want a positive number", scale)
	}
	t, err := drawParameters(n, p, k, h, seed)
	if err != nil {
		return nil, nil, err
	}
	t.Scale = scale
	pois := distuv.Poisson{Src: rand.NewPCG(seed, 3)}
	var rows, cols []int
	var vals []float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			lambda := t.Rate(u, i)
			if !(lambda <= maxSampledRate) {
				return nil, nil, fmt.Errorf("model: sampled rate %.3g at (%d, %d) exceeds the count range 2^50; use a' = c' = 2 or a smaller scale", lambda, u, i)
			}
			if lambda == 0 {
				continue
			}
			pois.Lambda = lambda
			if x := pois.Rand(); x > 0 {
				rows = append(rows, u)
				cols = append(cols, i)
				vals = append(vals, x)
			}
		}
	}
	x, err := NewCounts(n, p, rows, cols, vals)
	if err != nil {
		return nil, nil, err
	}
	return t, x, nil
}

// drawParameters checks the shape, K and the hyperparameters and draws
// ξ, θ (PCG stream 1 of seed) and η, β (stream 2), for both samplers.
func drawParameters(n, p, k int, h HPF, seed uint64) (*Truth, error) {
	if err := checkShape(n, p); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, fmt.Errorf("model: K = %d: want K ≥ 1", k)
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	h = h.WithDefaults()
	t := &Truth{}
	var err error
	if t.Xi, t.Theta, err = sampleSide(n, k, h.A, h.APrime, h.BPrime, h.NonHierarchical, rand.NewPCG(seed, 1)); err != nil {
		return nil, fmt.Errorf("model: row activity: %w (a' = %g)", err, h.APrime)
	}
	if t.Eta, t.Beta, err = sampleSide(p, k, h.C, h.CPrime, h.DPrime, h.NonHierarchical, rand.NewPCG(seed, 2)); err != nil {
		return nil, fmt.Errorf("model: column popularity: %w (c' = %g)", err, h.CPrime)
	}
	return t, nil
}

// sampleSide draws activities act_u ~ Gamma(a', a'/b') (or b' fixed) and
// weights w_uk ~ Gamma(a, act_u). A shape so small that an activity
// underflows to 0 (a' = 1e-6 puts most of its mass below 1e-300) leaves
// the weights' Gamma without a rate: an error, not a panic in the sampler.
func sampleSide(m, k int, a, aPrime, bPrime float64, fixed bool, src rand.Source) ([]float64, *mat.Dense, error) {
	act := make([]float64, m)
	w := mat.NewDense(m, k, nil)
	g := distuv.Gamma{Alpha: aPrime, Beta: aPrime / bPrime, Src: src}
	for u := range act {
		act[u] = bPrime
		if !fixed {
			g.Alpha, g.Beta = aPrime, aPrime/bPrime
			act[u] = g.Rand()
			if !(act[u] > 0 && act[u] <= math.MaxFloat64) {
				return nil, nil, fmt.Errorf("draw %d is %v, outside (0, ∞): the Gamma(a', a'/b') prior is too diffuse to sample in float64; use a larger shape", u+1, act[u])
			}
		}
		g.Alpha, g.Beta = a, act[u]
		for j := 0; j < k; j++ {
			w.Set(u, j, g.Rand())
		}
	}
	return act, w, nil
}
