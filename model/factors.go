package model

import (
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/special"
)

// Factors are the rates μ = W Hᵀ of a factorization: W is n × K, H is
// p × K. A KL-NMF fit is one; an HPF posterior's point estimate
// (E[θ], E[β]) is another. Its methods are safe for concurrent use.
type Factors struct {
	W, H *mat.Dense
}

// PointEstimate returns the posterior's point estimate μ = E[θ] E[β]ᵀ as
// factors.
func (q *Posterior) PointEstimate() Factors {
	return Factors{W: q.ETheta(), H: q.EBeta()}
}

// Dims returns n and p.
func (f Factors) Dims() (n, p int) {
	n, _ = f.W.Dims()
	p, _ = f.H.Dims()
	return n, p
}

// Rate returns μ_ui = Σ_k W_uk H_ik.
func (f Factors) Rate(u, i int) float64 {
	return rowDot(f.W.RawRowView(u), f.H.RawRowView(i))
}

// RowRates fills dst (length p) with μ_ui for every column i of row u,
// with W's row looked up once for the row (ranking scores every column
// of every row).
func (f Factors) RowRates(u int, dst []float64) {
	w := f.W.RawRowView(u)
	for i := range dst {
		dst[i] = rowDot(w, f.H.RawRowView(i))
	}
}

// rowDot is Σ_k w_k h_k in order, the one sum of Rate and RowRates.
func rowDot(w, h []float64) float64 {
	h = h[:len(w)]
	var s float64
	for k, v := range w {
		s += v * h[k]
	}
	return s
}

// Total returns Σ_ui μ_ui over all n·p cells, as
// Σ_k (Σ_u W_uk)(Σ_i H_ik) in O((n+p)K), with compensated sums.
func (f Factors) Total() float64 {
	_, k := f.W.Dims()
	var t special.Sum
	for j := 0; j < k; j++ {
		t.Add(ColSum(f.W, j) * ColSum(f.H, j))
	}
	return t.Value()
}

// ColSum returns the compensated sum of column j of m: Σ_u W_uk for the
// gradients and totals of a factorization.
func ColSum(m *mat.Dense, j int) float64 {
	r, _ := m.Dims()
	var s special.Sum
	for i := 0; i < r; i++ {
		s.Add(m.At(i, j))
	}
	return s.Value()
}
