package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// PoissonLogLik returns the Poisson log-likelihood of all n·p cells of x
// under rates μ = W Hᵀ (W n × K, H p × K), log x! included
// (docs/MATH.md section 1):
//
//	Σ_ui [x_ui log μ_ui − μ_ui − log Γ(x_ui + 1)]
//
// The x log μ terms run over the non-zeros; Σ μ = Σ_k (Σ_u W_uk)(Σ_i H_ik)
// costs O((n+p)K). A non-zero with μ = 0 gives −Inf, which is the right
// answer and is not hidden.
func PoissonLogLik(x *Counts, w, h mat.Matrix) float64 {
	n, k := w.Dims()
	p, _ := h.Dims()
	var ll float64
	for u := 0; u < n; u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			var mu float64
			for j := 0; j < k; j++ {
				mu += w.At(u, j) * h.At(int(i), j)
			}
			ll += xLogMu(vals[e], mu) - lgamma(vals[e]+1)
		}
	}
	for j := 0; j < k; j++ {
		var sw, sh float64
		for u := 0; u < n; u++ {
			sw += w.At(u, j)
		}
		for i := 0; i < p; i++ {
			sh += h.At(i, j)
		}
		ll -= sw * sh
	}
	return ll
}

// xLogMu returns x log μ with 0 log 0 = 0.
func xLogMu(x, mu float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(mu)
}
