package model

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/special"
)

// Posterior is the mean-field variational posterior of HPF
// (docs/MATH.md section 3):
//
//	q(θ_uk) = Gamma(γˢ_uk, γʳ_uk)    q(β_ik) = Gamma(λˢ_ik, λʳ_ik)
//	q(ξ_u)  = Gamma(κˢ_u, κʳ_u)      q(η_i)  = Gamma(τˢ_i, τʳ_i)
//
// Every shape and rate is an exported field. In the non-hierarchical
// model (Hyper.NonHierarchical) ξ and η are fixed at b' and d' and the
// Xi and Eta fields are nil.
type Posterior struct {
	// Hyper holds the hyperparameters, defaults filled in.
	Hyper HPF
	// ThetaShape and ThetaRate are γˢ and γʳ, n × K.
	ThetaShape, ThetaRate *mat.Dense
	// BetaShape and BetaRate are λˢ and λʳ, p × K.
	BetaShape, BetaRate *mat.Dense
	// XiShape and XiRate are κˢ and κʳ, length n.
	XiShape, XiRate []float64
	// EtaShape and EtaRate are τˢ and τʳ, length p.
	EtaShape, EtaRate []float64
}

// NewPosterior returns a posterior for n rows, p columns and K factors
// with every shape and rate set to zero; the fitting code fills them in.
func NewPosterior(n, p, k int, h HPF) *Posterior {
	h = h.WithDefaults()
	q := &Posterior{
		Hyper:      h,
		ThetaShape: mat.NewDense(n, k, nil), ThetaRate: mat.NewDense(n, k, nil),
		BetaShape: mat.NewDense(p, k, nil), BetaRate: mat.NewDense(p, k, nil),
	}
	if !h.NonHierarchical {
		q.XiShape, q.XiRate = make([]float64, n), make([]float64, n)
		q.EtaShape, q.EtaRate = make([]float64, p), make([]float64, p)
	}
	return q
}

// Dims returns the number of rows and columns.
func (q *Posterior) Dims() (n, p int) {
	n, _ = q.ThetaShape.Dims()
	p, _ = q.BetaShape.Dims()
	return n, p
}

// K returns the number of factors.
func (q *Posterior) K() int {
	_, k := q.ThetaShape.Dims()
	return k
}

// ratio returns the element-wise quotient of two equally shaped matrices.
func ratio(s, r *mat.Dense) *mat.Dense {
	var d mat.Dense
	d.DivElem(s, r)
	return &d
}

// elog returns ψ(s) − log r element-wise.
func elog(s, r *mat.Dense) *mat.Dense {
	var d mat.Dense
	d.Apply(func(i, j int, v float64) float64 { return special.Digamma(v) - math.Log(r.At(i, j)) }, s)
	return &d
}

// ETheta returns E[θ_uk] = γˢ_uk / γʳ_uk as a new n × K matrix.
func (q *Posterior) ETheta() *mat.Dense { return ratio(q.ThetaShape, q.ThetaRate) }

// EBeta returns E[β_ik] = λˢ_ik / λʳ_ik as a new p × K matrix.
func (q *Posterior) EBeta() *mat.Dense { return ratio(q.BetaShape, q.BetaRate) }

// ELogTheta returns E[log θ_uk] = ψ(γˢ_uk) − log γʳ_uk as a new matrix.
func (q *Posterior) ELogTheta() *mat.Dense { return elog(q.ThetaShape, q.ThetaRate) }

// ELogBeta returns E[log β_ik] = ψ(λˢ_ik) − log λʳ_ik as a new matrix.
func (q *Posterior) ELogBeta() *mat.Dense { return elog(q.BetaShape, q.BetaRate) }

// EXi returns E[ξ_u] = κˢ_u / κʳ_u, or b' for every row in the
// non-hierarchical model.
func (q *Posterior) EXi() []float64 {
	n, _ := q.Dims()
	return meanOrFixed(q.XiShape, q.XiRate, n, q.Hyper.BPrime)
}

// EEta returns E[η_i] = τˢ_i / τʳ_i, or d' for every column in the
// non-hierarchical model.
func (q *Posterior) EEta() []float64 {
	_, p := q.Dims()
	return meanOrFixed(q.EtaShape, q.EtaRate, p, q.Hyper.DPrime)
}

func meanOrFixed(shape, rate []float64, m int, fixed float64) []float64 {
	out := make([]float64, m)
	for j := range out {
		if shape == nil {
			out[j] = fixed
		} else {
			out[j] = shape[j] / rate[j]
		}
	}
	return out
}

// Rate returns the point-estimate rate μ_ui = Σ_k E[θ_uk] E[β_ik],
// bit for bit the rate of PointEstimate.
func (q *Posterior) Rate(u, i int) float64 {
	ts, tr := q.ThetaShape.RawRowView(u), q.ThetaRate.RawRowView(u)
	bs, br := q.BetaShape.RawRowView(i), q.BetaRate.RawRowView(i)
	var s float64
	for j := range ts {
		s += (ts[j] / tr[j]) * (bs[j] / br[j])
	}
	return s
}

// RowRates fills dst (length p) with μ_ui for every column i of row u.
// It divides each column's shapes by its rates again: for many rows,
// PointEstimate's Factors compute E[β] once.
func (q *Posterior) RowRates(u int, dst []float64) {
	for i := range dst {
		dst[i] = q.Rate(u, i)
	}
}

// Total returns Σ_ui μ_ui over all n·p cells, in O((n+p)K).
func (q *Posterior) Total() float64 { return q.PointEstimate().Total() }
