package model

// Rates are the Poisson rates μ_ui of a fitted model of an n × p count
// matrix: what every likelihood, metric, recommendation and check in
// poisfact reads. Factors (μ = W Hᵀ: a KL-NMF fit, or any factorization)
// and *Posterior (the HPF point estimate E[θ] E[β]ᵀ) implement it; so can
// a researcher's own model. Implementations must be safe for concurrent
// use.
type Rates interface {
	// Dims returns the rows n and columns p.
	Dims() (n, p int)
	// Rate returns μ_ui.
	Rate(u, i int) float64
	// RowRates fills dst (length p) with μ_ui for every column i of
	// row u.
	RowRates(u int, dst []float64)
	// Total returns Σ_ui μ_ui over all n·p cells.
	Total() float64
}

var (
	_ Rates = Factors{}
	_ Rates = (*Posterior)(nil)
)
