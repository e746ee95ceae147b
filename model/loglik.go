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
	f := Factors{W: mat.DenseCopyOf(w), H: mat.DenseCopyOf(h)}
	var ll float64
	for u := 0; u < x.Rows(); u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			ll += xLogMu(vals[e], f.Rate(u, int(i))) - lgamma(vals[e]+1)
		}
	}
	return ll - f.Total()
}

// xLogMu returns x log μ with 0 log 0 = 0.
func xLogMu(x, mu float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(mu)
}
