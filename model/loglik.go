package model

import (
	"fmt"
	"math"
)

// PoissonLogLik returns the Poisson log-likelihood of all n·p cells of x
// under the rates r, log x! included (docs/MATH.md section 1):
//
//	Σ_ui [x_ui log μ_ui − μ_ui − log Γ(x_ui + 1)]
//
// The x log μ terms run over the non-zeros and Σ μ is r.Total() (O((n+p)K)
// for factors). A non-zero with μ = 0 gives −Inf, which is the right answer
// and is not hidden. Rates of another shape than x are an error.
func PoissonLogLik(x *Counts, r Rates) (float64, error) {
	if n, p := r.Dims(); n != x.Rows() || p != x.Cols() {
		return 0, fmt.Errorf("%w: counts are %d × %d, rates %d × %d", ErrShape, x.Rows(), x.Cols(), n, p)
	}
	var ll float64
	for u := 0; u < x.Rows(); u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			ll += xLogMu(vals[e], r.Rate(u, int(i)))
		}
	}
	return ll - x.LogFactorialSum() - r.Total(), nil
}

// xLogMu returns x log μ with 0 log 0 = 0.
func xLogMu(x, mu float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(mu)
}
