package compare

import (
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/model"
)

// Rates gives the Poisson rates μ_ij of a model of an n × p count matrix.
type Rates interface {
	// Rate returns μ_ui.
	Rate(u, i int) float64
	// Total returns Σ_ij μ_ij over all n·p cells.
	Total() float64
}

// FactorRates returns the rates μ = W Hᵀ of factors W (n × K) and H
// (p × K), copied. Their total costs O((n+p)K):
// Σ_ij μ_ij = Σ_k (Σ_u W_uk)(Σ_i H_ik).
func FactorRates(w, h mat.Matrix) Rates {
	return model.Factors{W: mat.DenseCopyOf(w), H: mat.DenseCopyOf(h)}
}

// PosteriorRates returns the point-estimate rates μ_ui = Σ_k E[θ_uk] E[β_ik]
// of a fitted HPF posterior.
func PosteriorRates(q *model.Posterior) Rates {
	return q.PointEstimate()
}

// funcRates wraps a rate function.
type funcRates struct {
	f     func(u, i int) float64
	total float64
}

// FuncRates returns the rates of any function μ_ui = f(u, i) over an
// n × p matrix. Σ μ is summed over all n·p cells, once, here: keep n·p
// moderate, or use FactorRates.
func FuncRates(f func(u, i int) float64, n, p int) Rates {
	var t special.Sum
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			t.Add(f(u, i))
		}
	}
	return funcRates{f, t.Value()}
}

func (f funcRates) Rate(u, i int) float64 { return f.f(u, i) }
func (f funcRates) Total() float64        { return f.total }
