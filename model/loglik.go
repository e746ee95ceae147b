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
	wd, hd := mat.DenseCopyOf(w), mat.DenseCopyOf(h)
	n, k := wd.Dims()
	p, _ := hd.Dims()
	var ll float64
	for u := 0; u < n; u++ {
		wu := wd.RawRowView(u)
		cols, vals := x.Row(u)
		for e, i := range cols {
			hi := hd.RawRowView(int(i))
			var mu float64
			for j := range wu {
				mu += wu[j] * hi[j]
			}
			ll += xLogMu(vals[e], mu) - lgamma(vals[e]+1)
		}
	}
	sw, sh := make([]float64, k), make([]float64, k)
	for u := 0; u < n; u++ {
		for j, v := range wd.RawRowView(u) {
			sw[j] += v
		}
	}
	for i := 0; i < p; i++ {
		for j, v := range hd.RawRowView(i) {
			sh[j] += v
		}
	}
	for j := range sw {
		ll -= sw[j] * sh[j]
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
